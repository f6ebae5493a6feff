// Tests executors/try_tokens.hpp: a token names one try, expires, cannot be
// altered, and its key survives in its file (tries of adopted pods).
#include "executors/try_tokens.hpp"

#include <boost/test/unit_test.hpp>

#include "test/support/temp_home.hpp"

using namespace leoflow::executors;
using leoflow::test::temp_dir;
using clock_type = std::chrono::system_clock;

BOOST_AUTO_TEST_CASE(a_token_names_its_try_until_it_expires) {
  const auto tokens = try_tokens::from_key(std::string(32, 'k'));
  const auto now = clock_type::now();
  const auto token = tokens.issue({42, 3}, now + std::chrono::hours(1));
  const auto id = tokens.verify(token, now);
  BOOST_REQUIRE(id.has_value());
  BOOST_TEST(id->ti_id == 42);
  BOOST_TEST(id->try_number == 3);
  BOOST_TEST(!tokens.verify(token, now + std::chrono::hours(2)).has_value());
}

BOOST_AUTO_TEST_CASE(altered_or_foreign_tokens_are_refused) {
  const auto tokens = try_tokens::from_key(std::string(32, 'k'));
  const auto other = try_tokens::from_key(std::string(32, 'x'));
  const auto token = tokens.issue({42, 1}, clock_type::now() + std::chrono::hours(1));
  auto forged = token;
  forged.replace(0, 2, "43");  // another task instance, same MAC
  BOOST_TEST(!tokens.verify(forged).has_value());
  BOOST_TEST(!other.verify(token).has_value());
  for (const char* junk : {"", ".", "42.1", "a.b.c.d", "42.1.99999999999.zz"}) BOOST_TEST(!tokens.verify(junk).has_value(), junk);
}

BOOST_AUTO_TEST_CASE(the_key_file_is_made_once_and_reused) {
  temp_dir dir;
  const auto file = dir.path() / "dev" / "execution_api.key";
  std::string token;
  {
    try_tokens first(file);
    token = first.issue({7, 1}, clock_type::now() + std::chrono::hours(1));
  }
  const auto others = std::filesystem::perms::group_all | std::filesystem::perms::others_all;
  BOOST_TEST(((std::filesystem::status(file).permissions() & others) == std::filesystem::perms::none));
  try_tokens again(file);  // a restarted server
  BOOST_TEST(again.verify(token).has_value());
}
