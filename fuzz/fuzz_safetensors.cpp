// libFuzzer target: the safetensors reader (src/models/safetensors.cpp, safetensors::parse).
//
// parse() is the whole reader of RUN/best.safetensors, --pretrained files and
// RUN/feature-density.safetensors: weights.cpp only turns the views it returns into tensors, so
// the torch-free parser is fuzzed here, without linking torch. Input: the file's bytes.
// Checks: malformed input is a UserError; an accepted file's views lie inside the buffer, have
// the byte count of their dtype and shape, do not overlap, and are all read (ASan sees a stray
// pointer); serialize() of what was read, read again, gives the same tensors and metadata.
// Seeds: fuzz/corpus/safetensors (a real run's weights, cut to its small tensors).
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "models/safetensors.h"

namespace st = leuko::safetensors;
using leuko::fuzz::fuzz_fail;

namespace {

void check_archive(const st::Archive& a, const uint8_t* data, size_t size) {
  const uint8_t* end = data + size;
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    const auto& t = a.tensors[i];
    uint64_t numel = 1;
    for (int64_t d : t.shape) {
      FUZZ_CHECK(d >= 0);
      numel *= static_cast<uint64_t>(d);
    }
    FUZZ_CHECK(numel * st::dtype_size(t.dtype) == t.nbytes);
    FUZZ_CHECK(t.data >= data && t.data <= end && t.nbytes <= static_cast<size_t>(end - t.data));
    uint8_t sum = 0;  // every byte of every view is read: a view past the buffer is an ASan report
    for (size_t b = 0; b < t.nbytes; ++b) sum ^= t.data[b];
    (void)sum;
    if (i > 0) FUZZ_CHECK(a.tensors[i - 1].name < t.name);  // sorted by name, names unique
    FUZZ_CHECK(a.find(t.name) == &t);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  leuko::fuzz::expect_only_user_errors([&] {
    st::Archive a = st::parse(data, size, "fuzz.safetensors");
    check_archive(a, data, size);

    std::vector<st::TensorBytes> tensors;
    for (const auto& t : a.tensors) tensors.push_back({t.name, t.dtype, t.shape, t.data, t.nbytes});
    std::string again;
    try {
      again = st::serialize(tensors, a.metadata);
    } catch (const std::exception& e) {
      fuzz_fail(std::string("serialize() refused what parse() accepted: ") + e.what());
    }
    const auto* bytes = reinterpret_cast<const uint8_t*>(again.data());
    st::Archive b;
    try {
      b = st::parse(bytes, again.size(), "again.safetensors");
    } catch (const std::exception& e) {
      fuzz_fail(std::string("parse() refused what serialize() wrote: ") + e.what());
    }
    check_archive(b, bytes, again.size());
    FUZZ_CHECK(a.metadata == b.metadata);
    FUZZ_CHECK(a.tensors.size() == b.tensors.size());
    for (size_t i = 0; i < a.tensors.size(); ++i) {
      const auto &x = a.tensors[i], &y = b.tensors[i];
      FUZZ_CHECK(x.name == y.name && x.dtype == y.dtype && x.shape == y.shape && x.nbytes == y.nbytes);
      FUZZ_CHECK(x.nbytes == 0 || std::memcmp(x.data, y.data, x.nbytes) == 0);
    }
  });
  return 0;
}
