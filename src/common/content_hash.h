#pragma once
#include <cstddef>
#include <string>

namespace leuko {

// 32 hex digits of XXH3-128 over `size` bytes: a key for content the program itself stores and
// looks up again (the preprocessing cache), where a changed input must change the key but
// nobody is trying to forge a collision. ~20× faster than SHA-256 here, which matters when every
// source image of every epoch is hashed. Use sha256.h where the digest is checked against one
// published by someone else (data verify) or names a dataset in a run's record.
std::string content_hash(const void* data, size_t size);

}  // namespace leuko
