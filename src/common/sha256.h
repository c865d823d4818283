#pragma once
#include <cstddef>
#include <string>

namespace leuko {

// Hex SHA-256 of a file, read in fixed-size chunks so a 10 GB dataset never sits in memory.
// Throws UserError naming the file when it cannot be read or is not a regular file (a FIFO
// would block forever, a folder has no content to hash).
std::string sha256_file(const std::string& path);

std::string sha256_bytes(const void* data, size_t size);

}  // namespace leuko
