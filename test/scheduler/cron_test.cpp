// Tests scheduler/cron.hpp and scheduler/timetable.hpp: parsing, next and
// latest ticks, presets, catchup and start/end dates.
#include "scheduler/cron.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "scheduler/timetable.hpp"

using namespace leoflow;
using namespace leoflow::scheduler;
namespace bdata = boost::unit_test::data;

namespace {

timestamp at(const char* text) { return *parse_time(text); }

cron_expression cron(const char* text) {
  std::string error;
  auto c = cron_expression::parse(text, error);
  BOOST_REQUIRE_MESSAGE(c, error);
  return *c;
}

struct next_case {
  const char* expr;
  const char* after;
  const char* expected;
};
std::ostream& operator<<(std::ostream& os, const next_case& c) { return os << c.expr << " after " << c.after; }

const next_case next_cases[] = {
    {"0 6 * * *", "2026-11-28T05:59:59Z", "2026-11-28T06:00:00Z"},
    {"0 6 * * *", "2026-11-28T06:00:00Z", "2026-11-29T06:00:00Z"},
    {"*/15 * * * *", "2026-11-28T10:07:00Z", "2026-11-28T10:15:00Z"},
    {"30 2 * * 1-5", "2026-11-28T00:00:00Z", "2026-11-30T02:30:00Z"},  // Saturday → Monday
    {"0 0 1 * *", "2026-11-28T00:00:00Z", "2026-12-01T00:00:00Z"},
    {"@daily", "2026-12-31T23:00:00Z", "2027-01-01T00:00:00Z"},
    {"@hourly", "2026-11-28T10:00:00Z", "2026-11-28T11:00:00Z"},
    {"@weekly", "2026-11-28T10:00:00Z", "2026-11-29T00:00:00Z"},
    {"@yearly", "2026-11-28T10:00:00Z", "2027-01-01T00:00:00Z"},
    {"0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"},
    {"0 12 * jan,jul sun", "2026-11-28T00:00:00Z", "2027-01-03T12:00:00Z"},
    {"0 0 13 * 5", "2026-11-28T00:00:00Z", "2026-12-04T00:00:00Z"},  // day OR weekday
    {"5-10/5 8 * * *", "2026-11-28T08:06:00Z", "2026-11-28T08:10:00Z"},
    {"0 0 * * 7", "2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z"},  // 7 is Sunday
};

}  // namespace

BOOST_AUTO_TEST_SUITE(cron_suite)

BOOST_DATA_TEST_CASE(next_fire_time, bdata::make(next_cases), c) {
  auto next = cron(c.expr).next_after(at(c.after));
  BOOST_REQUIRE(next);
  BOOST_TEST(format_api_time(*next) == c.expected);
}

BOOST_AUTO_TEST_CASE(latest_at_or_before_includes_the_instant) {
  auto c = cron("0 6 * * *");
  BOOST_TEST(format_api_time(*c.latest_at_or_before(at("2026-11-28T06:00:00Z"))) == "2026-11-28T06:00:00Z");
  BOOST_TEST(format_api_time(*c.latest_at_or_before(at("2026-11-28T05:00:00Z"))) == "2026-11-27T06:00:00Z");
}

const char* invalid[] = {"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *",
                         "* * * 13 *", "* * * * 8", "a * * * *", "*/0 * * * *", "5-1 * * * *", "1,,2 * * * *",
                         "@sometimes"};

BOOST_DATA_TEST_CASE(invalid_expressions_explain_themselves, bdata::make(invalid), text) {
  std::string error;
  BOOST_TEST(!cron_expression::parse(text, error));
  BOOST_TEST(!error.empty());
}

// Found while writing the schedule fuzz harness (test/fuzz), which confirmed
// it: a step near INT_MAX overflowed the loop that sets the field's values
// (signed overflow, reported by UBSan).
BOOST_AUTO_TEST_CASE(a_step_larger_than_the_field_keeps_only_its_start) {
  auto c = cron("1/2147483647 */2147483647 * * *");
  BOOST_TEST(format_api_time(*c.next_after(at("2026-11-28T06:30:00Z"))) == "2026-11-29T00:01:00Z");
  BOOST_TEST(format_api_time(*c.next_after(at("2026-11-29T00:01:00Z"))) == "2026-11-30T00:01:00Z");
}

BOOST_AUTO_TEST_CASE(descriptions) {
  BOOST_TEST(cron("0 6 * * *").describe() == "At 06:00");
  BOOST_TEST(cron("@hourly").describe() == "Every hour");
  BOOST_TEST(cron("15 * * * *").describe() == "At 15 minutes past the hour");
  BOOST_TEST(cron("0 6 * * 1").describe() == "0 6 * * 1");
}

timetable from(const char* spec_json) {
  std::string error;
  auto t = timetable::from_spec(boost::json::parse(spec_json).as_object(), error);
  BOOST_REQUIRE_MESSAGE(error.empty(), error);
  return t;
}

// Found with the schedule fuzz harness (a hand-made input in the spec's
// {"timedelta": seconds} form): an interval that rounds to zero microseconds
// divided by zero in next_tick; one past 2^63 microseconds does not fit.
const char* unusable_intervals[] = {R"({"schedule": {"timedelta": 1e-9}})", R"({"schedule": {"timedelta": 4e-7}})",
                                    R"({"schedule": {"timedelta": 1e300}})"};

BOOST_DATA_TEST_CASE(an_interval_too_small_or_too_large_is_an_error, bdata::make(unusable_intervals), spec) {
  std::string error;
  auto t = timetable::from_spec(boost::json::parse(spec).as_object(), error);
  BOOST_TEST(!error.empty());
  BOOST_TEST(!t.schedules());
  BOOST_TEST(!t.next_tick(std::nullopt, at("2026-11-28T06:00:00Z")));
}

BOOST_AUTO_TEST_CASE(no_catchup_runs_only_the_latest_missed_tick) {
  auto t = from(R"({"schedule": "0 6 * * *", "start_date": "2025-01-01T00:00:00Z", "catchup": false})");
  const auto now = at("2026-11-28T10:00:00Z");
  BOOST_TEST(format_api_time(*t.next_tick(std::nullopt, now)) == "2026-11-28T06:00:00Z");
  // After that run, the next one is tomorrow.
  BOOST_TEST(format_api_time(*t.next_tick(at("2026-11-28T06:00:00Z"), now)) == "2026-11-29T06:00:00Z");
  // A run from long ago skips ahead to the latest due tick.
  BOOST_TEST(format_api_time(*t.next_tick(at("2026-01-01T06:00:00Z"), now)) == "2026-11-28T06:00:00Z");
}

BOOST_AUTO_TEST_CASE(catchup_runs_every_tick_from_start_date) {
  auto t = from(R"({"schedule": "@daily", "start_date": "2026-11-25T00:00:00Z", "catchup": true})");
  const auto now = at("2026-11-28T10:00:00Z");
  BOOST_TEST(format_api_time(*t.next_tick(std::nullopt, now)) == "2026-11-25T00:00:00Z");
  BOOST_TEST(format_api_time(*t.next_tick(at("2026-11-25T00:00:00Z"), now)) == "2026-11-26T00:00:00Z");
}

BOOST_AUTO_TEST_CASE(start_and_end_dates_bound_the_ticks) {
  auto future = from(R"({"schedule": "@daily", "start_date": "2027-03-01T12:00:00Z"})");
  BOOST_TEST(format_api_time(*future.next_tick(std::nullopt, at("2026-11-28T10:00:00Z"))) == "2027-03-02T00:00:00Z");
  auto ended = from(R"({"schedule": "@daily", "start_date": "2026-01-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"})");
  BOOST_TEST(!ended.next_tick(std::nullopt, at("2026-11-28T10:00:00Z")).has_value());
}

BOOST_AUTO_TEST_CASE(intervals_once_and_none) {
  auto hourly = from(R"({"schedule": {"timedelta": 3600}, "start_date": "2026-11-28T00:30:00Z"})");
  BOOST_TEST(format_api_time(*hourly.next_tick(std::nullopt, at("2026-11-28T10:00:00Z"))) == "2026-11-28T09:30:00Z");
  BOOST_TEST(format_api_time(*hourly.next_tick(at("2026-11-28T09:30:00Z"), at("2026-11-28T10:00:00Z"))) ==
             "2026-11-28T10:30:00Z");
  auto once = from(R"({"schedule": "@once", "start_date": "2026-11-01T00:00:00Z"})");
  BOOST_TEST(format_api_time(*once.next_tick(std::nullopt, at("2026-11-28T10:00:00Z"))) == "2026-11-01T00:00:00Z");
  BOOST_TEST(!once.next_tick(at("2026-11-01T00:00:00Z"), at("2026-11-28T10:00:00Z")).has_value());
  auto none = from(R"({"schedule": null})");
  BOOST_TEST(!none.schedules());
  BOOST_TEST(!none.next_tick(std::nullopt, at("2026-11-28T10:00:00Z")).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
