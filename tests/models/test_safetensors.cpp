// The safetensors reader must refuse every malformed file with a UserError that names the file,
// and never read outside its buffer: hand-made corruptions of each kind, then random mutations.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "common/error.h"
#include "models/safetensors.h"

namespace st = leuko::safetensors;

namespace {

std::string valid_file() {
  static const float a[6] = {1, 2, 3, 4, 5, 6};
  static const uint16_t h[2] = {0x3c00, 0xc000};   // F16 1.0, -2.0
  static const int64_t n = 42;
  return st::serialize({{"layer.weight", st::DType::F32, {2, 3}, a, sizeof a},
                        {"layer.half", st::DType::F16, {2}, h, sizeof h},
                        {"count", st::DType::I64, {}, &n, sizeof n}},
                       {{"format", "pt"}});
}

// A file from a raw header: the 8-byte length, the JSON, then `data_bytes` zero bytes.
std::string raw_file(const std::string& json, size_t data_bytes) {
  std::string out(8, '\0');
  uint64_t n = json.size();
  std::memcpy(out.data(), &n, 8);  // the test machines are little-endian, like the format
  return out + json + std::string(data_bytes, '\0');
}

st::Archive parse(const std::string& bytes) {
  return st::parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "w.safetensors");
}

void expect_rejected(const std::string& bytes, const std::string& reason_fragment) {
  try {
    parse(bytes);
    ADD_FAILURE() << "accepted a malformed file (expected: " << reason_fragment << ")";
  } catch (const leuko::UserError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("w.safetensors"), std::string::npos) << what;
    EXPECT_NE(what.find(reason_fragment), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << "message must be one line: " << what;
  }
}

}  // namespace

TEST(Safetensors, RoundTripKeepsNamesShapesBytesAndMetadata) {
  std::string bytes = valid_file();
  uint64_t header_len;
  std::memcpy(&header_len, bytes.data(), 8);
  EXPECT_EQ(header_len % 8, 0u) << "header padded so the data section stays aligned";
  auto archive = parse(bytes);
  ASSERT_EQ(archive.tensors.size(), 3u);
  const auto* w = archive.find("layer.weight");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->dtype, st::DType::F32);
  EXPECT_EQ(w->shape, (std::vector<int64_t>{2, 3}));
  float back[6];
  std::memcpy(back, w->data, sizeof back);
  EXPECT_EQ(back[5], 6.0f);
  const auto* n = archive.find("count");
  ASSERT_NE(n, nullptr);
  EXPECT_TRUE(n->shape.empty());
  int64_t count;
  std::memcpy(&count, n->data, 8);
  EXPECT_EQ(count, 42);
  EXPECT_EQ(archive.find("layer.half")->dtype, st::DType::F16);
  EXPECT_EQ(archive.metadata.at("format"), "pt");
}

TEST(Safetensors, ReadsAFileWrittenByTheReferenceLayout) {
  // Hand-written as Python's safetensors would: BF16 data, zero-size tensor, no metadata.
  std::string json = R"({"b":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0,5],"data_offsets":[4,4]}})";
  auto archive = parse(raw_file(json, 4));
  EXPECT_EQ(archive.find("b")->dtype, st::DType::BF16);
  EXPECT_EQ(archive.find("e")->nbytes, 0u);
}

TEST(Safetensors, RejectsEachKindOfDamage) {
  std::string good = valid_file();
  expect_rejected("", "shorter than the 8-byte header length");
  expect_rejected(good.substr(0, 5), "shorter than the 8-byte header length");
  expect_rejected(good.substr(0, 40), "runs past the end");
  expect_rejected(good.substr(0, good.size() - 1), "outside");  // truncated data
  std::string huge = good;
  huge[7] = 0x7f;
  expect_rejected(huge, "exceeds the limit");
  expect_rejected(raw_file("{\"a\": [1,", 0), "not valid JSON");
  expect_rejected(raw_file("[1, 2]", 0), "not a JSON object");
  expect_rejected(raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", 16),
                  "appears twice");
  expect_rejected(raw_file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8), "12 bytes expected");
  expect_rejected(raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4), "outside");
  expect_rejected(raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8), "begin");
  expect_rejected(raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12),
                  "overlap");
  expect_rejected(raw_file(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}})", 0), "overflows");
  expect_rejected(raw_file(R"({"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}})", 0), "overflows");
  expect_rejected(raw_file(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})", 0), "non-negative integer");
  expect_rejected(raw_file(R"({"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,0]}})", 0), "non-negative integer");
  expect_rejected(raw_file(R"({"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}})", 1), "unsupported dtype");
  expect_rejected(raw_file(R"({"a":{"dtype":"F32","shape":[1]}})", 4), "lacks");
  expect_rejected(raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}})", 4), "unknown field");
  expect_rejected(raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", 4), "data_offsets");
  expect_rejected(raw_file(R"({"__metadata__":{"k":1}})", 0), "not a string");
  expect_rejected(raw_file(R"({"a":7})", 0), "not an object");
}

TEST(Safetensors, SerializeRefusesInconsistentInput) {
  float x[2] = {0, 0};
  EXPECT_THROW(st::serialize({{"a", st::DType::F32, {3}, x, sizeof x}}), std::invalid_argument);
  EXPECT_THROW(st::serialize({{"a", st::DType::F32, {2}, x, sizeof x}, {"a", st::DType::F32, {2}, x, sizeof x}}),
               std::invalid_argument);
}

// Thousands of random corruptions of a valid file (bit flips, byte overwrites, truncations,
// insertions, header-length edits): each must parse or throw UserError, and whatever parses must
// describe data inside the buffer. Run under ASan/UBSan to turn a silent over-read into a failure.
TEST(Safetensors, FuzzedFilesOnlyEverThrowUserError) {
  const std::string good = valid_file();
  std::mt19937_64 rng(20261125);
  int accepted = 0, rejected = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string bytes = good;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      size_t pos = rng() % bytes.size();
      switch (rng() % 6) {
        case 0: bytes[pos] = static_cast<char>(bytes[pos] ^ (1 << (rng() % 8))); break;
        case 1: bytes[pos] = static_cast<char>(rng() % 256); break;
        case 2: bytes.resize(pos); break;
        case 3: bytes.insert(pos, 1, "{}[]\",:0123456789e-"[rng() % 19]); break;
        case 4: bytes.erase(pos, 1 + rng() % 8); break;
        case 5: {  // header length pointing anywhere, the classic out-of-bounds trigger
          uint64_t n = rng() % (bytes.size() + 16);
          if (bytes.size() >= 8) std::memcpy(bytes.data(), &n, 8);
          break;
        }
      }
    }
    // A private heap copy sized exactly, so any over-read leaves the allocation.
    std::vector<uint8_t> buf(bytes.begin(), bytes.end());
    try {
      auto archive = st::parse(buf.data(), buf.size(), "fuzz.safetensors");
      for (const auto& t : archive.tensors) {
        ASSERT_GE(t.data, buf.data());
        ASSERT_LE(t.data + t.nbytes, buf.data() + buf.size());
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < t.nbytes; ++i) sink = sink ^ t.data[i];
        (void)sink;
      }
      ++accepted;
    } catch (const leuko::UserError& e) {
      ASSERT_NE(std::string(e.what()).find("fuzz.safetensors"), std::string::npos);
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 1000) << "mutations should mostly break the file";
  EXPECT_GT(accepted, 0) << "some mutations (e.g. in data bytes) leave a valid file";
}
