// Issuing and checking try tokens (libsodium's HMAC-SHA-256).
#include "executors/try_tokens.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "common/paths.hpp"

namespace leoflow::executors {

namespace {

std::string to_hex(const unsigned char* p, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

template <typename T>
std::optional<T> number(std::string_view s) {
  T v{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

try_tokens::try_tokens(const std::filesystem::path& key_file) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot start");
  std::ifstream in(key_file, std::ios::binary);
  if (in) {
    std::ostringstream ss;
    ss << in.rdbuf();
    key_ = ss.str();
  }
  if (key_.size() >= crypto_auth_hmacsha256_KEYBYTES) return;
  std::error_code ec;
  create_private_directories(key_file.parent_path(), ec);
  key_.assign(crypto_auth_hmacsha256_KEYBYTES, '\0');
  randombytes_buf(key_.data(), key_.size());
  const auto temporary = key_file.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || ::write(fd, key_.data(), key_.size()) != static_cast<ssize_t>(key_.size()) || ::close(fd) != 0 ||
      ::rename(temporary.c_str(), key_file.c_str()) != 0)
    throw std::runtime_error(fmt::format("cannot write the execution API key {}", key_file.string()));
}

try_tokens try_tokens::from_key(std::string key) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot start");
  if (key.size() < crypto_auth_hmacsha256_KEYBYTES) throw std::runtime_error("a try token key needs 32 bytes");
  try_tokens t;
  t.key_ = std::move(key);
  return t;
}

std::string try_tokens::mac(std::string_view payload) const {
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key_.data()), key_.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
  crypto_auth_hmacsha256_final(&st, out);
  return to_hex(out, sizeof out);
}

std::string try_tokens::issue(try_identity id, std::chrono::system_clock::time_point expires) const {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count();
  const auto payload = fmt::format("{}.{}.{}", id.ti_id, id.try_number, seconds);
  return payload + "." + mac(payload);
}

std::optional<try_identity> try_tokens::verify(std::string_view token, std::chrono::system_clock::time_point now) const {
  const auto last = token.rfind('.');
  if (last == std::string_view::npos) return std::nullopt;
  const auto payload = token.substr(0, last);
  const auto expected = mac(payload);
  const auto given = token.substr(last + 1);
  if (given.size() != expected.size() || sodium_memcmp(given.data(), expected.data(), expected.size()) != 0)
    return std::nullopt;
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto dot = payload.find('.', start);
    parts.push_back(payload.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 3) return std::nullopt;
  auto ti = number<std::int64_t>(parts[0]);
  auto tn = number<int>(parts[1]);
  auto exp = number<long long>(parts[2]);
  if (!ti || !tn || !exp) return std::nullopt;
  if (std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() >= *exp) return std::nullopt;
  return try_identity{*ti, *tn};
}

}  // namespace leoflow::executors
