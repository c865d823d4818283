#include "common/content_hash.h"

#include "common/hex.h"

// Header-only: the hash compiles into this file, nothing to link (cmake/Findxxhash.cmake).
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace leuko {

std::string content_hash(const void* data, size_t size) {
  XXH128_canonical_t canonical;  // big-endian bytes: the same hex on every machine
  XXH128_canonicalFromHash(&canonical, XXH3_128bits(data, size));
  return lowercase_hex(canonical.digest, sizeof(canonical.digest));
}

}  // namespace leuko
