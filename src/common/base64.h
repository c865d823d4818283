#pragma once
// Base64 (RFC 4648, standard alphabet, '=' padding): how the HTML pages embed images as data: URIs,
// so a page stays one self-contained file.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leuko {

std::string base64_encode(const void* data, size_t size);
std::string base64_encode(const std::vector<uint8_t>& bytes);

// nullopt for text that is not canonical padded Base64 (a stray character, a wrong length, bits
// after the last byte): a caller checking an embedded image wants to know, not to get half of it.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);

}  // namespace leuko
