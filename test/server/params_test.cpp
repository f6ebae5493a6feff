// Tests server/http/params.hpp: Airflow's 422 shape, bounds, booleans,
// order_by whitelists.
#include "server/http/params.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

using namespace leoflow::http;

namespace {

request with_query(std::vector<std::pair<std::string, std::string>> q) {
  request r;
  r.method = "GET";
  r.path = "/x";
  r.query = std::move(q);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(params_suite)

BOOST_AUTO_TEST_CASE(defaults_when_absent) {
  auto req = with_query({});
  query_params q(req);
  BOOST_TEST(q.limit() == 50);
  BOOST_TEST(q.offset() == 0);
  BOOST_TEST(!q.problem());
}

BOOST_AUTO_TEST_CASE(bad_integer_is_a_422_in_airflows_shape) {
  auto req = with_query({{"limit", "ten"}, {"offset", "-1"}});
  query_params q(req);
  q.limit();
  q.offset();
  auto p = q.problem();
  BOOST_REQUIRE(p);
  BOOST_TEST(p->status == 422);
  auto body = boost::json::parse(p->body).as_object();
  auto& detail = body.at("detail").as_array();
  BOOST_REQUIRE(detail.size() == 2u);
  BOOST_TEST(detail[0].at("type").as_string() == "int_parsing");
  BOOST_TEST(detail[0].at("loc").as_array()[1].as_string() == "limit");
  BOOST_TEST(detail[0].at("input").as_string() == "ten");
  BOOST_TEST(detail[1].at("type").as_string() == "greater_than_equal");
}

BOOST_AUTO_TEST_CASE(booleans_accept_pydantic_spellings) {
  auto req = with_query({{"a", "true"}, {"b", "0"}, {"c", "maybe"}});
  query_params q(req);
  BOOST_TEST(*q.boolean("a") == true);
  BOOST_TEST(*q.boolean("b") == false);
  BOOST_TEST(!q.boolean("c"));
  BOOST_TEST(q.problem()->status == 422);
}

BOOST_AUTO_TEST_CASE(order_by_whitelist) {
  auto req = with_query({{"order_by", "-dag_id,next_dagrun"}});
  query_params q(req);
  auto order = q.order_by({"dag_id", "next_dagrun"}, "dag_id");
  BOOST_TEST((order == std::vector<std::string>{"-dag_id", "next_dagrun"}));
  BOOST_TEST(!q.problem());

  auto bad = with_query({{"order_by", "dag_id; DROP TABLE dag"}});
  query_params qb(bad);
  qb.order_by({"dag_id"}, "dag_id");
  BOOST_TEST(qb.problem()->status == 400);
}

BOOST_AUTO_TEST_CASE(json_body_errors) {
  request r;
  r.body = "{not json";
  std::optional<response> problem;
  BOOST_TEST(!json_body(r, problem));
  BOOST_TEST(problem->status == 422);
  r.body = "[1,2]";
  problem.reset();
  BOOST_TEST(!json_body(r, problem));
  BOOST_TEST(problem->status == 422);
  r.body = R"({"is_paused": true})";
  problem.reset();
  BOOST_TEST(json_body(r, problem).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
