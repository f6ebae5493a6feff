// Tests server/auth/jwt.hpp and server/auth/password.hpp: HS256 tokens that
// round-trip, and every way a token must be refused (alg none, another
// algorithm, a wrong key, a tampered payload or signature, expiry, junk);
// argon2id hashes that verify only the right password.
#include "server/auth/jwt.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "server/auth/password.hpp"

namespace leoflow::auth {
std::ostream& operator<<(std::ostream& os, token_error e) { return os << describe(e); }
}  // namespace leoflow::auth

using namespace leoflow::auth;
namespace bdata = boost::unit_test::data;
using std::chrono::seconds;
using std::chrono::system_clock;

namespace {

const std::string key = key_from_hex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
const auto t0 = system_clock::time_point(seconds(1'900'000'000));

token_claims sample() { return new_claims("admin", "admin", 3, t0, seconds(3600)); }

std::string part(const std::string& token, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  const auto end = token.find('.', start);
  return token.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

token_error error_of(const std::variant<token_claims, token_error>& v) {
  BOOST_REQUIRE(std::holds_alternative<token_error>(v));
  return std::get<token_error>(v);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_token)

BOOST_AUTO_TEST_CASE(round_trip_keeps_the_claims) {
  const auto c = sample();
  const auto token = sign_token(c, key);
  auto v = verify_token(token, key, t0 + seconds(10));
  BOOST_REQUIRE(std::holds_alternative<token_claims>(v));
  const auto& back = std::get<token_claims>(v);
  BOOST_TEST(back.subject == "admin");
  BOOST_TEST(back.role == "admin");
  BOOST_TEST(back.generation == 3);
  BOOST_TEST(back.issued_at == c.issued_at);
  BOOST_TEST(back.expires_at == c.issued_at + 3600);
  BOOST_TEST(back.token_id == c.token_id);
  // The header says HS256/JWT, as any JWT library expects.
  const auto header = boost::json::parse(*base64url_decode(part(token, 0))).as_object();
  BOOST_TEST(header.at("alg").as_string() == "HS256");
  BOOST_TEST(header.at("typ").as_string() == "JWT");
}

BOOST_AUTO_TEST_CASE(matches_an_independent_hs256) {
  // Computed with Python's hmac module for this key and signing input: the
  // MAC is plain HMAC-SHA-256, base64url without padding, as RFC 7515 says.
  const std::string input = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0";
  BOOST_TEST(hmac_base64url(key, input) == "hAdO0p_64EryXMDVJAoXke-8-qZwh88ry_SJcgvpbeA");
}

BOOST_AUTO_TEST_CASE(expired_tokens_are_refused) {
  const auto token = sign_token(sample(), key);
  BOOST_TEST(std::holds_alternative<token_claims>(verify_token(token, key, t0 + seconds(3599))));
  BOOST_TEST(error_of(verify_token(token, key, t0 + seconds(3600))) == token_error::expired);
  BOOST_TEST(error_of(verify_token(token, key, t0 + seconds(90000))) == token_error::expired);
}

BOOST_AUTO_TEST_CASE(tokens_from_the_future_are_refused) {
  const auto token = sign_token(sample(), key);
  BOOST_TEST(std::holds_alternative<token_claims>(verify_token(token, key, t0 - seconds(30))));
  BOOST_TEST(error_of(verify_token(token, key, t0 - seconds(120))) == token_error::not_yet_valid);
}

BOOST_AUTO_TEST_CASE(alg_none_is_refused) {
  const auto token = sign_token(sample(), key);
  const auto none = base64url_encode(R"({"alg":"none","typ":"JWT"})");
  BOOST_TEST(error_of(verify_token(none + "." + part(token, 1) + ".", key, t0)) ==
             token_error::unsupported_algorithm);
  // Case games and other algorithms too.
  for (const char* alg : {"None", "NONE", "HS512", "RS256", "hs256"}) {
    const auto h = base64url_encode(std::string(R"({"alg":")") + alg + R"(","typ":"JWT"})");
    BOOST_TEST(error_of(verify_token(h + "." + part(token, 1) + "." + part(token, 2), key, t0)) ==
               token_error::unsupported_algorithm);
  }
}

BOOST_AUTO_TEST_CASE(wrong_key_is_refused) {
  const auto token = sign_token(sample(), key);
  std::string other = key;
  other[0] ^= 1;
  BOOST_TEST(error_of(verify_token(token, other, t0)) == token_error::bad_signature);
}

BOOST_AUTO_TEST_CASE(tampered_payload_is_refused) {
  const auto token = sign_token(sample(), key);
  auto payload = boost::json::parse(*base64url_decode(part(token, 1))).as_object();
  payload["role"] = "admin";
  payload["sub"] = "root";
  payload["exp"] = 4'000'000'000LL;
  const auto forged = part(token, 0) + "." + base64url_encode(boost::json::serialize(payload)) + "." + part(token, 2);
  BOOST_TEST(error_of(verify_token(forged, key, t0)) == token_error::bad_signature);
}

BOOST_AUTO_TEST_CASE(tampered_signature_is_refused) {
  const auto token = sign_token(sample(), key);
  auto sig = *base64url_decode(part(token, 2));
  sig[5] ^= 0x40;
  const auto forged = part(token, 0) + "." + part(token, 1) + "." + base64url_encode(sig);
  BOOST_TEST(error_of(verify_token(forged, key, t0)) == token_error::bad_signature);
  // A signature that is a prefix, or empty.
  BOOST_TEST(error_of(verify_token(part(token, 0) + "." + part(token, 1) + ".", key, t0)) ==
             token_error::bad_signature);
}

const char* junk[] = {"", ".", "..", "a.b.c", "a.b", "a.b.c.d", "not a token",
                      "eyJhbGciOiJIUzI1NiJ9..", "e30.e30.e30"};

BOOST_DATA_TEST_CASE(junk_is_refused, bdata::make(junk), text) {
  BOOST_TEST(!std::holds_alternative<token_claims>(verify_token(text, key, t0)));
}

BOOST_AUTO_TEST_CASE(padded_or_non_canonical_base64_is_refused) {
  BOOST_TEST(base64url_decode("YQ").value() == "a");
  BOOST_TEST(!base64url_decode("YQ=="));  // padding
  BOOST_TEST(!base64url_decode("YR"));    // stray bits: another spelling of "a"
  BOOST_TEST(!base64url_decode("Y+"));    // the standard alphabet
  const auto token = sign_token(sample(), key);
  BOOST_TEST(error_of(verify_token(token + "=", key, t0)) == token_error::bad_signature);
}

BOOST_AUTO_TEST_CASE(oversized_tokens_are_refused_before_any_work) {
  BOOST_TEST(error_of(verify_token(std::string(5000, 'a'), key, t0)) == token_error::malformed);
}

BOOST_AUTO_TEST_CASE(constant_time_equality) {
  BOOST_TEST(equal_constant_time("abc", "abc"));
  BOOST_TEST(!equal_constant_time("abc", "abd"));
  BOOST_TEST(!equal_constant_time("abc", "abcd"));
  BOOST_TEST(!equal_constant_time("", "a"));
}

BOOST_AUTO_TEST_CASE(key_from_hex_needs_64_clean_digits) {
  BOOST_TEST(key.size() == 32u);
  BOOST_TEST(key_from_hex("zz").empty());
  BOOST_TEST(key_from_hex("abc").empty());
}

BOOST_AUTO_TEST_CASE(argon2id_hashes_verify_only_the_right_password) {
  const auto hash = hash_password("correct horse battery");
  BOOST_TEST(hash.rfind("$argon2id$", 0) == 0u);
  BOOST_TEST(hash.find("correct") == std::string::npos);
  BOOST_TEST(verify_password(hash, "correct horse battery"));
  BOOST_TEST(!verify_password(hash, "correct horse batterY"));
  BOOST_TEST(!verify_password(hash, ""));
  // Salted: the same password hashes differently.
  BOOST_TEST(hash_password("correct horse battery") != hash);
}

BOOST_AUTO_TEST_CASE(unknown_users_never_verify) {
  // An empty hash stands for "no such user": a dummy hash is checked (same
  // cost), and the answer is always no.
  BOOST_TEST(!verify_password("", "anything"));
  BOOST_TEST(!verify_password("not a hash", "anything"));
}

BOOST_AUTO_TEST_CASE(generated_passwords_are_long_and_differ) {
  const auto a = generate_password();
  const auto b = generate_password();
  BOOST_TEST(a.size() == 24u);
  BOOST_TEST(a != b);
  for (char c : a) BOOST_TEST((std::isalnum(static_cast<unsigned char>(c)) && c != '0' && c != 'O' && c != 'l' && c != '1'));
}

BOOST_AUTO_TEST_SUITE_END()
