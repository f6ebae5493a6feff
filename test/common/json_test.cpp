// Tests common/json.hpp: canonical form and typed accessors.
#include "common/json.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

using namespace leoflow;

BOOST_AUTO_TEST_SUITE(json_suite)

BOOST_AUTO_TEST_CASE(canonical_sorts_keys_recursively) {
  auto a = boost::json::parse(R"({"b": 1, "a": {"y": [3, {"k": 1, "j": 2}], "x": null}})");
  auto b = boost::json::parse(R"({"a": {"x": null, "y": [3, {"j": 2, "k": 1}]}, "b": 1})");
  BOOST_TEST(json::canonical(a) == json::canonical(b));
  BOOST_TEST(json::canonical(a) == R"({"a":{"x":null,"y":[3,{"j":2,"k":1}]},"b":1})");
}

BOOST_AUTO_TEST_CASE(canonical_keeps_array_order_and_values) {
  auto a = boost::json::parse(R"([2, 1, "é", 1.5, true])");
  auto b = boost::json::parse(R"([1, 2, "é", 1.5, true])");
  BOOST_TEST(json::canonical(a) != json::canonical(b));
}

BOOST_AUTO_TEST_CASE(accessors_do_not_throw) {
  auto v = boost::json::parse(R"({"s": "x", "i": 3, "d": 2.5, "b": true, "n": null})").as_object();
  BOOST_TEST(*json::get_string(v, "s") == "x");
  BOOST_TEST(!json::get_string(v, "i"));
  BOOST_TEST(*json::get_int(v, "i") == 3);
  BOOST_TEST(!json::get_int(v, "d"));
  BOOST_TEST(*json::get_number(v, "d") == 2.5);
  BOOST_TEST(*json::get_bool(v, "b") == true);
  BOOST_TEST(!json::get_bool(v, "missing"));
  BOOST_TEST(!json::try_parse("{nope"));
  BOOST_TEST(json::try_parse("[1]").has_value());
}

// Found with the spec_reader fuzz harness ("max_active_runs": 1e20): the
// double was converted to int64 before its range was checked (UBSan).
BOOST_AUTO_TEST_CASE(integers_out_of_int64_range_are_not_integers) {
  auto v = boost::json::parse(R"({"big": 1e20, "small": -1e300, "edge": 9223372036854775807.0,
                                  "low": -9223372036854775808.0, "whole": 4.0, "u": 18446744073709551615})")
               .as_object();
  BOOST_TEST(!json::get_int(v, "big"));
  BOOST_TEST(!json::get_int(v, "small"));
  BOOST_TEST(!json::get_int(v, "edge"));  // rounds to 2^63, one past the largest int64
  BOOST_TEST(*json::get_int(v, "low") == INT64_MIN);
  BOOST_TEST(*json::get_int(v, "whole") == 4);
  BOOST_TEST(!json::get_int(v, "u"));
}

BOOST_AUTO_TEST_SUITE_END()
