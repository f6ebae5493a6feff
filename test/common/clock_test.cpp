// Tests common/clock.hpp: the three text forms and the tolerant parser.
#include "common/clock.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

namespace bdata = boost::unit_test::data;
using namespace leoflow;

BOOST_AUTO_TEST_SUITE(clock_suite)

BOOST_AUTO_TEST_CASE(formats_round_trip) {
  auto t = parse_time("2026-05-23T04:48:14.310347Z");
  BOOST_REQUIRE(t);
  BOOST_TEST(format_store_time(*t) == "2026-05-23T04:48:14.310347Z");
  BOOST_TEST(format_api_time(*t) == "2026-05-23T04:48:14.310347Z");
  BOOST_TEST(format_python_iso(*t) == "2026-05-23T04:48:14.310347+00:00");
  auto whole = parse_time("2025-01-01T00:00:00Z");
  BOOST_REQUIRE(whole);
  BOOST_TEST(format_api_time(*whole) == "2025-01-01T00:00:00Z");
  BOOST_TEST(format_store_time(*whole) == "2025-01-01T00:00:00.000000Z");
  BOOST_TEST(format_python_iso(*whole) == "2025-01-01T00:00:00+00:00");
}

const char* equal_to_utc_noon[] = {
    "2026-01-02T12:00:00Z",         "2026-01-02T12:00:00",       "2026-01-02T12:00:00.000Z",
    "2026-01-02T14:00:00+02:00",    "2026-01-02T07:00:00-05:00", "2026-01-02 12:00:00",
    "2026-01-02T12:00:00.000000+00:00", "2026-01-02T12:00Z",     "2026-01-02T13:30:00+0130",
};

BOOST_DATA_TEST_CASE(offsets_normalise_to_utc, bdata::make(equal_to_utc_noon), text) {
  auto t = parse_time(text);
  BOOST_REQUIRE(t);
  BOOST_TEST(format_api_time(*t) == "2026-01-02T12:00:00Z");
}

const char* malformed[] = {"",           "2026",        "2026-13-01",           "2026-02-30",
                           "2026-01-02X", "2026-01-02T25:00:00Z", "2026-01-02T12:00:00+2",
                           "yesterday",  "2026-01-02T12:00:00.Z", "2026-01-02T12:00:00Zjunk"};

BOOST_DATA_TEST_CASE(malformed_is_refused, bdata::make(malformed), text) {
  BOOST_TEST(!parse_time(text).has_value());
}

BOOST_AUTO_TEST_CASE(store_text_sorts_by_time) {
  auto a = format_store_time(*parse_time("2026-01-02T09:00:00Z"));
  auto b = format_store_time(*parse_time("2026-01-02T10:00:00.5Z"));
  auto c = format_store_time(*parse_time("2026-01-02T10:00:01Z"));
  BOOST_TEST((a < b && b < c));
}

BOOST_AUTO_TEST_SUITE_END()
