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

BOOST_AUTO_TEST_SUITE_END()
