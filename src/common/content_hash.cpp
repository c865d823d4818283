#include "common/content_hash.h"

// Header-only: the hash compiles into this file, nothing to link (cmake/Findxxhash.cmake).
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace leuko {

std::string content_hash(const void* data, size_t size) {
  XXH128_canonical_t canonical;  // big-endian bytes: the same hex on every machine
  XXH128_canonicalFromHash(&canonical, XXH3_128bits(data, size));
  static const char* digits = "0123456789abcdef";
  std::string out(2 * sizeof(canonical.digest), '0');
  for (size_t i = 0; i < sizeof(canonical.digest); ++i) {
    out[2 * i] = digits[canonical.digest[i] >> 4];
    out[2 * i + 1] = digits[canonical.digest[i] & 15];
  }
  return out;
}

}  // namespace leuko
