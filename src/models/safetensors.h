#pragma once
// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes
// of JSON {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
// "__metadata__": {string: string}}, then the raw little-endian tensor bytes; offsets are
// relative to the end of the header.
//
// This layer is torch-free and works on bytes in memory, so it can be fuzzed on its own. The
// parser trusts nothing: every malformed input becomes a one-line leuko::UserError naming the
// source and the reason, never a crash or a read outside the buffer.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace leuko::safetensors {

enum class DType { BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F16, BF16, F32, F64 };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);

struct TensorView {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  const uint8_t* data;  // points into the parsed buffer
  size_t nbytes;
};

struct Archive {
  std::vector<TensorView> tensors;  // sorted by name
  std::map<std::string, std::string> metadata;
  const TensorView* find(const std::string& name) const;
};

// Headers above this size are refused before being read (the reference implementation's limit).
constexpr uint64_t kMaxHeaderBytes = 100u * 1024u * 1024u;

// Views in the result point into [bytes, bytes + size), which must outlive it. `source` (a file
// name) prefixes every error message.
Archive parse(const uint8_t* bytes, size_t size, const std::string& source);

struct TensorBytes {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  const void* data;
  size_t nbytes;  // must equal product(shape) * dtype_size(dtype)
};

// The complete file contents; the header is padded with spaces to a multiple of 8 bytes so the
// data section stays aligned. Throws std::invalid_argument on inconsistent input.
std::string serialize(const std::vector<TensorBytes>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace leuko::safetensors
