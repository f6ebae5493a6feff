// /api/v2/dags/{dag_id}/dagRuns (list, trigger), /dagRuns/{dag_run_id} (get,
// patch, delete), /dagRuns/{dag_run_id}/clear and /dags/{dag_id}/clearTaskInstances.
#include <algorithm>
#include <cctype>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/json.hpp"
#include "schema/database.hpp"
#include "schema/dag_store.hpp"
#include "schema/run_store.hpp"
#include "common/paths.hpp"
#include "server/api/api.hpp"
#include "server/api/body_fields.hpp"
#include "server/api/serializers.hpp"
#include "server/http/error_response.hpp"
#include "server/http/params.hpp"
#include "services/run_service.hpp"
#include "services/task_instance_service.hpp"

namespace leoflow::api {

namespace asio = boost::asio;
using http::request;
using http::response;

namespace {

// Airflow's default allowed_run_id_pattern; a run id also names a log
// folder, so one made of dots only is refused too.
constexpr const char* run_id_pattern = "^[A-Za-z0-9_.~:+-]+$";

bool valid_run_id(const std::string& id) {
  if (id.empty() || id.size() > 250) return false;
  if (id.find_first_not_of('.') == std::string::npos) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_.~:+-").find(c) != std::string_view::npos;
  });
}

void add_bounds(http::query_params& q, std::string_view name, const std::string& column,
                std::vector<schema::run_filter::bound>& bounds) {
  for (auto& [op, value] : q.time_range(name)) bounds.push_back({column, op, value});
}

}  // namespace

void add_run_routes(http::router& r, api_context& ctx) {
  r.add("GET", "/api/v2/dags/{dag_id}/dagRuns",
        {.query = http::query_of(http::param::paging(), http::param::of("state", http::param_type::choice_list),
                                 http::param::of("run_type", http::param_type::text_list),
                                 http::param::text("run_id_pattern"), http::param::range("run_after"),
                                 http::param::range("logical_date"), http::param::range("start_date"),
                                 http::param::range("end_date"), http::param::range("updated_at"),
                                 http::param::order_by())},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    http::query_params q(req);
    const auto limit = q.limit();
    const auto offset = q.offset();
    schema::run_filter f;
    if (dag_id != "~") f.dag_id = dag_id;
    f.states = q.list("state");
    f.run_types = q.list("run_type");
    f.run_id_pattern = q.string("run_id_pattern");
    add_bounds(q, "run_after", "r.run_after", f.bounds);
    add_bounds(q, "logical_date", "r.logical_date", f.bounds);
    add_bounds(q, "start_date", "r.start_date", f.bounds);
    add_bounds(q, "end_date", "r.end_date", f.bounds);
    add_bounds(q, "updated_at", "r.updated_at", f.bounds);
    for (const auto& st : f.states)
      if (st != "queued" && st != "running" && st != "success" && st != "failed") {
        http::validation v;
        v.add("enum", {"query", "state"}, "Input should be 'queued', 'running', 'success' or 'failed'", bj::string(st));
        co_return v.error_response();
      }
    auto order = q.order_by({"id", "state", "dag_id", "run_id", "dag_run_id", "logical_date", "run_after",
                             "start_date", "end_date", "updated_at", "conf", "duration", "run_type"},
                            "id");
    if (auto p = q.problem()) co_return *p;
    auto list = [f, order, limit, offset](soci::session& s) {
      const auto sql_order = schema::run_sort_columns(order);
      long long total = 0;
      const bool exists = !f.dag_id || schema::find_dag(s, *f.dag_id).has_value();
      auto runs = exists ? schema::list_runs(s, f, sql_order, limit, offset, &total) : std::vector<schema::dag_run_record>{};
      return std::make_tuple(exists, std::move(runs), total);
    };
    auto [exists, runs, total] = co_await ctx.db.read(std::move(list));
    if (!exists) co_return http::error_response(dag_not_found(dag_id));
    co_return http::json(list_response("dag_runs", runs, total, dag_run_response));
  });

  r.add("POST", "/api/v2/dags/{dag_id}/dagRuns",
        {.body = "TriggerDAGRunPostBody"},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    std::optional<response> problem;
    auto body = http::json_body(req, problem);
    if (!body) co_return *problem;
    http::validation v;
    forbid_extra(*body, {"dag_run_id", "logical_date", "data_interval_start", "data_interval_end", "run_after",
                         "conf", "note", "partition_key"},
                 v);
    services::trigger_request t;
    t.dag_id = dag_id;
    optional_string(*body, "dag_run_id", t.run_id, v);
    optional_string(*body, "note", t.note, v);
    std::optional<std::string> partition_key;  // accepted, as Airflow's model has it; not used by Lite
    optional_string(*body, "partition_key", partition_key, v);
    optional_time(*body, "logical_date", t.logical_date, v);
    optional_time(*body, "data_interval_start", t.data_interval_start, v);
    optional_time(*body, "data_interval_end", t.data_interval_end, v);
    optional_time(*body, "run_after", t.run_after, v);
    if (const auto* conf = body->if_contains("conf"); conf && !conf->is_null()) {
      if (!conf->is_object())
        v.add("dict_type", {"body", "conf"}, "Input should be a valid dictionary", *conf);
      else
        t.conf = conf->get_object();
    }
    if (!v.ok()) co_return v.error_response();
    if (t.run_id && !valid_run_id(*t.run_id))
      co_return http::error(400, fmt::format("The run_id provided '{}' does not match the pattern '{}'",
                                             t.run_id->substr(0, 250), run_id_pattern));
    if (t.data_interval_start.has_value() != t.data_interval_end.has_value())
      co_return http::error(400, "data_interval_start and data_interval_end must be given together");
    services::run_service runs(services_of(ctx));
    auto created = co_await runs.trigger(std::move(t));
    if (!created) co_return http::error_response(created.error());
    co_return http::json(dag_run_response(*created));
  });

  r.add("GET", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    const auto run_id = req.param("dag_run_id");
    auto find = [dag_id, run_id](soci::session& s) { return schema::find_run(s, dag_id, run_id); };
    auto run = co_await ctx.db.read(std::move(find));
    if (!run) co_return http::error_response(run_not_found(dag_id, run_id));
    co_return http::json(dag_run_response(*run));
  });

  r.add("PATCH", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}",
        {.query = http::query_of(http::param::update_mask()), .body = "DAGRunPatchBody"},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    const auto run_id = req.param("dag_run_id");
    std::optional<response> problem;
    auto body = http::json_body(req, problem);
    if (!body) co_return *problem;
    http::validation v;
    forbid_extra(*body, {"state", "note"}, v);
    std::optional<std::string> state, note;
    optional_string(*body, "state", state, v);
    optional_string(*body, "note", note, v);
    if (state && *state != "queued" && *state != "success" && *state != "failed")
      v.add("enum", {"body", "state"}, "Input should be 'queued', 'success' or 'failed'", bj::string(*state));
    if (note && note->size() > 1000)
      v.add("string_too_long", {"body", "note"}, "String should have at most 1000 characters", bj::string(*note));
    if (!v.ok()) co_return v.error_response();
    http::query_params q(req);
    auto mask = q.list("update_mask");
    for (const auto& m : mask)
      if (m != "state" && m != "note") co_return http::error(400, fmt::format("Invalid field `{}` in update mask", m));
    services::run_patch patch;
    if (state && (mask.empty() || std::count(mask.begin(), mask.end(), "state"))) patch.state = state;
    patch.set_note = body->contains("note") && (mask.empty() || std::count(mask.begin(), mask.end(), "note"));
    patch.note = note;
    services::run_service runs(services_of(ctx));
    auto patched = co_await runs.patch(dag_id, run_id, std::move(patch));
    if (!patched) co_return http::error_response(patched.error());
    co_return http::json(dag_run_response(*patched));
  });

  r.add("DELETE", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    services::run_service runs(services_of(ctx));
    auto removed = co_await runs.remove(req.param("dag_id"), req.param("dag_run_id"));
    if (!removed) co_return http::error_response(removed.error());
    co_return http::no_content();
  });

  r.add("POST", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/clear",
        {.body = "DAGRunClearBody"},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    const auto run_id = req.param("dag_run_id");
    std::optional<response> problem;
    auto body = http::json_body(req, problem);
    if (!body) co_return *problem;
    http::validation v;
    forbid_extra(*body, {"dry_run", "only_failed", "run_on_latest_version"}, v);
    bool dry_run = true, only_failed = false, latest = false;
    optional_bool(*body, "dry_run", dry_run, v);
    optional_bool(*body, "only_failed", only_failed, v);
    optional_bool(*body, "run_on_latest_version", latest, v);
    if (!v.ok()) co_return v.error_response();
    services::run_service runs(services_of(ctx));
    auto cleared = co_await runs.clear(dag_id, run_id, dry_run, only_failed);
    if (!cleared) co_return http::error_response(cleared.error());
    if (const auto& listed = cleared->would_clear)
      co_return http::json(list_response("task_instances", task_instances_of_run(listed->run, listed->task_instances)));
    co_return http::json(dag_run_response(*cleared->run));
  });

  r.add("POST", "/api/v2/dags/{dag_id}/clearTaskInstances",
        {.body = "ClearTaskInstancesBody"},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    std::optional<response> problem;
    auto body = http::json_body(req, problem);
    if (!body) co_return *problem;
    http::validation v;
    forbid_extra(*body, {"dry_run", "start_date", "end_date", "only_failed", "only_running", "reset_dag_runs",
                         "task_ids", "dag_run_id", "include_upstream", "include_downstream", "include_future",
                         "include_past", "run_on_latest_version", "prevent_running_task"},
                 v);
    services::ti_clear c;
    auto& sel = c.chosen;
    bool ignored = false;
    sel.only_failed = true;
    optional_bool(*body, "dry_run", c.dry_run, v);
    optional_bool(*body, "only_failed", sel.only_failed, v);
    optional_bool(*body, "only_running", sel.only_running, v);
    optional_bool(*body, "reset_dag_runs", c.reset_dag_runs, v);
    optional_bool(*body, "include_upstream", sel.include_upstream, v);
    optional_bool(*body, "include_downstream", sel.include_downstream, v);
    optional_bool(*body, "include_future", ignored, v);
    optional_bool(*body, "include_past", ignored, v);
    optional_bool(*body, "run_on_latest_version", ignored, v);
    optional_bool(*body, "prevent_running_task", c.prevent_running_task, v);
    optional_string(*body, "dag_run_id", c.run_id, v);
    optional_time(*body, "start_date", c.start_date, v);
    optional_time(*body, "end_date", c.end_date, v);
    if (const auto* ids = body->if_contains("task_ids"); ids && !ids->is_null()) {
      if (!ids->is_array()) {
        v.add("list_type", {"body", "task_ids"}, "Input should be a valid list", *ids);
      } else {
        for (const auto& item : ids->get_array()) {
          if (item.is_string()) {
            sel.tasks.emplace_back(std::string(item.get_string()), std::nullopt);
          } else if (item.is_array() && item.get_array().size() == 2 && item.get_array()[0].is_string() &&
                     item.get_array()[1].is_int64()) {
            sel.tasks.emplace_back(std::string(item.get_array()[0].get_string()),
                                   static_cast<int>(item.get_array()[1].get_int64()));
          } else {
            v.add("union_tag_invalid", {"body", "task_ids"}, "Each item is a task id or [task_id, map_index]", item);
          }
        }
      }
    }
    if (!v.ok()) co_return v.error_response();
    services::task_instance_service tis(services_of(ctx));
    auto cleared = co_await tis.clear(dag_id, std::move(c));
    if (!cleared) co_return http::error_response(cleared.error());
    bj::array items;
    for (const auto& run : *cleared)
      for (auto& item : task_instances_of_run(run.run, run.task_instances)) items.push_back(std::move(item));
    co_return http::json(list_response("task_instances", std::move(items)));
  });
}

}  // namespace leoflow::api
