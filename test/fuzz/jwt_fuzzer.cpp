// Fuzzes the JWT verifier. First byte even: the rest is a whole token, which
// must never verify (the fuzzer does not know the key). Odd: the rest is a
// header and payload ("<header JSON>\n<payload JSON>"), signed here with the
// right key, so the claims reader and the time checks are reached too.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "server/auth/jwt.hpp"

namespace {

const std::string key(32, 'k');
const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1774747800));

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  using leoflow::auth::base64url_encode;
  if (data[0] % 2 == 0) {
    auto result = leoflow::auth::verify_token(rest, key, now);
    if (std::holds_alternative<leoflow::auth::token_claims>(result)) __builtin_trap();
    if (auto decoded = leoflow::auth::base64url_decode(rest)) {
      if (base64url_encode(*decoded) != rest) __builtin_trap();  // canonical only
    }
    return 0;
  }
  const auto newline = rest.find('\n');
  const auto header = rest.substr(0, newline);
  const auto payload = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
  const std::string signing_input = base64url_encode(header) + "." + base64url_encode(payload);
  const std::string token = signing_input + "." + leoflow::auth::hmac_base64url(key, signing_input);
  auto result = leoflow::auth::verify_token(token, key, now);
  if (const auto* claims = std::get_if<leoflow::auth::token_claims>(&result)) {
    if (claims->expires_at <= std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count())
      __builtin_trap();  // an expired token was accepted
  }
  return 0;
}
