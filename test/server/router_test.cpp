// Tests server/http/router.hpp: literal-first matching, decoding of path
// parameters, 404 versus 405, the endpoint table.
#include "server/http/router.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

using namespace leoflow::http;
namespace bdata = boost::unit_test::data;

namespace {

handler named(std::string name) {
  return [name](request&) -> boost::asio::awaitable<response> { co_return error(200, name); };
}

router make_router() {
  router r;
  r.add("GET", "/api/v2/dags", {}, named("list"));
  r.add("GET", "/api/v2/dags/{dag_id}", {}, named("get"));
  r.add("PATCH", "/api/v2/dags/{dag_id}", {}, named("patch"));
  r.add("GET", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}", {}, named("run"));
  r.add("POST", "/api/v2/dags/{dag_id}/dagRuns/list", {}, named("run-list"));
  r.add("GET", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/tries", {}, named("tries"));
  r.add("GET", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}", {}, named("mapped"));
  return r;
}

struct case_t {
  const char* method;
  const char* path;
  int status;
  const char* pattern;
};
std::ostream& operator<<(std::ostream& os, const case_t& c) { return os << c.method << ' ' << c.path; }

const case_t cases[] = {
    {"GET", "/api/v2/dags", 200, "/api/v2/dags"},
    {"GET", "/api/v2/dags/etl", 200, "/api/v2/dags/{dag_id}"},
    {"DELETE", "/api/v2/dags/etl", 405, ""},
    {"GET", "/api/v2/nothing", 404, ""},
    {"POST", "/api/v2/dags/etl/dagRuns/list", 200, "/api/v2/dags/{dag_id}/dagRuns/list"},
    {"GET", "/api/v2/dags/etl/dagRuns/list", 200, "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}"},
    {"GET", "/api/v2/dags/etl/dagRuns/r/taskInstances/t/tries", 200,
     "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/tries"},
    {"GET", "/api/v2/dags/etl/dagRuns/r/taskInstances/t/3", 200,
     "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}"},
    {"GET", "/api/v2/dags/bad%zzescape", 404, ""},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(router_suite)

BOOST_DATA_TEST_CASE(matches_with_literal_precedence, bdata::make(cases), c) {
  auto r = make_router();
  request req;
  req.method = c.method;
  req.path = c.path;
  auto m = r.match(req);
  BOOST_TEST(m.status == c.status);
  if (c.status == 200) BOOST_TEST(m.pattern == c.pattern);
}

BOOST_AUTO_TEST_CASE(decodes_path_parameters) {
  auto r = make_router();
  request req;
  req.method = "GET";
  req.path = "/api/v2/dags/etl/dagRuns/manual__2026-01-02T10%3A00%3A00%2B00%3A00";
  auto m = r.match(req);
  BOOST_REQUIRE(m.status == 200);
  BOOST_TEST(req.param("dag_id") == "etl");
  BOOST_TEST(req.param("dag_run_id") == "manual__2026-01-02T10:00:00+00:00");
}

BOOST_AUTO_TEST_CASE(method_not_allowed_lists_allowed_methods) {
  auto r = make_router();
  request req;
  req.method = "PUT";
  req.path = "/api/v2/dags/etl";
  auto m = r.match(req);
  BOOST_TEST(m.status == 405);
  BOOST_TEST(m.allow == "GET, PATCH");
}

BOOST_AUTO_TEST_CASE(dispatch_answers_errors_with_detail) {
  auto r = make_router();
  boost::asio::io_context io;
  request req;
  req.method = "GET";
  req.path = "/nope";
  auto fut = boost::asio::co_spawn(io, r.dispatch(req), boost::asio::use_future);
  io.run();
  auto res = fut.get();
  BOOST_TEST(res.status == 404);
  BOOST_TEST(res.body == R"({"detail":"Not Found"})");
}

BOOST_AUTO_TEST_CASE(the_table_keeps_each_routes_contract) {
  router r;
  r.add("GET", "/api/v2/dags",
        {.query = query_of(param::paging(), param::text("dag_id_pattern"), param::range("start_date"))}, named("list"));
  r.add("PATCH", "/api/v2/dags/{dag_id}", {.query = query_of(param::update_mask()), .body = "DAGPatchBody"},
        named("patch"));
  r.add("GET", "/api/v2/version", {.auth = access::open}, named("version"));
  const auto table = r.table();
  BOOST_REQUIRE(table.size() == 3u);
  BOOST_TEST(table[0].pattern == "/api/v2/dags");
  std::vector<std::string> names;
  for (const auto& q : table[0].doc.query) names.push_back(q.name + ":" + std::string(to_string(q.type)));
  const std::vector<std::string> expected{"limit:limit", "offset:offset", "dag_id_pattern:text",
                                          "start_date_gte:datetime", "start_date_gt:datetime",
                                          "start_date_lte:datetime", "start_date_lt:datetime"};
  BOOST_TEST(names == expected, boost::test_tools::per_element());
  BOOST_TEST(table[0].doc.body.empty());
  BOOST_TEST(to_string(table[0].doc.auth) == "login");
  BOOST_TEST(table[1].method == "PATCH");
  BOOST_TEST(table[1].doc.body == "DAGPatchBody");
  BOOST_TEST(to_string(table[2].doc.auth) == "open");
}

BOOST_AUTO_TEST_CASE(percent_decoding_refuses_malformed_and_nul) {
  BOOST_TEST(*percent_decode("a%2Fb", false) == "a/b");
  BOOST_TEST(*percent_decode("a+b", true) == "a b");
  BOOST_TEST(*percent_decode("a+b", false) == "a+b");
  BOOST_TEST(!percent_decode("%", false));
  BOOST_TEST(!percent_decode("%4", false));
  BOOST_TEST(!percent_decode("%G1", false));
  BOOST_TEST(!percent_decode("a%00b", false));
}

// Decoded text is echoed into JSON answers ("The Dag with ID: `...` was not
// found"), which must stay UTF-8.
BOOST_AUTO_TEST_CASE(percent_decoding_refuses_what_is_not_utf8) {
  BOOST_TEST(*percent_decode("d%C3%A2g-%E2%9C%93-%F0%9F%98%80", false) == "d\xC3\xA2g-\xE2\x9C\x93-\xF0\x9F\x98\x80");
  BOOST_TEST(!percent_decode("%FF%FE", false));
  BOOST_TEST(!percent_decode("%C3", false));            // cut short
  BOOST_TEST(!percent_decode("%C0%AF", false));         // overlong '/'
  BOOST_TEST(!percent_decode("%ED%A0%80", false));      // a surrogate
  BOOST_TEST(!percent_decode("%F4%90%80%80", false));   // past U+10FFFF
  BOOST_TEST(!percent_decode("\xFF", false));           // raw, not escaped
}

BOOST_AUTO_TEST_SUITE_END()
