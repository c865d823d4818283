#pragma once
#include <cstddef>
#include <string>

namespace leuko {

// Lower-case hex of a digest's bytes, as sha256sum and xxhsum print them.
inline std::string lowercase_hex(const unsigned char* bytes, size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out(2 * size, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  return out;
}

}  // namespace leuko
