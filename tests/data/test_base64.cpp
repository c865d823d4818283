// Base64 as the HTML pages embed images with it: the RFC 4648 test vectors, every byte value
// through a round trip, and text that is not Base64 rejected rather than half-decoded.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/base64.h"

namespace leuko {
namespace {

std::string encode(const std::string& text) { return base64_encode(text.data(), text.size()); }

std::string decode(const std::string& text) {
  auto bytes = base64_decode(text);
  return bytes ? std::string(bytes->begin(), bytes->end()) : "<invalid>";
}

TEST(Base64, MatchesTheRfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(encode(plain), encoded) << plain;
    EXPECT_EQ(decode(encoded), plain) << encoded;
  }
}

TEST(Base64, RoundTripsEveryByteValueAtEveryPaddingLength) {
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<uint8_t>(255 - i));
  for (size_t length : {size_t{254}, size_t{255}, size_t{256}}) {
    std::vector<uint8_t> part(bytes.begin(), bytes.begin() + static_cast<long>(length));
    std::string text = base64_encode(part);
    EXPECT_EQ(text.size() % 4, 0u);
    EXPECT_EQ(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
              std::string::npos);
    EXPECT_EQ(base64_decode(text), part) << length;
  }
}

TEST(Base64, RejectsTextThatIsNotCanonicalBase64) {
  for (const char* bad : {"Zg", "Zg=", "Z===", "Zm9v\n", "Zm 9", "Zm9-", "Zm9_", "=Zm9", "Zg==Zm9v", "Zh==", "Zm9="})
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
}

}  // namespace
}  // namespace leuko
