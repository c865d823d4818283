#include "models/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace leuko::safetensors {
namespace {

struct DTypeInfo {
  DType dtype;
  const char* name;
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::BOOL, "BOOL", 1}, {DType::U8, "U8", 1},   {DType::I8, "I8", 1},
    {DType::I16, "I16", 2},   {DType::U16, "U16", 2}, {DType::I32, "I32", 4},
    {DType::U32, "U32", 4},   {DType::I64, "I64", 8}, {DType::U64, "U64", 8},
    {DType::F16, "F16", 2},   {DType::BF16, "BF16", 2}, {DType::F32, "F32", 4},
    {DType::F64, "F64", 8},
};

// Names come from untrusted bytes: keep error messages on one printable line.
std::string printable(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, 200)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  if (s.size() > 200) out += "...";
  return out;
}

[[noreturn]] void fail(const std::string& source, const std::string& reason) {
  throw UserError(source + ": not a valid safetensors file: " + reason);
}

}  // namespace

size_t dtype_size(DType dtype) {
  for (const auto& d : kDTypes)
    if (d.dtype == dtype) return d.size;
  throw std::invalid_argument("unknown safetensors dtype");
}

const char* dtype_name(DType dtype) {
  for (const auto& d : kDTypes)
    if (d.dtype == dtype) return d.name;
  return "?";
}

const TensorView* Archive::find(const std::string& name) const {
  for (const auto& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

Archive parse(const uint8_t* bytes, size_t size, const std::string& source) {
  if (size < 8) fail(source, "file is " + std::to_string(size) + " bytes, shorter than the 8-byte header length");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];
  if (header_len > kMaxHeaderBytes)
    fail(source, "header length " + std::to_string(header_len) + " exceeds the limit of " + std::to_string(kMaxHeaderBytes));
  if (header_len > size - 8)
    fail(source, "header length " + std::to_string(header_len) + " runs past the end of the " + std::to_string(size) + "-byte file");
  const uint8_t* data = bytes + 8 + header_len;
  const uint64_t data_size = size - 8 - header_len;

  // Duplicate keys are legal JSON but ambiguous weights: catch them while parsing, since the
  // parsed object keeps only one of them.
  std::set<std::string> seen;
  std::string duplicate;
  auto on_event = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1 && parsed.is_string()) {
      auto key = parsed.get<std::string>();
      if (!seen.insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  nlohmann::json header;
  try {
    const char* begin = reinterpret_cast<const char*>(bytes + 8);
    header = nlohmann::json::parse(begin, begin + header_len, on_event);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    fail(source, "header is not valid JSON (" + printable(what) + ")");
  }
  if (!duplicate.empty()) fail(source, "tensor '" + printable(duplicate) + "' appears twice in the header");
  if (!header.is_object()) fail(source, "header is not a JSON object");

  Archive archive;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const auto& entry = it.value();
    if (name == "__metadata__") {
      if (!entry.is_object()) fail(source, "__metadata__ is not an object");
      for (auto m = entry.begin(); m != entry.end(); ++m) {
        if (!m.value().is_string()) fail(source, "__metadata__ value of '" + printable(m.key()) + "' is not a string");
        archive.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + printable(name) + "'";
    if (!entry.is_object()) fail(source, where + " is not an object");
    for (auto f = entry.begin(); f != entry.end(); ++f)
      if (f.key() != "dtype" && f.key() != "shape" && f.key() != "data_offsets")
        fail(source, where + " has an unknown field '" + printable(f.key()) + "'");
    auto dt = entry.find("dtype");
    auto sh = entry.find("shape");
    auto off = entry.find("data_offsets");
    if (dt == entry.end() || sh == entry.end() || off == entry.end())
      fail(source, where + " lacks one of dtype, shape, data_offsets");

    if (!dt->is_string()) fail(source, where + ": dtype is not a string");
    const DTypeInfo* info = nullptr;
    for (const auto& d : kDTypes)
      if (dt->get_ref<const std::string&>() == d.name) info = &d;
    if (!info) fail(source, where + ": unsupported dtype '" + printable(dt->get<std::string>()) + "'");

    if (!sh->is_array()) fail(source, where + ": shape is not an array");
    if (sh->size() > 64) fail(source, where + ": shape has " + std::to_string(sh->size()) + " dimensions");
    std::vector<int64_t> shape;
    uint64_t numel = 1;
    for (const auto& d : *sh) {
      if (!d.is_number_unsigned()) fail(source, where + ": shape holds something other than a non-negative integer");
      uint64_t v = d.get<uint64_t>();
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail(source, where + ": dimension " + std::to_string(v) + " is too large");
      if (__builtin_mul_overflow(numel, v, &numel)) fail(source, where + ": shape product overflows");
      shape.push_back(static_cast<int64_t>(v));
    }
    uint64_t nbytes = 0;
    if (__builtin_mul_overflow(numel, static_cast<uint64_t>(info->size), &nbytes))
      fail(source, where + ": byte size overflows");

    if (!off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() || !(*off)[1].is_number_unsigned())
      fail(source, where + ": data_offsets is not a pair of non-negative integers");
    uint64_t begin = (*off)[0].get<uint64_t>(), end = (*off)[1].get<uint64_t>();
    if (begin > end) fail(source, where + ": data_offsets begin " + std::to_string(begin) + " > end " + std::to_string(end));
    if (end > data_size)
      fail(source, where + ": data_offsets end " + std::to_string(end) + " lies outside the " +
                       std::to_string(data_size) + "-byte data section (file truncated?)");
    if (end - begin != nbytes)
      fail(source, where + ": " + std::to_string(end - begin) + " bytes for " + info->name + " shape of " +
                       std::to_string(numel) + " elements (" + std::to_string(nbytes) + " bytes expected)");
    ranges.emplace_back(begin, end);
    archive.tensors.push_back({name, info->dtype, std::move(shape), data + begin, static_cast<size_t>(nbytes)});
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i].first < ranges[i - 1].second)
      fail(source, "tensor data ranges overlap at byte " + std::to_string(ranges[i].first));
  return archive;
}

std::string serialize(const std::vector<TensorBytes>& tensors, const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  std::set<std::string> names;
  for (const auto& t : tensors) {
    if (t.name == "__metadata__" || !names.insert(t.name).second)
      throw std::invalid_argument("safetensors: duplicate or reserved tensor name '" + t.name + "'");
    uint64_t numel = 1;
    for (int64_t d : t.shape) {
      if (d < 0) throw std::invalid_argument("safetensors: negative dimension in '" + t.name + "'");
      numel *= static_cast<uint64_t>(d);
    }
    if (numel * dtype_size(t.dtype) != t.nbytes)
      throw std::invalid_argument("safetensors: byte count of '" + t.name + "' does not match its shape");
    header[t.name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.nbytes}}};
    offset += t.nbytes;
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  out.reserve(8 + json.size() + offset);
  out += json;
  for (const auto& t : tensors) out.append(static_cast<const char*>(t.data), t.nbytes);
  return out;
}

}  // namespace leuko::safetensors
