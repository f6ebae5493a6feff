// The /execution/ routes: task-instances/{id}/run|state|heartbeat, xcoms,
// variables and connections, each checked against the caller's try token.
#include <charconv>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <soci/soci.h>

#include "common/json.hpp"
#include "common/secret_masker.hpp"
#include "executors/try_endpoint.hpp"
#include "executors/try_tokens.hpp"
#include "schema/config_store.hpp"
#include "schema/database.hpp"
#include "schema/run_store.hpp"
#include "server/execution/execution_api.hpp"

namespace leoflow::execution {

namespace asio = boost::asio;
namespace bj = boost::json;
namespace ex = leoflow::executors;
using http::request;
using http::response;

namespace {

// The caller's try, or the answer that refuses it.
struct caller {
  std::optional<ex::live_try> live;
  std::optional<response> refusal;
};

asio::awaitable<caller> authenticate(const request& req, execution_context& ctx) {
  caller c;
  const auto* auth = req.header("Authorization");
  if (!auth || auth->rfind("Bearer ", 0) != 0) {
    c.refusal = http::error(401, "Not authenticated: send the try's token as Authorization: Bearer <token>");
    co_return c;
  }
  const auto id = ctx.tokens.verify(std::string_view(*auth).substr(7));
  if (!id) {
    c.refusal = http::error(401, "Invalid or expired try token");
    co_return c;
  }
  auto finding = ctx.tries.find(*id);
  c.live = co_await std::move(finding);
  if (!c.live) c.refusal = http::error(409, "This try is no longer running");
  co_return c;
}

std::optional<std::int64_t> number(const std::string& text) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size()) return std::nullopt;
  return v;
}

// The path's task instance must be the caller's own.
std::optional<response> own_instance(const request& req, const ex::live_try& t) {
  const auto id = number(req.param("task_instance_id"));
  if (!id) return http::error(422, "task_instance_id must be a whole number");
  if (*id != t.ti_id) return http::error(403, "A try token only acts on its own task instance");
  return std::nullopt;
}

int map_index_of(const request& req, int fallback) {
  for (const auto& [k, v] : req.query)
    if (k == "map_index")
      if (auto n = number(v)) return static_cast<int>(*n);
  return fallback;
}

bj::value connection_json(const schema::connection_record& c) {
  return bj::object{{"conn_id", c.conn_id},
                    {"conn_type", c.conn_type},
                    {"host", json::nullable(c.host)},
                    {"schema", json::nullable(c.schema_name)},
                    {"login", json::nullable(c.login)},
                    {"password", json::nullable(c.password)},
                    {"port", c.port ? bj::value(*c.port) : bj::value(nullptr)},
                    {"extra", json::nullable(c.extra)}};
}

}  // namespace

void add_execution_routes(http::router& r, execution_context& ctx) {
  r.add("GET", "/execution/health", {.auth = http::access::open}, [](request&) -> asio::awaitable<response> {
    co_return http::json(bj::object{{"status", "healthy"}});
  });

  // The try starts: its task context (connections, variables, upstream XComs).
  r.add("PATCH", "/execution/task-instances/{task_instance_id}/run",
        {.auth = http::access::try_token},
        [&ctx](request& req) -> asio::awaitable<response> {
    auto c = co_await authenticate(req, ctx);
    if (c.refusal) co_return *c.refusal;
    if (auto no = own_instance(req, *c.live)) co_return *no;
    auto asking = ctx.tries.context({c.live->ti_id, c.live->try_number});
    auto context = co_await std::move(asking);
    if (!context)
      co_return http::error(409, "This try's context is no longer available (the server restarted before the try "
                                 "started); the try fails and its retries apply");
    response out;
    out.body = std::move(*context);
    co_return out;
  });

  r.add("PUT", "/execution/task-instances/{task_instance_id}/heartbeat", {.auth = http::access::try_token},
        [&ctx](request& req) -> asio::awaitable<response> {
          auto c = co_await authenticate(req, ctx);
          if (c.refusal) co_return *c.refusal;
          if (auto no = own_instance(req, *c.live)) co_return *no;
          auto beating = ctx.tries.heartbeat({c.live->ti_id, c.live->try_number});
          if (!co_await std::move(beating)) co_return http::error(409, "This try is no longer running: stop");
          co_return http::no_content();
        });

  // The try ended: the runtime's result document (state, XComs, skips...).
  r.add("PATCH", "/execution/task-instances/{task_instance_id}/state",
        {.body = "TIResultDocument", .auth = http::access::try_token},
        [&ctx](request& req) -> asio::awaitable<response> {
          auto c = co_await authenticate(req, ctx);
          if (c.refusal) co_return *c.refusal;
          if (auto no = own_instance(req, *c.live)) co_return *no;
          std::string problem;
          auto reporting = ctx.tries.report({c.live->ti_id, c.live->try_number}, req.body, problem);
          switch (co_await std::move(reporting)) {
            case ex::report_outcome::accepted: co_return http::no_content();
            case ex::report_outcome::already_reported: co_return http::error(409, "This try already reported its state");
            case ex::report_outcome::unknown_try: co_return http::error(409, "This try is no longer running");
            case ex::report_outcome::invalid: co_return http::error(422, problem);
          }
          co_return http::error(500, "unexpected outcome");
        });

  // XComs of the caller's run.
  r.add("GET", "/execution/xcoms/{dag_id}/{run_id}/{task_id}/{key}",
        {.query = http::query_of(http::param::integer("map_index")), .auth = http::access::try_token},
        [&ctx](request& req) -> asio::awaitable<response> {
    auto c = co_await authenticate(req, ctx);
    if (c.refusal) co_return *c.refusal;
    if (req.param("dag_id") != c.live->dag_id || req.param("run_id") != c.live->run_id)
      co_return http::error(403, "A try token reads the XComs of its own run only");
    const std::string dag_id = c.live->dag_id, run_id = c.live->run_id, task_id = req.param("task_id"),
                      key = req.param("key");
    const int map_index = map_index_of(req, -1);
    auto read = [dag_id, run_id, task_id, key, map_index](soci::session& s) -> std::optional<schema::xcom_record> {
      auto run = schema::find_run(s, dag_id, run_id);
      if (!run) return std::nullopt;
      auto found = schema::ti_xcoms(s, run->id, task_id, map_index, key, 1, 0, nullptr);
      if (found.empty()) return std::nullopt;
      return found.front();
    };
    auto x = co_await ctx.db.read(std::move(read));
    if (!x) co_return http::error(404, fmt::format("XCom with key '{}' not found for task '{}'", key, task_id));
    auto value = x->value ? json::try_parse(*x->value) : std::optional<bj::value>();
    co_return http::json(bj::object{{"key", key}, {"value", value ? *value : bj::value(nullptr)}});
  });

  r.add("POST", "/execution/xcoms/{dag_id}/{run_id}/{task_id}/{key}",
        {.query = http::query_of(http::param::integer("map_index")),
         .body = "XComValue", .auth = http::access::try_token},
        [&ctx](request& req) -> asio::awaitable<response> {
    auto c = co_await authenticate(req, ctx);
    if (c.refusal) co_return *c.refusal;
    const int map_index = map_index_of(req, c.live->map_index);
    if (req.param("dag_id") != c.live->dag_id || req.param("run_id") != c.live->run_id ||
        req.param("task_id") != c.live->task_id || map_index != c.live->map_index)
      co_return http::error(403, "A try token writes the XComs of its own task instance only");
    auto value = json::try_parse(req.body);
    if (!value) co_return http::error(422, "The body must be the XCom's value as JSON");
    const std::string dag_id = c.live->dag_id, run_id = c.live->run_id, task_id = c.live->task_id,
                      key = req.param("key"), text = bj::serialize(*value);
    auto write = [dag_id, run_id, task_id, key, text, map_index](soci::session& s) {
      auto run = schema::find_run(s, dag_id, run_id);
      if (!run) return false;
      schema::set_xcom(s, run->id, task_id, map_index, key, text);
      return true;
    };
    if (!co_await ctx.db.write(std::move(write))) co_return http::error(404, "The run is gone");
    co_return http::json(201, bj::object{{"key", key}});
  });

  r.add("GET", "/execution/variables/{variable_key}",
        {.auth = http::access::try_token},
        [&ctx](request& req) -> asio::awaitable<response> {
    auto c = co_await authenticate(req, ctx);
    if (c.refusal) co_return *c.refusal;
    const std::string key = req.param("variable_key");
    auto read = [key](soci::session& s) { return schema::find_variable(s, key); };
    auto v = co_await ctx.db.read(std::move(read));
    if (!v) co_return http::error(404, fmt::format("Variable with key '{}' not found", key));
    co_return http::json(bj::object{{"key", key}, {"value", json::nullable(v->value)}});
  });

  r.add("PUT", "/execution/variables/{variable_key}",
        {.body = "VariablePostBody", .auth = http::access::try_token},
        [&ctx](request& req) -> asio::awaitable<response> {
    auto c = co_await authenticate(req, ctx);
    if (c.refusal) co_return *c.refusal;
    auto body = json::try_parse(req.body);
    const auto* value = body && body->is_object() ? body->as_object().if_contains("value") : nullptr;
    if (!value) co_return http::error(422, "The body must be {\"value\": ...}");
    const std::string key = req.param("variable_key");
    const std::string text = value->is_string() ? std::string(value->get_string()) : bj::serialize(*value);
    auto write = [key, text](soci::session& s) { schema::put_variable(s, key, text, std::nullopt); };
    co_await ctx.db.write(std::move(write));
    if (ctx.secrets) ctx.secrets->changed();
    co_return http::json(201, bj::object{{"key", key}});
  });

  r.add("GET", "/execution/connections/{connection_id}",
        {.auth = http::access::try_token},
        [&ctx](request& req) -> asio::awaitable<response> {
    auto c = co_await authenticate(req, ctx);
    if (c.refusal) co_return *c.refusal;
    const std::string id = req.param("connection_id");
    auto read = [id](soci::session& s) { return schema::find_connection(s, id); };
    auto found = co_await ctx.db.read(std::move(read));
    if (!found) co_return http::error(404, fmt::format("Connection with ID '{}' not found", id));
    co_return http::json(connection_json(*found));
  });
}

}  // namespace leoflow::execution
