// SHA-256 and random bytes via libsodium.
#include "common/hash.hpp"

#include <chrono>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <sodium.h>

namespace leoflow {
namespace {

std::string to_hex(const unsigned char* data, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0xf];
  }
  return out;
}

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return to_hex(out, sizeof out);
}

std::string random_hex(std::size_t n) {
  ensure_sodium();
  std::vector<unsigned char> buf(n);
  randombytes_buf(buf.data(), n);
  return to_hex(buf.data(), n);
}

std::string new_uuid7() {
  std::string h = random_hex(16);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  h.replace(0, 12, fmt::format("{:012x}", static_cast<unsigned long long>(ms) & 0xffffffffffffULL));
  h[12] = '7';
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

}  // namespace leoflow
