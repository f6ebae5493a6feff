// Tests common/secret_masker.hpp: Airflow's sensitive names, which values of
// connections, variables and AIRFLOW_CONN_/AIRFLOW_VAR_ variables are
// secret, masking long, short, multi-line, escaped and percent-encoded
// forms, JSON masking, a stream cut that never splits a secret, and the
// registry's snapshots.
#include "common/secret_masker.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

using namespace leoflow;
namespace bj = boost::json;

BOOST_AUTO_TEST_SUITE(secret_masking)

BOOST_AUTO_TEST_CASE(sensitive_names_follow_airflow) {
  for (const char* key : {"password", "DB_PASSWORD", "my_secret", "passwd", "Authorization", "api_key",
                          "STRIPE_APIKEY", "access_token", "private_key", "passphrase", "github_token"})
    BOOST_TEST(is_sensitive_name(key), key);
  for (const char* key : {"host", "login", "user", "bucket", "region", "pass"})
    BOOST_TEST(!is_sensitive_name(key), key);
}

BOOST_AUTO_TEST_CASE(every_occurrence_of_every_form_is_masked) {
  const std::string long_secret(300, 'k');
  secret_masker m({"s3cr3t-pass", "multi\nline-secret\r\nthird-line", "quo\"te\\d-secret", "p@ss w/rd",
                   long_secret, "abcd"});
  BOOST_TEST(m.mask("pw=s3cr3t-pass and again s3cr3t-pass.") == "pw=*** and again ***.");
  BOOST_TEST(m.mask(long_secret + long_secret) == "******");
  // A traceback or a repr shows escapes; a URI percent-encodes.
  BOOST_TEST(m.mask(R"(ValueError: 'quo\"te\\d-secret')") == "ValueError: '***'");
  BOOST_TEST(m.mask("'multi\\nline-secret\\r\\nthird-line'") == "'***'");
  BOOST_TEST(m.mask("postgres://u:p%40ss%20w%2Frd@db/x") == "postgres://u:***@db/x");
  // Each line of a multi-line secret, as a log shows it line by line.
  BOOST_TEST(m.mask("line-secret") == "***");
  BOOST_TEST(m.mask("third-line") == "***");
  // Shorter than Airflow's minimum: left alone (masking it would garble every log).
  BOOST_TEST(m.mask("abcd efgh") == "abcd efgh");
  secret_masker five({"abcde"});
  BOOST_TEST(five.mask("xabcdex") == "x***x");
  BOOST_TEST(secret_masker().mask("nothing") == "nothing");
}

BOOST_AUTO_TEST_CASE(json_values_are_masked_and_sensitive_keys_hidden_whole) {
  secret_masker m({"hunter22"});
  auto v = bj::parse(R"({"bash_command": "echo hunter22", "nested": ["x", {"api_key": {"a": 1, "b": null}}],
                         "token": "abc", "n": 3})");
  BOOST_TEST(bj::serialize(m.mask_json(v)) ==
             R"({"bash_command":"echo ***","nested":["x",{"api_key":{"a":"***","b":null}}],"token":"***","n":3})");
  BOOST_TEST(redact_sensitive_keys(R"({"region": "eu", "secret_key": "abc"})").value_or("") ==
             R"({"region":"eu","secret_key":"***"})");
  BOOST_TEST(!redact_sensitive_keys(R"({"region": "eu"})").has_value());
  BOOST_TEST(!redact_sensitive_keys("not json").has_value());
}

BOOST_AUTO_TEST_CASE(what_is_secret_in_connections_and_variables) {
  secret_sources s;
  s.connections.push_back({"conn-password-1", R"({"region": "eu-west-1", "aws_secret_access_key": "AKIASECRET99",
                                                  "session": {"token": "tok-12345"}})"});
  s.connections.push_back({"", "not json at all"});
  s.variables = {{"db_password", "var-password-1"},
                 {"settings", R"({"api_key": "key-123456", "name": "public-name"})"},
                 {"plain", "public-value"}};
  auto secrets = collect_secrets(s);
  auto has = [&](const std::string& x) { return std::find(secrets.begin(), secrets.end(), x) != secrets.end(); };
  for (const char* x : {"conn-password-1", "AKIASECRET99", "tok-12345", "var-password-1", "key-123456"})
    BOOST_TEST(has(x), x);
  for (const char* x : {"eu-west-1", "public-name", "public-value"}) BOOST_TEST(!has(x), x);
}

BOOST_AUTO_TEST_CASE(the_environment_connections_and_variables_are_secrets_too) {
  auto secrets = environment_secrets({
      "AIRFLOW_CONN_PG=postgresql://user:p%40ss-word9@db.example:5432/app?sslmode=require&api_key=k%2Bey-777",
      R"(AIRFLOW_CONN_HTTP={"conn_type": "http", "password": "json-pass-1", "extra": {"token": "tok-json-2"}})",
      "AIRFLOW_VAR_STRIPE_SECRET=sk_live_value",
      "AIRFLOW_VAR_REGION=eu-west-1",
      "HOME=/root",
  });
  auto has = [&](const std::string& x) { return std::find(secrets.begin(), secrets.end(), x) != secrets.end(); };
  for (const char* x : {"p@ss-word9", "k+ey-777", "json-pass-1", "tok-json-2", "sk_live_value"}) BOOST_TEST(has(x), x);
  for (const char* x : {"eu-west-1", "require", "/root", "user"}) BOOST_TEST(!has(x), x);
}

BOOST_AUTO_TEST_CASE(a_stream_cut_never_splits_a_secret) {
  secret_masker m({"0123456789-secret"});
  // The text ends in the middle of the secret: the cut stops before it.
  auto [masked, used] = m.mask_prefix("log line 0123456789-secret and then 0123456789-sec");
  BOOST_TEST(masked == "log line *** and then ");
  BOOST_TEST(used == std::string("log line 0123456789-secret and then ").size());
  auto [all, all_used] = m.mask_prefix("nothing secret here");
  BOOST_TEST(all == "nothing secret here");
  BOOST_TEST(all_used == 19u);
}

BOOST_AUTO_TEST_CASE(the_registry_hands_out_snapshots) {
  secret_registry r(environment_secrets({"AIRFLOW_VAR_MY_TOKEN=env-token-123"}));
  BOOST_TEST(r.current()->mask("env-token-123") == "***");
  auto before = r.current();
  secret_sources s;
  s.connections.push_back({"store-pass-456", ""});
  r.update(s);
  BOOST_TEST(r.current()->mask("store-pass-456 env-token-123") == "*** ***");
  BOOST_TEST(before->mask("store-pass-456") == "store-pass-456");  // a snapshot does not change
  int refreshed = 0;
  r.on_changed([&] { ++refreshed; });
  r.changed();
  BOOST_TEST(refreshed == 1);
}

BOOST_AUTO_TEST_SUITE_END()
