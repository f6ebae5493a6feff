// /api/v2/dags, /dags/{dag_id} (+details, tasks, dagVersions), /dagSources,
// /dagTags, /dagWarnings, /parseDagFile.
#include <algorithm>
#include <charconv>
#include <map>
#include <variant>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <soci/soci.h>

#include "common/json.hpp"
#include "schema/database.hpp"
#include "schema/dag_store.hpp"
#include "schema/query.hpp"
#include "common/paths.hpp"
#include "server/api/api.hpp"
#include "server/api/body_fields.hpp"
#include "server/api/serializers.hpp"
#include "server/http/error_response.hpp"
#include "server/http/params.hpp"
#include "services/dag_service.hpp"

namespace leoflow::api {

namespace asio = boost::asio;
using http::request;
using http::response;

namespace {

// The filters shared by GET and PATCH /dags.
schema::dag_filter read_dag_filter(http::query_params& q) {
  schema::dag_filter f;
  if (auto p = q.string("dag_id_pattern")) f.dag_id_patterns = schema::like_patterns(*p);
  if (auto p = q.string("dag_display_name_pattern")) {
    auto more = schema::like_patterns(*p);
    f.dag_id_patterns.insert(f.dag_id_patterns.end(), more.begin(), more.end());
  }
  f.tags = q.list("tags");
  f.tags_match_all = q.choice("tags_match_mode", {"any", "all"}).value_or("any") == "all";
  f.owners = q.list("owners");
  f.paused = q.boolean("paused");
  f.exclude_stale = q.boolean("exclude_stale", true);
  f.has_import_errors = q.boolean("has_import_errors");
  f.bundle_name = q.string("bundle_name");
  return f;
}

std::optional<bj::object> parse_spec(const std::string& text) {
  auto v = json::try_parse(text);
  if (!v || !v->is_object()) return std::nullopt;
  return std::move(v->as_object());
}

// Downstream ids of every task, from the upstream lists of the others.
std::map<std::string, std::vector<std::string>> downstream_map(const bj::array& tasks) {
  std::map<std::string, std::vector<std::string>> down;
  for (const auto& t : tasks) {
    const auto& task = t.as_object();
    const std::string id(task.at("task_id").as_string());
    down.try_emplace(id);
    if (const auto* up = json::get_array(task, "upstream"))
      for (const auto& u : *up) down[std::string(u.as_string())].push_back(id);
  }
  for (auto& [id, list] : down) std::sort(list.begin(), list.end());
  return down;
}

response not_found_dag(const std::string& dag_id) { return http::error_response(dag_not_found(dag_id)); }

struct dag_with_spec {
  std::optional<schema::dag_record> dag;
  std::optional<schema::dag_version_record> version;
  long long active_runs = 0;
};

asio::awaitable<dag_with_spec> load_dag_with_spec(api_context& ctx, const std::string& dag_id,
                                                  std::optional<int> version_number = {}) {
  auto load = [dag_id, version_number](soci::session& s) {
    dag_with_spec out;
    out.dag = schema::find_dag(s, dag_id);
    if (out.dag) {
      out.version = schema::find_version(s, dag_id, version_number, true);
      out.active_runs = schema::count_runs(s, dag_id, {"queued", "running"});
    }
    return out;
  };
  co_return co_await ctx.db.read(std::move(load));
}

// The query parameters read_dag_filter() reads, for GET and PATCH /dags.
http::query_list dag_filter_params() {
  using namespace http::param;
  return http::query_of(text("dag_id_pattern"), text("dag_display_name_pattern"),
                        of("tags", http::param_type::text_list), of("tags_match_mode", http::param_type::choice),
                        of("owners", http::param_type::text_list), boolean("paused"), boolean("exclude_stale"),
                        boolean("has_import_errors"), text("bundle_name"));
}

}  // namespace

void add_dag_routes(http::router& r, api_context& ctx) {
  r.add("GET", "/api/v2/dags",
        {.query = http::query_of(http::param::paging(), dag_filter_params(),
                                 http::param::of("last_dag_run_state", http::param_type::choice),
                                 http::param::order_by())},
        [&ctx](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    const auto limit = q.limit();
    const auto offset = q.offset();
    auto filter = read_dag_filter(q);
    filter.last_run_state = q.choice("last_dag_run_state", {"queued", "running", "success", "failed"});
    auto order = q.order_by({"dag_id", "dag_display_name", "next_dagrun", "state", "start_date",
                             "last_run_state", "last_run_start_date"},
                            "dag_id");
    if (auto p = q.problem()) co_return *p;
    services::dag_service dags(services_of(ctx));
    auto listed = co_await dags.list(std::move(filter), std::move(order), limit, offset);
    co_return http::json(list_response("dags", listed.items, listed.total_entries, dag_response));
  });

  r.add("PATCH", "/api/v2/dags",
        {.query = http::query_of(http::param::paging(), dag_filter_params()), .body = "DAGPatchBody"},
        [&ctx](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    const auto limit = q.limit();
    const auto offset = q.offset();
    auto filter = read_dag_filter(q);
    if (auto p = q.problem()) co_return *p;
    std::optional<response> problem;
    auto body = http::json_body(req, problem);
    if (!body) co_return *problem;
    auto paused = json::get_bool(*body, "is_paused");
    if (!paused || body->size() != 1) {
      http::validation v;
      v.add("missing", {"body", "is_paused"}, "Field required (is_paused, a boolean)", *body);
      co_return v.error_response();
    }
    if (filter.dag_id_patterns.empty())
      co_return http::error(400, "Only when the dag_id_pattern is provided the PATCH can be applied");
    services::dag_service dags(services_of(ctx));
    auto changed = co_await dags.set_paused_matching(std::move(filter), *paused, limit, offset);
    co_return http::json(list_response("dags", changed.items, changed.total_entries, dag_response));
  });

  r.add("GET", "/api/v2/dags/{dag_id}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    auto find = [dag_id](soci::session& s) { return schema::find_dag(s, dag_id); };
    auto dag = co_await ctx.db.read(std::move(find));
    if (!dag) co_return not_found_dag(dag_id);
    co_return http::json(dag_response(*dag));
  });

  r.add("PATCH", "/api/v2/dags/{dag_id}",
        {.query = http::query_of(http::param::update_mask()), .body = "DAGPatchBody"},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    std::optional<response> problem;
    auto body = http::json_body(req, problem);
    if (!body) co_return *problem;
    http::query_params q(req);
    auto mask = q.list("update_mask");
    for (const auto& m : mask)
      if (m != "is_paused") co_return http::error(400, fmt::format("Invalid field `{}` in update mask", m));
    auto paused = json::get_bool(*body, "is_paused");
    for (const auto& [key, value] : *body) {
      if (key != "is_paused") {
        http::validation v;
        extra_forbidden(v, key, value);
        co_return v.error_response();
      }
    }
    if (!paused) {
      http::validation v;
      v.add(body->contains("is_paused") ? "bool_type" : "missing", {"body", "is_paused"},
            body->contains("is_paused") ? "Input should be a valid boolean" : "Field required",
            body->contains("is_paused") ? body->at("is_paused") : bj::value(*body));
      co_return v.error_response();
    }
    services::dag_service dags(services_of(ctx));
    auto dag = co_await dags.set_paused(dag_id, *paused);
    if (!dag) co_return http::error_response(dag.error());
    co_return http::json(dag_response(*dag));
  });

  r.add("DELETE", "/api/v2/dags/{dag_id}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    services::dag_service dags(services_of(ctx));
    auto removed = co_await dags.remove(req.param("dag_id"));
    if (!removed) co_return http::error_response(removed.error());
    co_return http::json(bj::object{});
  });

  r.add("GET", "/api/v2/dags/{dag_id}/details", {}, [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    auto loaded = co_await load_dag_with_spec(ctx, dag_id);
    if (!loaded.dag) co_return not_found_dag(dag_id);
    bj::object spec;
    if (loaded.version)
      if (auto parsed = parse_spec(loaded.version->spec)) spec = std::move(*parsed);
    co_return http::json(dag_details_response(*loaded.dag, spec, loaded.version, loaded.active_runs));
  });

  auto tasks_of = [&ctx](const std::string& dag_id)
      -> asio::awaitable<std::variant<response, std::pair<bj::object, bj::array>>> {
    auto loaded = co_await load_dag_with_spec(ctx, dag_id);
    if (!loaded.dag || !loaded.version) co_return not_found_dag(dag_id);
    auto spec = parse_spec(loaded.version->spec);
    if (!spec) co_return http::error(500, "The stored DAG spec is unreadable");
    const auto* tasks = json::get_array(*spec, "tasks");
    bj::array list = tasks ? *tasks : bj::array{};
    co_return std::make_pair(std::move(*spec), std::move(list));
  };

  r.add("GET", "/api/v2/dags/{dag_id}/tasks",
        {.query = http::query_of(http::param::order_by())},
        [&ctx, tasks_of](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    auto order = q.string("order_by").value_or("task_id");
    const bool desc = !order.empty() && order[0] == '-';
    const std::string attr = desc ? order.substr(1) : order;
    if (auto p = q.problem()) co_return *p;
    auto loaded = co_await tasks_of(req.param("dag_id"));
    if (auto* err = std::get_if<response>(&loaded)) co_return *err;
    auto& [spec, tasks] = std::get<1>(loaded);
    auto down = downstream_map(tasks);
    std::vector<bj::object> items;
    for (const auto& t : tasks) {
      const auto& task = t.as_object();
      items.push_back(task_response(task, spec, down[std::string(task.at("task_id").as_string())]));
    }
    const bool known = !items.empty() && items.front().contains(attr);
    if (!items.empty() && !known)
      co_return http::error(400, fmt::format("Ordering with '{}' is disallowed or the attribute does "
                                             "not exist on the model",
                                             attr));
    std::stable_sort(items.begin(), items.end(), [&](const bj::object& a, const bj::object& b) {
      const auto ka = bj::serialize(a.at(attr)), kb = bj::serialize(b.at(attr));
      return desc ? kb < ka : ka < kb;
    });
    bj::array out;
    for (auto& i : items) out.push_back(std::move(i));
    co_return http::json(list_response("tasks", std::move(out)));
  });

  r.add("GET", "/api/v2/dags/{dag_id}/tasks/{task_id}", {},
        [&ctx, tasks_of](request& req) -> asio::awaitable<response> {
          const auto dag_id = req.param("dag_id");
          const auto task_id = req.param("task_id");
          auto loaded = co_await tasks_of(dag_id);
          if (auto* err = std::get_if<response>(&loaded)) co_return *err;
          auto& [spec, tasks] = std::get<1>(loaded);
          auto down = downstream_map(tasks);
          for (const auto& t : tasks) {
            const auto& task = t.as_object();
            if (task.at("task_id").as_string() == task_id)
              co_return http::json(task_response(task, spec, down[task_id]));
          }
          co_return http::error(404, fmt::format("Task with id {} not found", task_id));
        });

  r.add("GET", "/api/v2/dags/{dag_id}/dagVersions",
        {.query = http::query_of(http::param::paging(), http::param::integer("version_number"),
                                 http::param::text("bundle_name"), http::param::order_by())},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    http::query_params q(req);
    const auto limit = q.limit();
    const auto offset = q.offset();
    auto version_number = q.optional_integer("version_number");
    auto bundle = q.string("bundle_name");
    auto order = q.order_by({"id", "version_number", "bundle_name", "bundle_version"}, "id");
    if (auto p = q.problem()) co_return *p;
    std::string column = "id";
    bool desc = false;
    if (!order.empty()) {
      desc = order.front()[0] == '-';
      column = desc ? order.front().substr(1) : order.front();
      if (column == "bundle_version") column = "id";
    }
    auto list = [=](soci::session& s) {
      long long total = 0;
      std::optional<int> n;
      if (version_number) n = static_cast<int>(*version_number);
      const bool exists = schema::find_dag(s, dag_id).has_value();
      auto versions = schema::list_versions(s, dag_id, n, desc, column, limit, offset, &total);
      if (bundle) {
        std::erase_if(versions, [&](const auto& v) { return v.bundle_name != *bundle; });
        total = static_cast<long long>(versions.size());
      }
      return std::make_tuple(exists, std::move(versions), total);
    };
    auto [exists, versions, total] = co_await ctx.db.read(std::move(list));
    if (!exists) co_return not_found_dag(dag_id);
    co_return http::json(list_response("dag_versions", versions, total, dag_version_response));
  });

  r.add("GET", "/api/v2/dags/{dag_id}/dagVersions/{version_number}", {},
        [&ctx](request& req) -> asio::awaitable<response> {
          const auto dag_id = req.param("dag_id");
          const auto& text = req.param("version_number");
          int n = 0;
          auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
          if (ec != std::errc{} || ptr != text.data() + text.size()) {
            http::validation v;
            v.add("int_parsing", {"path", "version_number"},
                  "Input should be a valid integer, unable to parse string as an integer",
                  bj::string(text));
            co_return v.error_response();
          }
          auto find = [dag_id, n](soci::session& s) { return schema::find_version(s, dag_id, n, false); };
          auto v = co_await ctx.db.read(std::move(find));
          if (!v)
            co_return http::error(404, not_found_text("DagVersion", {{"dag_id", dag_id},
                                                                     {"version_number", std::to_string(n)}}));
          co_return http::json(dag_version_response(*v));
        });

  r.add("GET", "/api/v2/dagSources/{dag_id}",
        {.query = http::query_of(http::param::integer("version_number"))},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    http::query_params q(req);
    auto version_number = q.optional_integer("version_number");
    if (auto p = q.problem()) co_return *p;
    std::optional<int> n;
    if (version_number) n = static_cast<int>(*version_number);
    auto loaded = co_await load_dag_with_spec(ctx, dag_id, n);
    if (!loaded.dag) co_return not_found_dag(dag_id);
    if (!loaded.version)
      co_return http::error(404, fmt::format("The source code of Dag {}, version_number {} was not found",
                                             dag_id, version_number.value_or(0)));
    const auto* accept = req.header("Accept");
    if (accept && accept->find("text/plain") != std::string::npos &&
        accept->find("application/json") == std::string::npos) {
      response res;
      res.content_type = "text/plain; charset=utf-8";
      res.body = loaded.version->source_code;
      co_return res;
    }
    co_return http::json(bj::object{{"content", loaded.version->source_code},
                                    {"dag_id", dag_id},
                                    {"version_number", loaded.version->version_number},
                                    {"dag_display_name", dag_id}});
  });

  r.add("GET", "/api/v2/dagTags",
        {.query = http::query_of(http::param::paging(), http::param::text("tag_name_pattern"), http::param::order_by())},
        [&ctx](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    const auto limit = q.limit();
    const auto offset = q.offset();
    auto pattern = q.string("tag_name_pattern");
    auto order = q.order_by({"name"}, "name");
    if (auto p = q.problem()) co_return *p;
    const bool desc = !order.empty() && order.front()[0] == '-';
    auto list = [=](soci::session& s) {
      long long total = 0;
      auto tags = schema::list_tags(s, pattern, desc, limit, offset, &total);
      return std::make_pair(std::move(tags), total);
    };
    auto [tags, total] = co_await ctx.db.read(std::move(list));
    co_return http::json(list_response("tags", tags, total, [](const std::string& t) { return bj::value(t); }));
  });

  r.add("GET", "/api/v2/dagWarnings",
        {.query = http::query_of(http::param::paging(), http::param::text("dag_id"), http::param::text("warning_type"),
                                 http::param::order_by())},
        [&ctx](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    const auto limit = q.limit();
    const auto offset = q.offset();
    auto dag_id = q.string("dag_id");
    auto type = q.string("warning_type");
    auto order = q.order_by({"dag_id", "warning_type", "message", "timestamp"}, "dag_id");
    if (auto p = q.problem()) co_return *p;
    auto list = [=](soci::session& s) {
      long long total = 0;
      auto warnings = schema::list_dag_warnings(s, dag_id, type, order, limit, offset, &total);
      return std::make_pair(std::move(warnings), total);
    };
    auto [warnings, total] = co_await ctx.db.read(std::move(list));
    auto warning = [](const schema::dag_warning_record& w) {
      return bj::object{{"dag_id", w.dag_id},
                        {"warning_type", w.warning_type},
                        {"message", w.message},
                        {"timestamp", api_time(w.timestamp)},
                        {"dag_display_name", w.dag_id}};
    };
    co_return http::json(list_response("dag_warnings", warnings, total, warning));
  });

  r.add("PUT", "/api/v2/parseDagFile/{file_token}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    const auto token = req.param("file_token");
    auto find = [token](soci::session& s) -> std::optional<std::string> {
      for (const auto& d : schema::list_dag_projects(s))
        if (file_token(d.fileloc) == token) return d.fileloc;
      return std::nullopt;
    };
    auto fileloc = co_await ctx.db.read(std::move(find));
    if (!fileloc) co_return http::error(404, "Dag not found");
    if (ctx.reparse) ctx.reparse(*fileloc);
    response res = http::json(201, nullptr);
    co_return res;
  });
}

}  // namespace leoflow::api
