// HS256 JSON Web Tokens (RFC 7519) signed with HMAC-SHA-256 through
// libsodium: the only algorithm accepted is HS256 (never "none"), the
// signature is checked in constant time before the payload is read, and
// expiry is enforced.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace leoflow::auth {

struct token_claims {
  std::string subject;  // the user name
  std::string role;     // "admin" or "viewer"
  long long generation = 0;  // the user's password generation when issued
  long long issued_at = 0;   // seconds since the epoch
  long long expires_at = 0;
  std::string token_id;      // random, unique per token (jti)
};

enum class token_error { malformed, unsupported_algorithm, bad_signature, expired, not_yet_valid };

std::string_view describe(token_error e);

// `key` is the 32-byte secret (64 hex digits in the config).
std::string sign_token(const token_claims& claims, std::string_view key);

// Checks the structure, the algorithm, the signature, then the times
// against `now` (a minute of leeway for iat, none for exp).
std::variant<token_claims, token_error> verify_token(std::string_view token, std::string_view key,
                                                     std::chrono::system_clock::time_point now);

// A new token for `subject`, valid for `ttl` from `now`.
token_claims new_claims(std::string subject, std::string role, long long generation,
                        std::chrono::system_clock::time_point now, std::chrono::seconds ttl);

// base64url without padding (RFC 4648 §5).
std::string base64url_encode(std::string_view bytes);
// nullopt for anything that is not canonical base64url without padding.
std::optional<std::string> base64url_decode(std::string_view text);

// HMAC-SHA-256 of `message` under `key`, base64url: for values derived from
// a token (the CSRF token).
std::string hmac_base64url(std::string_view key, std::string_view message);

// Constant-time equality of two strings (lengths may differ).
bool equal_constant_time(std::string_view a, std::string_view b);

// The 32-byte key from the config's 64 hex digits; empty when malformed.
std::string key_from_hex(std::string_view hex);

}  // namespace leoflow::auth
