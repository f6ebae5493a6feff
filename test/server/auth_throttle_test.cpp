// Tests server/auth/login_throttle.hpp with an explicit clock: free
// attempts, delays that double up to the cap, per-address isolation, reset on
// success, and a bounded table under a flood of addresses.
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

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_throttle)

BOOST_AUTO_TEST_CASE(free_attempts_then_doubling_delays_up_to_the_cap) {
  login_throttle t;
  const auto s = settings(3, 1000ms, 5000ms);
  auto now = t0;
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(!t.retry_after("10.0.0.1", now));
    BOOST_TEST(t.failed("10.0.0.1", s, now).count() == 0);
  }
  std::vector<long long> delays;
  for (int i = 0; i < 5; ++i) {
    BOOST_TEST(!t.retry_after("10.0.0.1", now));
    const auto d = t.failed("10.0.0.1", s, now);
    delays.push_back(d.count());
    // Locked out for exactly that long.
    BOOST_TEST(t.retry_after("10.0.0.1", now).value().count() == d.count());
    BOOST_TEST(t.retry_after("10.0.0.1", now + d - 1ms).has_value());
    now += d;
  }
  BOOST_TEST(delays == (std::vector<long long>{1000, 2000, 4000, 5000, 5000}), boost::test_tools::per_element());
  BOOST_TEST(t.failures("10.0.0.1") == 8);
}

BOOST_AUTO_TEST_CASE(addresses_are_throttled_separately) {
  login_throttle t;
  const auto s = settings(0, 1000ms, 60000ms);
  t.failed("10.0.0.1", s, t0);
  BOOST_TEST(t.retry_after("10.0.0.1", t0).has_value());
  BOOST_TEST(!t.retry_after("10.0.0.2", t0).has_value());
}

BOOST_AUTO_TEST_CASE(success_forgets_the_failures) {
  login_throttle t;
  const auto s = settings(1, 1000ms, 60000ms);
  t.failed("10.0.0.1", s, t0);
  t.failed("10.0.0.1", s, t0);
  t.succeeded("10.0.0.1");
  BOOST_TEST(t.failures("10.0.0.1") == 0);
  BOOST_TEST(!t.retry_after("10.0.0.1", t0));
  BOOST_TEST(t.failed("10.0.0.1", s, t0).count() == 0);  // the free attempt again
}

BOOST_AUTO_TEST_CASE(an_hour_without_failures_starts_afresh) {
  login_throttle t;
  const auto s = settings(1, 1000ms, 60000ms);
  t.failed("10.0.0.1", s, t0);
  BOOST_TEST(t.failed("10.0.0.1", s, t0).count() == 1000);
  BOOST_TEST(t.failed("10.0.0.1", s, t0 + 2h).count() == 0);
}

BOOST_AUTO_TEST_CASE(the_table_stays_bounded) {
  login_throttle t(100);
  const auto s = settings(0, 1000ms, 60000ms);
  for (int i = 0; i < 1000; ++i) t.failed("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256), s, t0 + std::chrono::milliseconds(i));
  int tracked = 0;
  for (int i = 0; i < 1000; ++i)
    tracked += t.failures("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256)) > 0;
  BOOST_TEST(tracked <= 100);
  // The newest survive.
  BOOST_TEST(t.failures("10.1.3.231") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
