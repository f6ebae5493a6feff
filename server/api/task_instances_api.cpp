// Task instances of a run: list, get (mapped too), mark, tries, logs and
// XCom entries.
#include <charconv>
#include <limits>
#include <map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/json.hpp"
#include "common/secret_masker.hpp"
#include "executors/task_log.hpp"
#include "schema/database.hpp"
#include "schema/dag_store.hpp"
#include "schema/run_store.hpp"
#include "server/api/api.hpp"
#include "server/api/body_fields.hpp"
#include "server/api/serializers.hpp"
#include "server/http/error_response.hpp"
#include "server/http/params.hpp"
#include "services/page.hpp"
#include "services/task_instance_service.hpp"

namespace leoflow::api {

namespace asio = boost::asio;
using http::request;
using http::response;

namespace {

response run_not_found(const std::string& dag_id, const std::string& run_id) {
  return http::error_response(leoflow::run_not_found(dag_id, run_id));
}

response ti_not_found(const std::string& dag_id, const std::string& run_id, const std::string& task_id, int map_index) {
  return http::error_response(task_instance_not_found(dag_id, run_id, task_id, map_index));
}

std::optional<int> int_param(const request& req, const std::string& name, std::optional<response>& problem) {
  const auto& text = req.param(name);
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) {
    http::validation v;
    v.add("int_parsing", {"path", bj::string(name)},
          "Input should be a valid integer, unable to parse string as an integer", bj::string(text));
    problem = v.error_response();
    return std::nullopt;
  }
  return value;
}

struct one_ti {
  bool run_found = false;
  std::optional<schema::task_instance_record> ti;
  bool is_mapped = false;
  std::optional<schema::dag_version_record> version;
};

asio::awaitable<one_ti> load_ti(api_context& ctx, std::string dag_id, std::string run_id, std::string task_id,
                                int map_index) {
  auto load = [=](soci::session& s) {
    one_ti out;
    auto run = schema::find_run(s, dag_id, run_id);
    if (!run) return out;
    out.run_found = true;
    out.ti = schema::find_task_instance(s, run->id, task_id, map_index);
    if (!out.ti && map_index == -1) out.is_mapped = schema::find_task_instance(s, run->id, task_id, 0).has_value();
    if (out.ti && out.ti->dag_version_id) out.version = schema::find_version_by_id(s, *out.ti->dag_version_id, false);
    return out;
  };
  co_return co_await ctx.db.read(std::move(load));
}

}  // namespace

void add_task_instance_routes(http::router& r, api_context& ctx) {
  r.add("GET", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances",
        {.query = http::query_of(http::param::paging(), http::param::text("task_id"),
                                 http::param::of("state", http::param_type::text_list),
                                 http::param::text("task_display_name_pattern"), http::param::range("start_date"),
                                 http::param::range("end_date"), http::param::range("updated_at"),
                                 http::param::range("run_after"), http::param::range("logical_date"),
                                 http::param::of("map_index", http::param_type::integer_list),
                                 http::param::range("duration", http::param_type::number), http::param::order_by())},
        [&ctx](request& req) -> asio::awaitable<response> {
          const auto dag_id = req.param("dag_id");
          const auto run_id = req.param("dag_run_id");
          http::query_params q(req);
          const auto limit = q.limit();
          const auto offset = q.offset();
          schema::ti_filter f;
          if (dag_id != "~") f.dag_id = dag_id;
          if (run_id != "~") f.run_id = run_id;
          f.task_id = q.string("task_id");
          f.states = q.list("state");
          f.task_id_pattern = q.string("task_display_name_pattern");
          for (auto& [op, v] : q.time_range("start_date")) f.bounds.push_back({"t.start_date", op, v});
          for (auto& [op, v] : q.time_range("end_date")) f.bounds.push_back({"t.end_date", op, v});
          for (auto& [op, v] : q.time_range("updated_at")) f.bounds.push_back({"t.updated_at", op, v});
          for (auto& [op, v] : q.time_range("run_after")) f.bounds.push_back({"r.run_after", op, v});
          for (auto& [op, v] : q.time_range("logical_date")) f.bounds.push_back({"r.logical_date", op, v});
          auto map_indexes = q.integer_list("map_index");
          auto durations = q.number_range("duration");
          auto order = q.order_by({"id", "state", "duration", "start_date", "end_date", "map_index", "try_number",
                                   "logical_date", "run_after", "data_interval_start", "data_interval_end",
                                   "rendered_map_index", "operator", "task_id", "dag_id", "run_id", "pool",
                                   "queue", "priority_weight"},
                                  "map_index");
          if (auto p = q.problem()) co_return *p;
          const auto sql_order = schema::ti_sort_columns(order);
          auto list = [=](soci::session& s) mutable {
            bool found = true;
            if (f.dag_id && f.run_id) found = schema::find_run(s, *f.dag_id, *f.run_id).has_value();
            else if (f.dag_id) found = schema::find_dag(s, *f.dag_id).has_value();
            long long total = 0;
            std::vector<schema::task_instance_record> tis;
            if (found && map_indexes.empty() && durations.empty()) {
              // The common case pages in SQL: a 1,000-task run is not read whole for 100 rows.
              tis = schema::list_task_instances(s, f, sql_order, limit, offset, &total);
            } else if (found) {
              // Map indexes and durations filter in memory: rare and cheap.
              tis = schema::list_task_instances(s, f, sql_order, 1000000, 0, &total);
              std::erase_if(tis, [&](const schema::task_instance_record& t) {
                if (!map_indexes.empty() && std::find(map_indexes.begin(), map_indexes.end(), t.map_index) == map_indexes.end())
                  return true;
                for (const auto& [op, bound] : durations) {
                  if (!t.duration) return true;
                  const double d = *t.duration;
                  if ((op == ">=" && !(d >= bound)) || (op == ">" && !(d > bound)) || (op == "<=" && !(d <= bound)) ||
                      (op == "<" && !(d < bound)))
                    return true;
                }
                return false;
              });
              auto page = services::page_of(std::move(tis), limit, offset);
              total = page.total_entries;
              tis = std::move(page.items);
            }
            auto versions = services::versions_of(s, tis);
            return std::make_tuple(found, std::move(tis), total, std::move(versions));
          };
          auto [found, tis, total, versions] = co_await ctx.db.read(std::move(list));
          if (!found) co_return run_not_found(dag_id, run_id);
          co_return http::json(list_response("task_instances", task_instances_with_versions(tis, versions), total));
        });

  auto get_ti = [&ctx](request& req, int map_index) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    const auto run_id = req.param("dag_run_id");
    const auto task_id = req.param("task_id");
    auto found = co_await load_ti(ctx, dag_id, run_id, task_id, map_index);
    if (!found.run_found) co_return run_not_found(dag_id, run_id);
    if (!found.ti) {
      if (found.is_mapped)
        co_return http::error(404, "Task instance is mapped, add the map_index value to the URL");
      co_return ti_not_found(dag_id, run_id, task_id, map_index);
    }
    co_return http::json(task_instance_response(*found.ti, found.version));
  };
  r.add("GET", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}", {},
        [get_ti](request& req) -> asio::awaitable<response> { co_return co_await get_ti(req, -1); });
  r.add("GET", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}", {},
        [get_ti](request& req) -> asio::awaitable<response> {
          std::optional<response> problem;
          auto map_index = int_param(req, "map_index", problem);
          if (!map_index) co_return *problem;
          co_return co_await get_ti(req, *map_index);
        });

  r.add("GET", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/listMapped",
        {.query = http::query_of(http::param::paging())},
        [&ctx](request& req) -> asio::awaitable<response> {
          const auto dag_id = req.param("dag_id");
          const auto run_id = req.param("dag_run_id");
          const auto task_id = req.param("task_id");
          http::query_params q(req);
          const auto limit = q.limit();
          const auto offset = q.offset();
          if (auto p = q.problem()) co_return *p;
          auto list = [=](soci::session& s) {
            schema::ti_filter f;
            f.dag_id = dag_id;
            f.run_id = run_id;
            f.task_id = task_id;
            long long total = 0;
            const bool found = schema::find_run(s, dag_id, run_id).has_value();
            auto tis = schema::list_task_instances(s, f, {"t.map_index"}, limit, offset, &total);
            auto versions = services::versions_of(s, tis);
            return std::make_tuple(found, std::move(tis), total, std::move(versions));
          };
          auto [found, tis, total, versions] = co_await ctx.db.read(std::move(list));
          if (!found) co_return run_not_found(dag_id, run_id);
          if (tis.empty() || (tis.size() == 1 && tis[0].map_index == -1))
            co_return http::error(404, fmt::format("Task id {} is not mapped", task_id));
          co_return http::json(list_response("task_instances", task_instances_with_versions(tis, versions), total));
        });

  auto patch_ti = [&ctx](request& req, std::optional<int> map_index) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    const auto run_id = req.param("dag_run_id");
    const auto task_id = req.param("task_id");
    std::optional<response> problem;
    auto body = http::json_body(req, problem);
    if (!body) co_return *problem;
    http::query_params q(req);
    if (!map_index)
      if (auto m = q.optional_integer("map_index", -1)) map_index = static_cast<int>(*m);
    if (auto p = q.problem()) co_return *p;
    http::validation v;
    std::optional<std::string> new_state, note;
    services::selection sel;
    for (const auto& [key, value] : *body) {
      if (key == "new_state" && value.is_string()) new_state = std::string(value.get_string());
      else if (key == "note" && (value.is_string() || value.is_null())) note = value.is_string() ? std::optional<std::string>(value.get_string()) : std::nullopt;
      else if (key == "include_upstream" && value.is_bool()) sel.include_upstream = value.get_bool();
      else if (key == "include_downstream" && value.is_bool()) sel.include_downstream = value.get_bool();
      else if ((key == "include_future" || key == "include_past") && value.is_bool()) continue;
      else if (key == "new_state" && value.is_null()) continue;
      else v.add("extra_forbidden", {"body", bj::string(key)}, "Unknown field or wrong type", value);
    }
    if (new_state && *new_state != "success" && *new_state != "failed" && *new_state != "skipped")
      v.add("enum", {"body", "new_state"}, "Input should be 'success', 'failed' or 'skipped'", bj::string(*new_state));
    if (note && note->size() > 1000)
      v.add("string_too_long", {"body", "note"}, "String should have at most 1000 characters", bj::string(*note));
    if (!v.ok()) co_return v.error_response();
    services::ti_patch patch{task_id, map_index, sel, new_state, body->contains("note"), note};
    services::task_instance_service tis(services_of(ctx));
    auto patched = co_await tis.patch(dag_id, run_id, std::move(patch));
    if (!patched) co_return http::error_response(patched.error());
    co_return http::json(
        list_response("task_instances", task_instances_with_versions(patched->task_instances, patched->versions)));
  };
  r.add("PATCH", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}",
        {.query = http::query_of(http::param::integer("map_index")), .body = "PatchTaskInstanceBody"},
        [patch_ti](request& req) -> asio::awaitable<response> { co_return co_await patch_ti(req, std::nullopt); });
  r.add("PATCH", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}",
        {.body = "PatchTaskInstanceBody"},
        [patch_ti](request& req) -> asio::awaitable<response> {
          std::optional<response> problem;
          auto map_index = int_param(req, "map_index", problem);
          if (!map_index) co_return *problem;
          co_return co_await patch_ti(req, map_index);
        });

  auto tries = [&ctx](request& req, int map_index, std::optional<int> only_try) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    const auto run_id = req.param("dag_run_id");
    const auto task_id = req.param("task_id");
    auto load = [=](soci::session& s) {
      std::optional<std::vector<schema::task_instance_record>> out;
      std::map<std::int64_t, schema::dag_version_record> versions;
      auto run = schema::find_run(s, dag_id, run_id);
      if (!run) return std::make_pair(out, versions);
      auto ti = schema::find_task_instance(s, run->id, task_id, map_index);
      if (!ti) return std::make_pair(out, versions);
      out = schema::ti_tries(s, ti->id);
      versions = services::versions_of(s, *out);
      return std::make_pair(out, versions);
    };
    auto [list, versions] = co_await ctx.db.read(std::move(load));
    if (!list) co_return ti_not_found(dag_id, run_id, task_id, map_index);
    if (only_try) {
      for (const auto& t : *list)
        if (t.try_number == *only_try)
          co_return http::json(task_instances_with_versions({t}, versions, true).at(0));
      co_return http::error(404, not_found_text("Task Instance", {{"dag_id", dag_id},
                                                                  {"run_id", run_id},
                                                                  {"task_id", task_id},
                                                                  {"try_number", std::to_string(*only_try)},
                                                                  {"map_index", std::to_string(map_index)}}));
    }
    co_return http::json(list_response("task_instances", task_instances_with_versions(*list, versions, true)));
  };
  const std::string ti_path = "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}";
  r.add("GET", ti_path + "/tries",
        {.query = http::query_of(http::param::integer("map_index"))},
        [tries](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    const int map_index = static_cast<int>(q.integer("map_index", -1, -1));
    if (auto p = q.problem()) co_return *p;
    co_return co_await tries(req, map_index, std::nullopt);
  });
  r.add("GET", ti_path + "/tries/{task_try_number}",
        {.query = http::query_of(http::param::integer("map_index"))},
        [tries](request& req) -> asio::awaitable<response> {
    std::optional<response> problem;
    auto n = int_param(req, "task_try_number", problem);
    if (!n) co_return *problem;
    http::query_params q(req);
    const int map_index = static_cast<int>(q.integer("map_index", -1, -1));
    if (auto p = q.problem()) co_return *p;
    co_return co_await tries(req, map_index, n);
  });
  r.add("GET", ti_path + "/{map_index}/tries", {}, [tries](request& req) -> asio::awaitable<response> {
    std::optional<response> problem;
    auto m = int_param(req, "map_index", problem);
    if (!m) co_return *problem;
    co_return co_await tries(req, *m, std::nullopt);
  });
  r.add("GET", ti_path + "/{map_index}/tries/{task_try_number}", {}, [tries](request& req) -> asio::awaitable<response> {
    std::optional<response> problem;
    auto m = int_param(req, "map_index", problem);
    if (!m) co_return *problem;
    auto n = int_param(req, "task_try_number", problem);
    if (!n) co_return *problem;
    co_return co_await tries(req, *m, n);
  });

  r.add("GET", ti_path + "/logs/{try_number}",
        {.query = http::query_of(http::param::integer("map_index"), http::param::boolean("full_content"),
                                 http::param::integer("token"))},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    const auto run_id = req.param("dag_run_id");
    const auto task_id = req.param("task_id");
    std::optional<response> problem;
    auto try_number = int_param(req, "try_number", problem);
    if (!try_number) co_return *problem;
    http::query_params q(req);
    const int map_index = static_cast<int>(q.integer("map_index", -1, -1));
    const bool full = q.boolean("full_content", false);
    auto token = q.string("token");
    if (auto p = q.problem()) co_return *p;
    std::uint64_t offset = 0;
    if (token && !full) {
      auto [ptr, ec] = std::from_chars(token->data(), token->data() + token->size(), offset);
      if (ec != std::errc{} || ptr != token->data() + token->size())
        co_return http::error(400, "The continuation token is not valid");
    }
    auto found = co_await load_ti(ctx, dag_id, run_id, task_id, map_index);
    if (!found.run_found || !found.ti) co_return ti_not_found(dag_id, run_id, task_id, map_index);
    if (*try_number < 0 || *try_number > std::max(1, found.ti->try_number))
      co_return http::error(404, fmt::format("Try {} of task {} does not exist", *try_number, task_id));
    const auto file = executors::task_log_path(ctx.logs_dir, dag_id, run_id, task_id, map_index, *try_number);
    // Up to 64 MiB: read on the store's file thread, never on an I/O thread.
    auto read_log = [file, offset, full] { return executors::read_task_log(file, offset, full ? (64u << 20) : (1u << 20)); };
    auto page = co_await ctx.db.run_blocking(std::move(read_log));
    bj::array content;
    if (offset == 0)
      content.push_back(bj::object{{"event", "::group::Log message source details"},
                                   {"sources", bj::array{bj::value(file.string())}}});
    if (offset == 0) content.push_back(bj::object{{"event", "::endgroup::"}});
    // Lines were masked as they were written; masking again on the way out
    // also hides secrets created since (and logs of an older Lite).
    const auto masker = ctx.secrets ? ctx.secrets->current() : nullptr;
    for (auto& line : page.lines) {
      if (masker && !masker->empty() && line.is_object())
        if (auto* event = line.as_object().if_contains("event"); event && event->is_string())
          *event = masker->mask(event->get_string());
      content.push_back(std::move(line));
    }
    const auto* accept = req.header("Accept");
    if (accept && accept->find("application/x-ndjson") != std::string::npos) {
      response res;
      res.content_type = "application/x-ndjson";
      for (const auto& line : content) res.body += bj::serialize(line) + "\n";
      res.headers.emplace_back("X-Continuation-Token", std::to_string(page.next_offset));
      co_return res;
    }
    co_return http::json(bj::object{{"content", std::move(content)},
                                    {"continuation_token", std::to_string(page.next_offset)}});
  });

  r.add("GET", ti_path + "/xcomEntries",
        {.query = http::query_of(http::param::paging(), http::param::text("xcom_key"),
                                 http::param::integer("map_index"))},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    const auto run_id = req.param("dag_run_id");
    const auto task_id = req.param("task_id");
    http::query_params q(req);
    const auto limit = q.limit();
    const auto offset = q.offset();
    auto key = q.string("xcom_key");
    auto map_index = q.optional_integer("map_index", -1);
    if (auto p = q.problem()) co_return *p;
    auto list = [=](soci::session& s) {
      std::optional<schema::dag_run_record> run = schema::find_run(s, dag_id, run_id);
      long long total = 0;
      std::vector<schema::xcom_record> xs;
      if (run) {
        std::optional<int> m;
        if (map_index) m = static_cast<int>(*map_index);
        xs = schema::ti_xcoms(s, run->id, task_id, m, key, limit, offset, &total);
      }
      return std::make_tuple(run, std::move(xs), total);
    };
    auto [run, xs, total] = co_await ctx.db.read(std::move(list));
    if (!run) co_return run_not_found(dag_id, run_id);
    auto entry = [&, run = *run](const schema::xcom_record& x) {
      return xcom_response(x, dag_id, run_id, run.run_after, run.logical_date);
    };
    co_return http::json(list_response("xcom_entries", xs, total, entry));
  });

  r.add("GET", ti_path + "/xcomEntries/{xcom_key}",
        {.query = http::query_of(http::param::integer("map_index"), http::param::boolean("stringify"),
                                 http::param::boolean("deserialize"))},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    const auto run_id = req.param("dag_run_id");
    const auto task_id = req.param("task_id");
    const auto key = req.param("xcom_key");
    http::query_params q(req);
    const int map_index = static_cast<int>(q.integer("map_index", -1, -1));
    const bool stringify = q.boolean("stringify", false);
    q.boolean("deserialize", false);
    if (auto p = q.problem()) co_return *p;
    auto find = [=](soci::session& s) {
      auto run = schema::find_run(s, dag_id, run_id);
      std::optional<schema::xcom_record> x;
      if (run) {
        auto xs = schema::ti_xcoms(s, run->id, task_id, map_index, key, 1, 0, nullptr);
        if (!xs.empty()) x = xs.front();
      }
      return std::make_pair(run, x);
    };
    auto [run, x] = co_await ctx.db.read(std::move(find));
    if (!run) co_return run_not_found(dag_id, run_id);
    if (!x)
      co_return http::error(404, fmt::format("XCom entry with key: `{}` not found", key));
    auto body = xcom_response(*x, dag_id, run_id, run->run_after, run->logical_date);
    // Values are stored as JSON: native unless a string is asked for. A
    // secret a task pushed is shown masked, as in its log.
    auto value = x->value ? json::try_parse(*x->value) : std::nullopt;
    const auto masker = ctx.secrets ? ctx.secrets->current() : std::make_shared<const secret_masker>();
    if (stringify)
      body["value"] = x->value ? bj::value(masker->mask(*x->value)) : bj::value(nullptr);
    else
      body["value"] = value ? masker->mask_json(*value) : bj::value(nullptr);
    co_return http::json(body);
  });

  auto write_xcom = [&ctx](request& req, bool create) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    const auto run_id = req.param("dag_run_id");
    const auto task_id = req.param("task_id");
    std::optional<response> problem;
    auto body = http::json_body(req, problem);
    if (!body) co_return *problem;
    // XComCreateBody {key, value, map_index} and XComUpdateBody {value, map_index}.
    http::validation v;
    for (const auto& [name, value] : *body)
      if (name != "value" && name != "map_index" && !(create && name == "key"))
        extra_forbidden(v, name, value);
    const auto* index = body->if_contains("map_index");
    if (index && !(index->is_int64() && index->get_int64() >= -1 && index->get_int64() <= std::numeric_limits<int>::max()))
      v.add("int_type", {"body", "map_index"}, "Input should be a valid integer, -1 or more", *index);
    const auto* key_value = body->if_contains("key");
    if (create && key_value && !key_value->is_string())
      string_type(v, "key", *key_value);
    std::string key = create ? json::get_string(*body, "key").value_or("") : req.param("xcom_key");
    if (v.ok() && (key.empty() || !body->contains("value")))
      v.add("missing", {"body", key.empty() ? "key" : "value"}, "Field required", *body);
    if (!v.ok()) co_return v.error_response();
    const int map_index = static_cast<int>(json::get_int(*body, "map_index").value_or(-1));
    const std::string value = bj::serialize(body->at("value"));
    auto store_it = [=](soci::session& s) -> std::optional<std::pair<schema::dag_run_record, schema::xcom_record>> {
      auto run = schema::find_run(s, dag_id, run_id);
      if (!run || !schema::find_task_instance(s, run->id, task_id, map_index)) return std::nullopt;
      auto existing = schema::ti_xcoms(s, run->id, task_id, map_index, key, 1, 0, nullptr);
      if (create == !existing.empty()) return std::nullopt;
      schema::set_xcom(s, run->id, task_id, map_index, key, value);
      return std::make_pair(*run, schema::ti_xcoms(s, run->id, task_id, map_index, key, 1, 0, nullptr).front());
    };
    auto done = co_await ctx.db.write(std::move(store_it));
    if (!done)
      co_return http::error(create ? 409 : 404, create ? fmt::format("The XCom with key `{}` exists already or the task instance is missing", key)
                                                       : fmt::format("XCom entry with key: `{}` not found", key));
    auto answer = xcom_response(done->second, dag_id, run_id, done->first.run_after, done->first.logical_date);
    answer["value"] = body->at("value");
    co_return http::json(create ? 201 : 200, answer);
  };
  r.add("POST", ti_path + "/xcomEntries", {.body = "XComCreateBody"},
        [write_xcom](request& req) -> asio::awaitable<response> { co_return co_await write_xcom(req, true); });
  r.add("PATCH", ti_path + "/xcomEntries/{xcom_key}", {.body = "XComUpdateBody"},
        [write_xcom](request& req) -> asio::awaitable<response> { co_return co_await write_xcom(req, false); });
  r.add("DELETE", ti_path + "/xcomEntries/{xcom_key}",
        {.query = http::query_of(http::param::integer("map_index"))},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    const auto run_id = req.param("dag_run_id");
    const auto task_id = req.param("task_id");
    const auto key = req.param("xcom_key");
    http::query_params q(req);
    const int map_index = static_cast<int>(q.integer("map_index", -1, -1));
    if (auto p = q.problem()) co_return *p;
    auto remove = [=](soci::session& s) {
      auto run = schema::find_run(s, dag_id, run_id);
      return run && schema::delete_xcom(s, run->id, task_id, map_index, key);
    };
    if (!co_await ctx.db.write(std::move(remove)))
      co_return http::error(404, fmt::format("XCom entry with key: `{}` not found", key));
    co_return http::no_content();
  });
}

}  // namespace leoflow::api
