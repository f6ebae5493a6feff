// Tests server/http/error_response.hpp and the mapping handle() applies: one
// status per errc, Airflow's {"detail"} body, a full disk answered 507 with
// what happened, an internal failure 500 with nothing leaked.
#include "server/http/error_response.hpp"

#include <cstdio>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include "common/console.hpp"
#include "schema/database.hpp"
#include "server/http/exchange.hpp"

using namespace leoflow;

namespace {

// Answers one request whose handler throws `thrown`.
template <typename Failure>
http::response answer_when_thrown(Failure thrown) {
  http::router r;
  r.add("GET", "/x", {}, [thrown](http::request&) -> boost::asio::awaitable<http::response> {
    throw thrown;
    co_return http::no_content();
  });
  std::FILE* sink = std::tmpfile();
  console quiet(console::style::journal, sink, sink);
  http::request req;
  req.method = "GET";
  req.path = "/x";
  boost::asio::io_context io;
  auto done = boost::asio::co_spawn(io, http::handle(req, r, quiet), boost::asio::use_future);
  io.run();
  std::fclose(sink);
  return done.get();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(error_response_suite)

BOOST_AUTO_TEST_CASE(every_code_has_its_status) {
  BOOST_TEST(http::status_of(errc::not_found) == 404);
  BOOST_TEST(http::status_of(errc::conflict) == 409);
  BOOST_TEST(http::status_of(errc::invalid_argument) == 400);
  BOOST_TEST(http::status_of(errc::forbidden) == 403);
  BOOST_TEST(http::status_of(errc::disk_full) == 507);
  BOOST_TEST(http::status_of(errc::unavailable) == 503);
  BOOST_TEST(http::status_of(errc::internal) == 500);
}

BOOST_AUTO_TEST_CASE(a_returned_error_keeps_its_detail) {
  auto res = http::error_response(dag_not_found("etl"));
  BOOST_TEST(res.status == 404);
  BOOST_TEST(res.body == R"({"detail":"The Dag with ID: `etl` was not found"})");
}

BOOST_AUTO_TEST_CASE(the_error_code_belongs_to_the_leoflow_category) {
  auto ec = make_error_code(errc::conflict);
  BOOST_TEST(std::string(ec.category().name()) == "leoflow");
  BOOST_TEST(ec.message() == "conflict");
}

BOOST_AUTO_TEST_CASE(a_full_disk_answers_507_with_what_happened) {
  auto res = answer_when_thrown(schema::disk_full("the disk is full"));
  BOOST_TEST(res.status == 507);
  BOOST_TEST(res.body == R"({"detail":"the disk is full"})");
}

BOOST_AUTO_TEST_CASE(an_internal_failure_leaks_nothing) {
  auto res = answer_when_thrown(schema::query_failed("no such column: secret_value"));
  BOOST_TEST(res.status == 500);
  BOOST_TEST(res.body == R"({"detail":"Internal Server Error"})");
}

BOOST_AUTO_TEST_CASE(not_found_texts_join_keys_as_airflow_does) {
  BOOST_TEST(not_found_text("Variable", {{"key", "k"}}) == "The Variable with key: `k` was not found");
  BOOST_TEST(task_instance_not_found("d", "r", "t", -1).detail ==
             "The Task Instance with dag_id: `d`, run_id: `r`, task_id: `t` and map_index: `-1` was not found");
}

BOOST_AUTO_TEST_SUITE_END()
