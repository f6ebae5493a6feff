// Tests server/auth/auth_config.hpp: a written config reads back the same,
// is mode 0600, keeps keys it does not manage, and every malformed value is
// refused with its key named.
#include "server/auth/auth_config.hpp"

#include <sys/stat.h>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "test/support/temp_home.hpp"

using namespace leoflow::auth;
namespace bdata = boost::unit_test::data;
namespace lt = leoflow::test;

namespace {

auth_config sample() {
  auth_config c;
  c.workspace = "/srv/dags";
  c.secret_key = new_secret_key();
  c.token_ttl = std::chrono::seconds(600);
  c.users["admin"] = {role::admin, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA", 4};
  c.users["ops"] = {role::viewer, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$b3RoZXI", 1};
  c.throttle.free_attempts = 2;
  c.throttle.base_delay = std::chrono::milliseconds(250);
  c.throttle.max_delay = std::chrono::milliseconds(10000);
  return c;
}

std::string problem_of(const std::filesystem::path& file) {
  auto r = read_auth_config(file);
  BOOST_REQUIRE(std::holds_alternative<config_problem>(r));
  return std::get<config_problem>(r).message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_config_suite)

BOOST_AUTO_TEST_CASE(round_trip_with_mode_0600) {
  lt::temp_dir home;
  const auto file = home.path() / "config.yaml";
  const auto s = sample();
  write_auth_config(file, s);
  struct stat st {};
  BOOST_REQUIRE(::stat(file.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  auto r = read_auth_config(file);
  BOOST_REQUIRE(std::holds_alternative<std::optional<auth_config>>(r));
  const auto& c = *std::get<std::optional<auth_config>>(r);
  BOOST_TEST(*c.workspace == "/srv/dags");
  BOOST_TEST(c.secret_key == s.secret_key);
  BOOST_TEST(c.token_ttl.count() == 600);
  BOOST_TEST(c.users.size() == 2u);
  BOOST_TEST(c.users.at("admin").password_hash == s.users.at("admin").password_hash);
  BOOST_TEST(c.users.at("admin").generation == 4);
  BOOST_TEST((c.users.at("ops").user_role == role::viewer));
  BOOST_TEST(c.throttle.free_attempts == 2);
  BOOST_TEST(c.throttle.base_delay.count() == 250);
  BOOST_TEST(c.throttle.max_delay.count() == 10000);
  BOOST_TEST(c.has_admin());
  BOOST_TEST(*c.sole_admin() == "admin");
}

BOOST_AUTO_TEST_CASE(no_file_means_no_auth) {
  lt::temp_dir home;
  auto r = read_auth_config(home.path() / "config.yaml");
  BOOST_REQUIRE(std::holds_alternative<std::optional<auth_config>>(r));
  BOOST_TEST(!std::get<std::optional<auth_config>>(r).has_value());
}

BOOST_AUTO_TEST_CASE(unknown_top_level_keys_survive_a_rewrite) {
  lt::temp_dir home;
  const auto file = home.path() / "config.yaml";
  lt::write_file(file, "editor:\n  theme: dark\n");
  write_auth_config(file, sample());
  const auto text = lt::read_file(file);
  BOOST_TEST(text.find("theme: dark") != std::string::npos);
  BOOST_TEST(text.find("0600") != std::string::npos);  // the header says to keep it private
}

BOOST_AUTO_TEST_CASE(a_rewrite_replaces_the_file_atomically) {
  lt::temp_dir home;
  const auto file = home.path() / "config.yaml";
  write_auth_config(file, sample());
  struct stat before {};
  ::stat(file.c_str(), &before);
  auto c = sample();
  c.users["admin"].generation = 5;
  write_auth_config(file, c);
  struct stat after {};
  ::stat(file.c_str(), &after);
  BOOST_TEST(before.st_ino != after.st_ino);  // renamed into place, never rewritten in place
  int leftovers = 0;
  for (const auto& e : std::filesystem::directory_iterator(home.path())) leftovers += e.path() != file;
  BOOST_TEST(leftovers == 0);
}

struct bad_case {
  const char* yaml;
  const char* key;
};
std::ostream& operator<<(std::ostream& os, const bad_case& c) { return os << c.key; }

const std::string secret = "secret_key: " + std::string(64, 'a') + "\n";
const bad_case bad[] = {
    {"auth:\n  token_tll: 5\n", "auth.token_tll"},
    {"auth:\n  secret_key: abc\n", "auth.secret_key"},
    {"auth:\n  token_ttl: soon\n", "auth.token_ttl"},
    {"auth:\n  token_ttl: 0\n", "auth.token_ttl"},
    {"auth:\n  users:\n    admin:\n      role: root\n      password_hash: $argon2id$x\n", "auth.users.admin.role"},
    {"auth:\n  users:\n    admin:\n      role: admin\n", "auth.users.admin.password_hash"},
    {"auth:\n  users:\n    admin:\n      password_hash: plain\n", "auth.users.admin.password_hash"},
    {"auth:\n  users:\n    'bad name':\n      password_hash: $argon2id$x\n", "auth.users.bad name"},
    {"auth:\n  users:\n    admin:\n      password_hash: $argon2id$x\n", "auth.secret_key"},
    {"auth:\n  login_throttle:\n    base_delay: -1\n", "auth.login_throttle.base_delay"},
    {"auth:\n  login_throttle:\n    base_delay: 5\n    max_delay: 1\n", "auth.login_throttle.max_delay"},
    {"auth: [1, 2]\n", "auth"},
    {"- just\n- a list\n", "(top level)"},
    {"auth:\n  users: {admin: {password_hash: '$argon2id$x', generation: 0}}\n  secret_key: " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
     "auth.users.admin.generation"},
};

BOOST_DATA_TEST_CASE(malformed_values_name_their_key, bdata::make(bad), c) {
  lt::temp_dir home;
  const auto file = home.path() / "config.yaml";
  lt::write_file(file, c.yaml);
  const auto message = problem_of(file);
  BOOST_TEST(message.find(std::string(c.key) + ":") != std::string::npos, message);
  BOOST_TEST(message.find(file.string()) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(broken_yaml_is_reported_not_thrown) {
  lt::temp_dir home;
  const auto file = home.path() / "config.yaml";
  lt::write_file(file, "auth: {users: [\n");
  BOOST_TEST(!problem_of(file).empty());
}

BOOST_AUTO_TEST_SUITE_END()
