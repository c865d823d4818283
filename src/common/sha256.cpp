#include "common/sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <unistd.h>
#include <vector>

#include "common/error.h"
#include "common/hex.h"
#include "common/regular_file.h"

namespace leuko {
namespace {

struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  DigestContext() { EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr); }
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
  void update(const void* data, size_t n) { EVP_DigestUpdate(ctx, data, n); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, digest, &len);
    return lowercase_hex(digest, len);
  }
};

}  // namespace

std::string sha256_file(const std::string& path) {
  std::string problem;
  int fd = open_regular_file(path, problem);
  if (fd < 0) throw UserError(path + ": cannot hash: " + problem);
  DigestContext digest;
  std::vector<unsigned char> buffer(1 << 20);
  bool failed = false;
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failed = n < 0;
      break;
    }
    digest.update(buffer.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  if (failed) throw UserError(path + ": read error while hashing");
  return digest.hex();
}

std::string sha256_bytes(const void* data, size_t size) {
  DigestContext digest;
  digest.update(data, size);
  return digest.hex();
}

}  // namespace leuko
