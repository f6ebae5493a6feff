// /api/v2/dagStats, /eventLogs, /variables and /connections.
#include <charconv>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <soci/soci.h>

#include "common/error.hpp"
#include "common/json.hpp"
#include "common/secret_masker.hpp"
#include "schema/config_store.hpp"
#include "schema/database.hpp"
#include "schema/run_store.hpp"
#include "server/api/api.hpp"
#include "server/api/body_fields.hpp"
#include "server/api/serializers.hpp"
#include "server/http/params.hpp"

namespace leoflow::api {

namespace asio = boost::asio;
using http::request;
using http::response;

namespace {

// A connection from a ConnectionBody.
std::optional<schema::connection_record> read_connection(const bj::object& body, http::validation& v) {
  schema::connection_record c;
  std::optional<std::string> id, type;
  optional_string(body, "connection_id", id, v);
  optional_string(body, "conn_type", type, v);
  optional_string(body, "description", c.description, v);
  optional_string(body, "host", c.host, v);
  optional_string(body, "login", c.login, v);
  optional_string(body, "schema", c.schema_name, v);
  optional_string(body, "password", c.password, v);
  optional_string(body, "extra", c.extra, v);
  std::optional<std::string> team;
  optional_string(body, "team_name", team, v);
  if (team && team->size() > 50)
    v.add("string_too_long", {"body", "team_name"}, "String should have at most 50 characters", bj::string(*team));
  if (const auto* port = body.if_contains("port"); port && !port->is_null()) {
    if (!port->is_int64()) v.add("int_type", {"body", "port"}, "Input should be a valid integer", *port);
    else c.port = port->get_int64();
  }
  for (const auto& [key, value] : body)
    if (key != "connection_id" && key != "conn_type" && key != "description" && key != "host" && key != "login" &&
        key != "schema" && key != "password" && key != "extra" && key != "port" && key != "team_name")
      extra_forbidden(v, key, value);
  if (!id || id->empty()) v.add("missing", {"body", "connection_id"}, "Field required", body);
  if (!type || type->empty()) v.add("missing", {"body", "conn_type"}, "Field required", body);
  if (c.extra && !json::try_parse(*c.extra)) v.add("value_error", {"body", "extra"}, "extra must be a JSON object text", bj::string(*c.extra));
  if (!v.ok()) return std::nullopt;
  c.conn_id = *id;
  c.conn_type = *type;
  return c;
}

bool valid_key(const std::string& key) {
  if (key.empty() || key.size() > 250) return false;
  for (char ch : key)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.')) return false;
  return true;
}

}  // namespace

void add_misc_routes(http::router& r, api_context& ctx) {
  r.add("GET", "/api/v2/dagStats",
        {.query = http::query_of(http::param::of("dag_ids", http::param_type::text_list))},
        [&ctx](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    auto ids = q.list("dag_ids");
    if (auto p = q.problem()) co_return *p;
    auto stats = [ids](soci::session& s) { return schema::run_stats(s, ids); };
    auto all = co_await ctx.db.read(std::move(stats));
    bj::array dags;
    for (const auto& d : all) {
      bj::array states;
      for (const char* state : {"queued", "running", "success", "failed"}) {
        long long n = 0;
        for (const auto& [st, count] : d.counts)
          if (st == state) n = count;
        states.push_back(bj::object{{"state", state}, {"count", n}});
      }
      dags.push_back(bj::object{{"dag_id", d.dag_id}, {"dag_display_name", d.dag_id}, {"stats", std::move(states)}});
    }
    const auto n = static_cast<long long>(dags.size());
    co_return http::json(list_response("dags", std::move(dags), n));
  });

  r.add("GET", "/api/v2/eventLogs",
        {.query = http::query_of(http::param::paging(), http::param::text("dag_id"), http::param::text("task_id"),
                                 http::param::text("run_id"), http::param::text("owner"), http::param::text("event"),
                                 http::param::of("included_events", http::param_type::text_list),
                                 http::param::of("excluded_events", http::param_type::text_list),
                                 http::param::datetime("before"), http::param::datetime("after"),
                                 http::param::order_by())},
        [&ctx](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    const auto limit = q.limit();
    const auto offset = q.offset();
    schema::event_filter f;
    f.dag_id = q.string("dag_id");
    f.task_id = q.string("task_id");
    f.run_id = q.string("run_id");
    f.owner = q.string("owner");
    f.event = q.string("event");
    f.included_events = q.list("included_events");
    f.excluded_events = q.list("excluded_events");
    if (auto t = q.datetime("before")) f.bounds.push_back({"dttm", "<", format_store_time(*t)});
    if (auto t = q.datetime("after")) f.bounds.push_back({"dttm", ">", format_store_time(*t)});
    auto order = q.order_by({"id", "event_log_id", "dttm", "when", "dag_id", "task_id", "run_id", "event", "logical_date", "owner", "extra", "map_index", "try_number"}, "id");
    if (auto p = q.problem()) co_return *p;
    std::vector<std::string> sql_order;
    for (auto o : order) {
      const bool desc = o[0] == '-';
      std::string attr = desc ? o.substr(1) : o;
      if (attr == "event_log_id") attr = "id";
      if (attr == "when") attr = "dttm";
      sql_order.push_back((desc ? "-" : "") + attr);
    }
    auto list = [=](soci::session& s) {
      long long total = 0;
      auto events = schema::list_events(s, f, sql_order, limit, offset, &total);
      return std::make_pair(std::move(events), total);
    };
    auto [events, total] = co_await ctx.db.read(std::move(list));
    bj::array items;
    for (const auto& e : events) items.push_back(event_log_response(e));
    co_return http::json(list_response("event_logs", std::move(items), total));
  });

  r.add("GET", "/api/v2/eventLogs/{event_log_id}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    const auto& text = req.param("event_log_id");
    long long id = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || ptr != text.data() + text.size()) {
      http::validation v;
      v.add("int_parsing", {"path", "event_log_id"}, "Input should be a valid integer, unable to parse string as an integer", bj::string(text));
      co_return v.error_response();
    }
    auto find = [id](soci::session& s) { return schema::find_event(s, id); };
    auto e = co_await ctx.db.read(std::move(find));
    if (!e) co_return http::error(404, fmt::format("The Event Log with id: `{}` not found", id));
    co_return http::json(event_log_response(*e));
  });

  r.add("GET", "/api/v2/variables",
        {.query = http::query_of(http::param::paging(), http::param::text("variable_key_pattern"),
                                 http::param::order_by())},
        [&ctx](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    const auto limit = q.limit();
    const auto offset = q.offset();
    auto pattern = q.string("variable_key_pattern");
    auto order = q.order_by({"id", "key", "description", "is_encrypted"}, "id");
    if (auto p = q.problem()) co_return *p;
    std::vector<std::string> sql_order;
    for (auto o : order) {
      const bool desc = o[0] == '-';
      std::string attr = desc ? o.substr(1) : o;
      if (attr == "key") attr = "var_key";
      if (attr == "is_encrypted") attr = "id";
      sql_order.push_back((desc ? "-" : "") + attr);
    }
    auto list = [=](soci::session& s) {
      long long total = 0;
      auto vars = schema::list_variables(s, pattern, sql_order, limit, offset, &total);
      return std::make_pair(std::move(vars), total);
    };
    auto [vars, total] = co_await ctx.db.read(std::move(list));
    bj::array items;
    for (const auto& v : vars) items.push_back(variable_response(v));
    co_return http::json(list_response("variables", std::move(items), total));
  });

  r.add("GET", "/api/v2/variables/{variable_key}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    const auto key = req.param("variable_key");
    auto find = [key](soci::session& s) { return schema::find_variable(s, key); };
    auto v = co_await ctx.db.read(std::move(find));
    if (!v) co_return http::error(404, not_found_text("Variable", {{"key", key}}));
    co_return http::json(variable_response(*v));
  });

  auto write_variable = [&ctx](request& req, std::optional<std::string> path_key) -> asio::awaitable<response> {
    std::optional<response> problem;
    auto body = http::json_body(req, problem);
    if (!body) co_return *problem;
    http::validation v;
    std::optional<std::string> key, value, description, team;
    if (const auto* k = body->if_contains("key"); k && k->is_null())
      string_type(v, "key", nullptr);
    optional_string(*body, "key", key, v);
    optional_string(*body, "description", description, v);
    optional_string(*body, "team_name", team, v);
    if (team && team->size() > 50)
      v.add("string_too_long", {"body", "team_name"}, "String should have at most 50 characters", bj::string(*team));
    if (const auto* val = body->if_contains("value")) {
      if (val->is_string()) value = std::string(val->get_string());
      else if (!val->is_null()) value = bj::serialize(*val);
    } else {
      v.add("missing", {"body", "value"}, "Field required", *body);
    }
    for (const auto& [k, val] : *body)
      if (k != "key" && k != "value" && k != "description" && k != "team_name")
        extra_forbidden(v, k, val);
    if (path_key && !key) key = path_key;
    if (!key) v.add("missing", {"body", "key"}, "Field required", *body);
    if (!v.ok()) co_return v.error_response();
    if (path_key && *key != *path_key) co_return http::error(400, "Invalid body, key from request body doesn't match uri parameter");
    if (!valid_key(*key)) co_return http::error(400, "A variable key uses letters, digits, '_', '-' and '.' (at most 250)");
    const bool create = !path_key;
    auto put = [=](soci::session& s) -> std::optional<schema::variable_record> {
      const bool exists = schema::find_variable(s, *key).has_value();
      if (create == exists) return std::nullopt;
      schema::put_variable(s, *key, value, description);
      schema::log_event(s, {create ? "variable.create" : "variable.edit", std::nullopt, std::nullopt, std::nullopt, std::nullopt, *key});
      return schema::find_variable(s, *key);
    };
    auto stored = co_await ctx.db.write(std::move(put));
    if (stored && ctx.secrets) ctx.secrets->changed();
    if (!stored)
      co_return create ? http::error(409, fmt::format("The Variable with key: `{}` already exists", *key))
                       : http::error(404, not_found_text("Variable", {{"key", *key}}));
    co_return http::json(create ? 201 : 200, variable_response(*stored));
  };
  r.add("POST", "/api/v2/variables", {.body = "VariableBody"},
        [write_variable](request& req) -> asio::awaitable<response> { co_return co_await write_variable(req, std::nullopt); });
  r.add("PATCH", "/api/v2/variables/{variable_key}",
        {.body = "VariableBody"},
        [write_variable](request& req) -> asio::awaitable<response> {
    co_return co_await write_variable(req, req.param("variable_key"));
  });
  r.add("DELETE", "/api/v2/variables/{variable_key}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    const auto key = req.param("variable_key");
    auto remove = [key](soci::session& s) { return schema::delete_variable(s, key); };
    if (!co_await ctx.db.write(std::move(remove)))
      co_return http::error(404, not_found_text("Variable", {{"key", key}}));
    if (ctx.secrets) ctx.secrets->changed();
    co_return http::no_content();
  });

  r.add("GET", "/api/v2/connections",
        {.query = http::query_of(http::param::paging(), http::param::text("connection_id_pattern"),
                                 http::param::order_by())},
        [&ctx](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    const auto limit = q.limit();
    const auto offset = q.offset();
    auto pattern = q.string("connection_id_pattern");
    auto order = q.order_by({"id", "connection_id", "conn_type", "description", "host", "port"}, "id");
    if (auto p = q.problem()) co_return *p;
    std::vector<std::string> sql_order;
    for (auto o : order) {
      const bool desc = o[0] == '-';
      std::string attr = desc ? o.substr(1) : o;
      if (attr == "connection_id") attr = "conn_id";
      sql_order.push_back((desc ? "-" : "") + attr);
    }
    auto list = [=](soci::session& s) {
      long long total = 0;
      auto conns = schema::list_connections(s, pattern, sql_order, limit, offset, &total);
      return std::make_pair(std::move(conns), total);
    };
    auto [conns, total] = co_await ctx.db.read(std::move(list));
    bj::array items;
    for (const auto& c : conns) items.push_back(connection_response(c));
    co_return http::json(list_response("connections", std::move(items), total));
  });

  r.add("GET", "/api/v2/connections/{connection_id}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    const auto id = req.param("connection_id");
    auto find = [id](soci::session& s) { return schema::find_connection(s, id); };
    auto c = co_await ctx.db.read(std::move(find));
    if (!c) co_return http::error(404, not_found_text("Connection", {{"connection_id", id}}));
    co_return http::json(connection_response(*c));
  });

  auto write_connection = [&ctx](request& req, std::optional<std::string> path_id) -> asio::awaitable<response> {
    std::optional<response> problem;
    auto body = http::json_body(req, problem);
    if (!body) co_return *problem;
    if (path_id && !body->contains("connection_id")) (*body)["connection_id"] = *path_id;
    http::validation v;
    auto c = read_connection(*body, v);
    if (!c) co_return v.error_response();
    if (path_id && c->conn_id != *path_id) co_return http::error(400, "The connection_id in the body does not match the URL");
    if (!valid_key(c->conn_id)) co_return http::error(400, "A connection id uses letters, digits, '_', '-' and '.' (at most 250)");
    const bool create = !path_id;
    auto put = [=](soci::session& s) -> std::optional<schema::connection_record> {
      auto existing = schema::find_connection(s, c->conn_id);
      if (create == existing.has_value()) return std::nullopt;
      auto updated = *c;
      // A PATCH without a password keeps the stored one.
      if (!create && !body->contains("password")) updated.password = existing->password;
      schema::put_connection(s, updated);
      schema::log_event(s, {create ? "connection.create" : "connection.edit", std::nullopt, std::nullopt, std::nullopt, std::nullopt, c->conn_id});
      return schema::find_connection(s, c->conn_id);
    };
    auto stored = co_await ctx.db.write(std::move(put));
    if (stored && ctx.secrets) ctx.secrets->changed();
    if (!stored)
      co_return create ? http::error(409, fmt::format("The connection with connection_id: `{}` already exists", c->conn_id))
                       : http::error(404, not_found_text("Connection", {{"connection_id", c->conn_id}}));
    co_return http::json(create ? 201 : 200, connection_response(*stored));
  };
  r.add("POST", "/api/v2/connections", {.body = "ConnectionBody"},
        [write_connection](request& req) -> asio::awaitable<response> { co_return co_await write_connection(req, std::nullopt); });
  r.add("PATCH", "/api/v2/connections/{connection_id}",
        {.body = "ConnectionBody"},
        [write_connection](request& req) -> asio::awaitable<response> {
    co_return co_await write_connection(req, req.param("connection_id"));
  });
  r.add("DELETE", "/api/v2/connections/{connection_id}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    const auto id = req.param("connection_id");
    auto remove = [id](soci::session& s) { return schema::delete_connection(s, id); };
    if (!co_await ctx.db.write(std::move(remove)))
      co_return http::error(404, not_found_text("Connection", {{"connection_id", id}}));
    if (ctx.secrets) ctx.secrets->changed();
    co_return http::no_content();
  });
}

}  // namespace leoflow::api
