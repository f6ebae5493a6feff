// HS256 tokens: base64url through libsodium, HMAC-SHA-256 through
// crypto_auth_hmacsha256, claims as JSON through Boost.JSON.
#include "server/auth/jwt.hpp"

#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <sodium.h>

#include "common/hash.hpp"

namespace leoflow::auth {

namespace bj = boost::json;

namespace {

constexpr std::string_view issuer = "leoflow-lite";
constexpr std::size_t max_token_size = 4096;
constexpr long long leeway_seconds = 60;

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string mac(std::string_view key, std::string_view message) {
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes(key), key.size());
  crypto_auth_hmacsha256_update(&state, bytes(message), message.size());
  crypto_auth_hmacsha256_final(&state, out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::optional<bj::object> parse_object(std::string_view json) {
  boost::system::error_code ec;
  auto v = bj::parse(json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::optional<long long> integer_claim(const bj::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end()) return std::nullopt;
  if (it->value().is_int64()) return it->value().as_int64();
  if (it->value().is_uint64() && it->value().as_uint64() < (1ULL << 62))
    return static_cast<long long>(it->value().as_uint64());
  return std::nullopt;
}

std::optional<std::string> string_claim(const bj::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

long long epoch_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string_view describe(token_error e) {
  switch (e) {
    case token_error::malformed: return "malformed token";
    case token_error::unsupported_algorithm: return "token algorithm is not HS256";
    case token_error::bad_signature: return "token signature does not match";
    case token_error::expired: return "token has expired";
    case token_error::not_yet_valid: return "token is not valid yet";
  }
  return "invalid token";
}

std::string base64url_encode(std::string_view data) {
  ensure_sodium();
  const auto variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(data.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes(data), data.size(), variant);
  out.resize(out.size() - 1);  // the encoder's NUL
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  ensure_sodium();
  std::string out(text.size() * 3 / 4 + 3, '\0');
  std::size_t n = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &n, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return std::nullopt;
  out.resize(n);
  // One encoding per value: no stray bits, no alternative spellings.
  if (base64url_encode(out) != text) return std::nullopt;
  return out;
}

std::string hmac_base64url(std::string_view key, std::string_view message) {
  ensure_sodium();
  return base64url_encode(mac(key, message));
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  ensure_sodium();
  // Compare fixed-size digests so that the time does not depend on where the
  // strings differ, nor (beyond hashing) on their lengths.
  unsigned char da[crypto_hash_sha256_BYTES], db[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(da, bytes(a), a.size());
  crypto_hash_sha256(db, bytes(b), b.size());
  return sodium_memcmp(da, db, sizeof da) == 0 && a.size() == b.size();
}

std::string key_from_hex(std::string_view hex) {
  ensure_sodium();
  std::string out(hex.size() / 2, '\0');
  std::size_t n = 0;
  if (hex.size() % 2 != 0 ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(), hex.size(),
                     nullptr, &n, nullptr) != 0 ||
      n != out.size())
    return {};
  return out;
}

token_claims new_claims(std::string subject, std::string role, long long generation,
                        std::chrono::system_clock::time_point now, std::chrono::seconds ttl) {
  token_claims c;
  c.subject = std::move(subject);
  c.role = std::move(role);
  c.generation = generation;
  c.issued_at = epoch_seconds(now);
  c.expires_at = c.issued_at + ttl.count();
  c.token_id = random_hex(16);
  return c;
}

std::string sign_token(const token_claims& c, std::string_view key) {
  ensure_sodium();
  if (key.size() < 32) throw std::invalid_argument("token key shorter than 32 bytes");
  const std::string header = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  bj::object payload{{"sub", c.subject},      {"role", c.role},         {"gen", c.generation},
                     {"iat", c.issued_at},    {"nbf", c.issued_at},     {"exp", c.expires_at},
                     {"jti", c.token_id},     {"iss", issuer},          {"aud", issuer}};
  const std::string input = header + "." + base64url_encode(bj::serialize(payload));
  return input + "." + base64url_encode(mac(key, input));
}

std::variant<token_claims, token_error> verify_token(std::string_view token, std::string_view key,
                                                     std::chrono::system_clock::time_point now) {
  ensure_sodium();
  if (token.empty() || token.size() > max_token_size || key.size() < 32) return token_error::malformed;
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return token_error::malformed;
  const auto header_text = base64url_decode(token.substr(0, first));
  if (!header_text) return token_error::malformed;
  const auto header = parse_object(*header_text);
  if (!header) return token_error::malformed;
  // Only HS256: "none", RS256 with our secret as a "public key" and friends
  // are refused before anything else is looked at.
  if (string_claim(*header, "alg") != std::optional<std::string>("HS256"))
    return token_error::unsupported_algorithm;
  if (auto typ = header->find("typ"); typ != header->end() &&
                                      !(typ->value().is_string() && typ->value().as_string() == "JWT"))
    return token_error::malformed;
  if (header->contains("crit")) return token_error::malformed;

  const auto signature = base64url_decode(token.substr(second + 1));
  if (!signature || signature->size() != crypto_auth_hmacsha256_BYTES) return token_error::bad_signature;
  const std::string_view input = token.substr(0, second);
  const std::string expected = mac(key, input);
  if (sodium_memcmp(expected.data(), signature->data(), expected.size()) != 0)
    return token_error::bad_signature;

  const auto payload_text = base64url_decode(token.substr(first + 1, second - first - 1));
  if (!payload_text) return token_error::malformed;
  const auto payload = parse_object(*payload_text);
  if (!payload) return token_error::malformed;
  token_claims c;
  auto sub = string_claim(*payload, "sub");
  auto role = string_claim(*payload, "role");
  auto jti = string_claim(*payload, "jti");
  auto gen = integer_claim(*payload, "gen");
  auto iat = integer_claim(*payload, "iat");
  auto exp = integer_claim(*payload, "exp");
  if (!sub || sub->empty() || !role || !jti || !gen || !iat || !exp) return token_error::malformed;
  if (string_claim(*payload, "aud") != std::optional<std::string>(std::string(issuer)))
    return token_error::malformed;
  const long long t = epoch_seconds(now);
  if (*exp <= t) return token_error::expired;
  if (*iat > t + leeway_seconds) return token_error::not_yet_valid;
  if (auto nbf = integer_claim(*payload, "nbf"); nbf && *nbf > t + leeway_seconds)
    return token_error::not_yet_valid;
  c.subject = std::move(*sub);
  c.role = std::move(*role);
  c.token_id = std::move(*jti);
  c.generation = *gen;
  c.issued_at = *iat;
  c.expires_at = *exp;
  return c;
}

}  // namespace leoflow::auth
