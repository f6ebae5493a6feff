// Tests server/http/response_cache.hpp over a real SQLite store: a kept
// answer is served until a commit (ours or another connection's), ETags and
// 304, answers kept apart per user, what is never kept, the byte bound.
#include "server/http/response_cache.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <fmt/format.h>
#include <soci/soci.h>

#include "schema/database.hpp"
#include "test/support/temp_home.hpp"

using namespace leoflow;
using http::request;
using http::response;
namespace bdata = boost::unit_test::data;

namespace {

constexpr std::string_view user_header = "X-Leoflow-User";

// A store, a cache stamped by its generation, and a handler that answers
// with the number of variables and who asked, counting its calls.
struct store_fixture {
  test::temp_dir dir;
  schema::database db{dir.path() / "lite.db"};
  int calls = 0;
  http::handler count_variables = [this](request& req) -> boost::asio::awaitable<response> {
    ++calls;
    auto counting = db.read([](soci::session& s) {
      int n = 0;
      s << "SELECT COUNT(*) FROM variable", soci::into(n);
      return n;
    });
    const int n = co_await std::move(counting);
    const auto* who = req.header(user_header);
    response res;
    res.body = fmt::format("{{\"total_entries\":{},\"user\":\"{}\"}}", n, who ? *who : "");
    co_return res;
  };
  http::response_cache cache{[this] { return http::cache_stamp{db.generation(), nullptr}; }, 1u << 20,
                             {std::string(user_header)}};

  response get(std::string target, std::string user = "", std::string if_none_match = "") {
    request req;
    req.method = "GET";
    req.target = target;
    req.path = target.substr(0, target.find('?'));
    if (!user.empty()) req.headers[std::string(user_header)] = user;
    if (!if_none_match.empty()) req.headers["If-None-Match"] = if_none_match;
    boost::asio::io_context io;
    auto fut = boost::asio::co_spawn(io, cache.serve(req, count_variables), boost::asio::use_future);
    io.run();
    return fut.get();
  }

  void add_variable(schema::database& through, const std::string& key) {
    through.write_now([&](soci::session& s) { s << "INSERT INTO variable (var_key, val) VALUES (:k, 'v')", soci::use(key); });
  }
};

std::string header(const response& res, std::string_view name) {
  for (const auto& [k, v] : res.headers)
    if (k == name) return v;
  return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(response_cache_suite)

BOOST_FIXTURE_TEST_CASE(serves_the_kept_answer_until_a_commit, store_fixture) {
  auto first = get("/api/v2/variables?limit=10");
  auto second = get("/api/v2/variables?limit=10");
  BOOST_TEST(calls == 1);
  BOOST_TEST(second.body == first.body);
  BOOST_TEST(second.body == R"({"total_entries":0,"user":""})");
  BOOST_TEST(header(second, "ETag") == header(first, "ETag"));

  add_variable(db, "a");
  auto after = get("/api/v2/variables?limit=10");
  BOOST_TEST(calls == 2);
  BOOST_TEST(after.body == R"({"total_entries":1,"user":""})");
  BOOST_TEST(header(after, "ETag") != header(first, "ETag"));
}

// `leoflow lite forget` writes the same file from another process.
BOOST_FIXTURE_TEST_CASE(a_commit_by_another_connection_also_invalidates, store_fixture) {
  get("/api/v2/variables");
  schema::database other(dir.path() / "lite.db", 1);
  add_variable(other, "from-elsewhere");
  auto after = get("/api/v2/variables");
  BOOST_TEST(calls == 2);
  BOOST_TEST(after.body == R"({"total_entries":1,"user":""})");
}

BOOST_FIXTURE_TEST_CASE(a_read_does_not_move_the_generation, store_fixture) {
  const auto before = db.generation();
  db.write_now([](soci::session& s) {
    int n = 0;
    s << "SELECT COUNT(*) FROM variable", soci::into(n);
  });
  BOOST_TEST(db.generation() == before);
  add_variable(db, "b");
  BOOST_TEST(db.generation() != before);
}

BOOST_FIXTURE_TEST_CASE(a_matching_etag_gets_304_without_a_body, store_fixture) {
  auto first = get("/api/v2/variables");
  const auto etag = header(first, "ETag");
  BOOST_REQUIRE(!etag.empty());
  auto again = get("/api/v2/variables", "", "\"other\", " + etag);
  BOOST_TEST(again.status == 304);
  BOOST_TEST(again.body.empty());
  BOOST_TEST(header(again, "ETag") == etag);
  BOOST_TEST(calls == 1);

  // The answer changed: the old tag gets the new body.
  add_variable(db, "c");
  auto changed = get("/api/v2/variables", "", etag);
  BOOST_TEST(changed.status == 200);
  BOOST_TEST(changed.body == R"({"total_entries":1,"user":""})");
}

// An unrelated commit rebuilds the answer, with the same bytes and tag: a
// polling client still gets 304.
BOOST_FIXTURE_TEST_CASE(an_unchanged_answer_keeps_its_etag_across_commits, store_fixture) {
  auto first = get("/api/v2/variables");
  db.write_now([](soci::session& s) { s << "INSERT INTO event_log (dttm, event) VALUES ('2026-01-01', 'x')"; });
  auto again = get("/api/v2/variables", "", header(first, "ETag"));
  BOOST_TEST(calls == 2);
  BOOST_TEST(again.status == 304);
}

BOOST_FIXTURE_TEST_CASE(one_user_never_gets_anothers_answer, store_fixture) {
  auto admin = get("/api/v2/variables", "admin");
  auto viewer = get("/api/v2/variables", "viewer");
  BOOST_TEST(calls == 2);
  BOOST_TEST(admin.body == R"({"total_entries":0,"user":"admin"})");
  BOOST_TEST(viewer.body == R"({"total_entries":0,"user":"viewer"})");
  BOOST_TEST(get("/api/v2/variables", "viewer").body == viewer.body);
  BOOST_TEST(get("/api/v2/variables", "admin").body == admin.body);
  BOOST_TEST(calls == 2);
  // Nor a tag that names it.
  BOOST_TEST(get("/api/v2/variables", "viewer", header(admin, "ETag")).status == 200);
}

const char* never_kept[] = {
    "/api/v2/monitor/health",
    "/api/v2/version",
    "/api/v2/ide/file?path=a/dag.py",
    "/api/v2/auth/login",
    "/api/v2/dags/d/dagRuns/r/taskInstances/t/logs/1",
    "/ui/dashboard",
};

BOOST_DATA_TEST_CASE_F(store_fixture, live_state_is_never_kept, bdata::make(never_kept), target) {
  get(target);
  auto second = get(target);
  BOOST_TEST(calls == 2);
  BOOST_TEST(header(second, "ETag").empty());
  BOOST_TEST(cache.entries() == 0u);
}

BOOST_FIXTURE_TEST_CASE(errors_are_never_kept, store_fixture) {
  count_variables = [this](request&) -> boost::asio::awaitable<response> {
    ++calls;
    co_return http::error(404, "missing");
  };
  get("/api/v2/dags/nope");
  auto second = get("/api/v2/dags/nope");
  BOOST_TEST(calls == 2);
  BOOST_TEST(second.status == 404);
}

BOOST_FIXTURE_TEST_CASE(memory_stays_within_its_bound, store_fixture) {
  for (int i = 0; i < 5000; ++i) get(fmt::format("/api/v2/variables?offset={}", i));
  BOOST_TEST(cache.size_bytes() <= std::size_t{1} << 20);
  BOOST_TEST(cache.entries() < 5000u);
  // The most recent answers are the ones kept.
  const int before = calls;
  get("/api/v2/variables?offset=4999");
  BOOST_TEST(calls == before);
}

struct etag_case {
  const char* header;
  bool matches;
};
std::ostream& operator<<(std::ostream& os, const etag_case& c) { return os << c.header; }

const etag_case etag_cases[] = {
    {"\"abc\"", true},      {"W/\"abc\"", true}, {"\"x\", \"abc\"", true}, {"*", true},
    {"\"abcd\"", false},    {"abc", false},      {"", false},              {"\"x\",,\"y\"", false},
};

BOOST_DATA_TEST_CASE(if_none_match_lists, bdata::make(etag_cases), c) {
  BOOST_TEST(http::etag_matches(c.header, "\"abc\"") == c.matches);
}

BOOST_AUTO_TEST_SUITE_END()
