// Tests server/auth/login_throttle.hpp with an explicit clock: attempts count
// when admitted (before the hash), free attempts then delays that double up
// to the cap, per-address and per-user keys, in-flight slots per user (unknown
// names share theirs), reset on success, and a bounded table.
#include "server/auth/login_throttle.hpp"

#include <boost/test/unit_test.hpp>

using namespace leoflow::auth;
using namespace std::chrono_literals;

namespace {

throttle_settings settings(int free, std::chrono::milliseconds base, std::chrono::milliseconds cap) {
  throttle_settings s;
  s.free_attempts = free;
  s.base_delay = base;
  s.max_delay = cap;
  return s;
}

const auto t0 = login_throttle::clock::time_point(1000h);

// One whole failed attempt: admitted, checked, wrong.
bool fail(login_throttle& t, const std::string& address, const std::string& user, const throttle_settings& s,
          login_throttle::clock::time_point now) {
  auto d = t.admit(address, user, true, s, now);
  if (d.admitted) t.finished(address, user, true, false);
  return d.admitted;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_throttle)

BOOST_AUTO_TEST_CASE(free_attempts_then_doubling_delays_up_to_the_cap) {
  login_throttle t;
  const auto s = settings(3, 1000ms, 5000ms);
  auto now = t0;
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(fail(t, "10.0.0.1", "admin", s, now));
    BOOST_TEST(t.admit_wait("10.0.0.1", "admin", now).count() == 0);
  }
  std::vector<long long> delays;
  for (int i = 0; i < 5; ++i) {
    BOOST_TEST(fail(t, "10.0.0.1", "admin", s, now));
    const auto d = t.admit_wait("10.0.0.1", "admin", now);
    delays.push_back(d.count());
    // Locked out for exactly that long.
    auto refused = t.admit("10.0.0.1", "admin", true, s, now + d - 1ms);
    BOOST_TEST(!refused.admitted);
    BOOST_TEST(refused.retry_after.count() == 1);
    now += d;
  }
  BOOST_TEST(delays == (std::vector<long long>{1000, 2000, 4000, 5000, 5000}), boost::test_tools::per_element());
  BOOST_TEST(t.address_attempts("10.0.0.1") == 8);
}

BOOST_AUTO_TEST_CASE(concurrent_attempts_each_count_before_any_check_ends) {
  // The race the issue found: 20 guesses at once, none finished yet.
  login_throttle t(10000, 100);
  const auto s = settings(2, 60000ms, 600000ms);
  int admitted = 0;
  for (int i = 0; i < 20; ++i) admitted += t.admit("10.0.0.1", "admin", true, s, t0).admitted;
  // Two free attempts, the third starts the lock-out: three checks, no more.
  BOOST_TEST(admitted == 3);
  BOOST_TEST(t.address_attempts("10.0.0.1") == 3);
}

BOOST_AUTO_TEST_CASE(addresses_are_throttled_separately_and_a_user_after_four_times_as_many) {
  login_throttle t;
  const auto s = settings(1, 1000ms, 60000ms);
  BOOST_TEST(fail(t, "10.0.0.1", "admin", s, t0));
  BOOST_TEST(fail(t, "10.0.0.1", "admin", s, t0));  // starts the address's lock-out
  BOOST_TEST(!t.admit("10.0.0.1", "admin", true, s, t0).admitted);
  // Another address may still try the same user...
  BOOST_TEST(fail(t, "10.0.0.2", "admin", s, t0));
  BOOST_TEST(fail(t, "10.0.0.3", "admin", s, t0));
  // ...until the user's own count (4 x 1 free) runs out: the fifth attempt
  // on "admin" locks the name, whatever the address.
  BOOST_TEST(fail(t, "10.0.0.4", "admin", s, t0));
  BOOST_TEST(!t.admit("10.0.0.5", "admin", true, s, t0).admitted);
  // Other users are not affected.
  BOOST_TEST(t.admit("10.0.0.5", "alice", true, s, t0).admitted);
}

BOOST_AUTO_TEST_CASE(in_flight_checks_are_capped_per_user_and_unknown_names_share_a_cap) {
  login_throttle t(10000, 2);
  const auto s = settings(100, 1000ms, 60000ms);
  BOOST_TEST(t.admit("10.0.0.1", "admin", true, s, t0).admitted);
  BOOST_TEST(t.admit("10.0.0.2", "admin", true, s, t0).admitted);
  auto third = t.admit("10.0.0.3", "admin", true, s, t0);
  BOOST_TEST(!third.admitted);
  BOOST_TEST(third.retry_after.count() == 0);
  // A flood of names that do not exist fills one shared pair of slots...
  BOOST_TEST(t.admit("10.0.1.1", "nobody-1", false, s, t0).admitted);
  BOOST_TEST(t.admit("10.0.1.2", "nobody-2", false, s, t0).admitted);
  BOOST_TEST(!t.admit("10.0.1.3", "nobody-3", false, s, t0).admitted);
  // ...and leaves a real user's sign-in its own.
  BOOST_TEST(t.admit("10.0.2.1", "alice", true, s, t0).admitted);
  t.finished("10.0.0.1", "admin", true, false);
  BOOST_TEST(t.admit("10.0.0.3", "admin", true, s, t0).admitted);
}

BOOST_AUTO_TEST_CASE(success_forgets_the_failures_of_its_address_and_user) {
  login_throttle t;
  const auto s = settings(1, 1000ms, 60000ms);
  fail(t, "10.0.0.1", "admin", s, t0);
  fail(t, "10.0.0.1", "admin", s, t0);
  BOOST_TEST(t.admit_wait("10.0.0.1", "admin", t0).count() == 1000);
  auto d = t.admit("10.0.0.1", "admin", true, s, t0 + 1000ms);
  BOOST_REQUIRE(d.admitted);
  t.finished("10.0.0.1", "admin", true, true);
  BOOST_TEST(t.address_attempts("10.0.0.1") == 0);
  BOOST_TEST(t.user_attempts("admin") == 0);
  BOOST_TEST(fail(t, "10.0.0.1", "admin", s, t0 + 1000ms));  // the free attempt again
  BOOST_TEST(t.admit_wait("10.0.0.1", "admin", t0 + 1000ms).count() == 0);
}

BOOST_AUTO_TEST_CASE(an_hour_without_attempts_starts_afresh) {
  login_throttle t;
  const auto s = settings(1, 1000ms, 60000ms);
  fail(t, "10.0.0.1", "admin", s, t0);
  fail(t, "10.0.0.1", "admin", s, t0);
  BOOST_TEST(t.admit_wait("10.0.0.1", "admin", t0).count() == 1000);
  BOOST_TEST(fail(t, "10.0.0.1", "admin", s, t0 + 2h));
  BOOST_TEST(t.admit_wait("10.0.0.1", "admin", t0 + 2h).count() == 0);
}

BOOST_AUTO_TEST_CASE(the_table_stays_bounded) {
  login_throttle t(100);
  const auto s = settings(0, 1000ms, 60000ms);
  auto address = [](int i) { return "10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256); };
  for (int i = 0; i < 1000; ++i) fail(t, address(i), "u" + std::to_string(i), s, t0 + std::chrono::milliseconds(i));
  int tracked = 0;
  for (int i = 0; i < 1000; ++i) tracked += t.address_attempts(address(i)) > 0;
  BOOST_TEST(tracked <= 50);
  // The newest survive.
  BOOST_TEST(t.address_attempts(address(999)) == 1);
}

BOOST_AUTO_TEST_SUITE_END()
