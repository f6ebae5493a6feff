// The /ui/ views: what one UI screen needs in one request where /api/v2
// would take one request per DAG, run or state. Lite-only, documented in
// docs/ui.md; everything else the UI shows comes from /api/v2.
//   GET /ui/dashboard                    counts for the home page
//   GET /ui/grid/{dag_id}?limit=N        recent runs and their task-instance states
//   GET /ui/structure/{dag_id}           tasks, task groups and edges of a version
//   GET /ui/recent_runs?dag_ids=a,b      the latest runs of several DAGs
#include <algorithm>
#include <map>
#include <span>
#include <tuple>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <soci/session.h>

#include "common/clock.hpp"
#include "common/json.hpp"
#include "schema/dag_store.hpp"
#include "schema/database.hpp"
#include "schema/overview_store.hpp"
#include "server/api/serializers.hpp"
#include "server/http/error_response.hpp"
#include "server/http/params.hpp"
#include "server/ui/ui.hpp"

namespace leoflow::ui {

namespace asio = boost::asio;
namespace bj = boost::json;
using http::request;
using http::response;

namespace {

const char* const dag_run_states[] = {"queued", "running", "success", "failed"};
const char* const task_instance_states[] = {
    "no_status", "removed", "scheduled", "queued", "running", "success", "restarting", "failed",
    "up_for_retry", "up_for_reschedule", "upstream_failed", "skipped", "deferred"};

response dag_not_found(const std::string& dag_id) { return http::error_response(leoflow::dag_not_found(dag_id)); }

// state → count, every known state present.
bj::object state_object(const schema::state_counts& counts, std::span<const char* const> states) {
  bj::object out;
  for (const char* state : states) out[state] = 0;
  for (const auto& [state, n] : counts) out[state] = n;
  return out;
}

bj::object dashboard(const schema::dashboard_counts& c, const std::string& since) {
  bj::object dags{{"total", c.dags},
                  {"active", c.dags - c.paused_dags},
                  {"paused", c.paused_dags},
                  {"failed", c.failed_dags},
                  {"running", c.running_dags}};
  const char* const active_states[] = {"queued", "running"};
  return bj::object{{"dags", std::move(dags)},
                    {"active_dag_runs", state_object(c.active_runs, active_states)},
                    {"dag_run_states", state_object(c.run_states, dag_run_states)},
                    {"task_instance_states", state_object(c.task_instance_states, task_instance_states)},
                    {"since", api::api_time(since)}};
}

bj::object run_summary(const schema::run_summary& r) {
  return bj::object{{"run_id", r.run_id},
                    {"state", r.state},
                    {"run_type", r.run_type},
                    {"run_after", api::api_time(r.run_after)},
                    {"logical_date", api::api_time(r.logical_date)},
                    {"start_date", api::api_time(r.start_date)},
                    {"end_date", api::api_time(r.end_date)}};
}

struct grid_result {
  bool found = false;
  bj::array runs;
  bj::array task_instances;
};

grid_result grid(soci::session& s, const std::string& dag_id, long long limit) {
  grid_result out;
  out.found = schema::find_dag(s, dag_id).has_value();
  if (!out.found) return out;
  std::vector<std::int64_t> ids;
  for (const auto& r : schema::latest_runs(s, dag_id, limit)) {
    ids.push_back(r.id);
    auto run = run_summary(r);
    run["version_number"] = r.version_number ? bj::value(*r.version_number) : bj::value(nullptr);
    out.runs.push_back(std::move(run));
  }
  // One row per (run, task, state): mapped tasks arrive as counts per state.
  struct bucket {
    long long count = 0;
    bool mapped = false;
    long long try_number = 0;
    std::optional<std::string> start, end;
  };
  using key = std::tuple<std::string, std::string, std::optional<std::string>>;
  std::map<key, bucket> buckets;
  for (const auto& t : schema::task_instances_of_runs(s, ids)) {
    auto& b = buckets[key{t.run_id, t.task_id, t.state}];
    b.count += 1;
    b.mapped = b.mapped || t.map_index >= 0;
    b.try_number = std::max(b.try_number, t.try_number);
    if (t.start_date && (!b.start || *t.start_date < *b.start)) b.start = t.start_date;
    if (t.end_date && (!b.end || *t.end_date > *b.end)) b.end = t.end_date;
  }
  for (const auto& [k, b] : buckets) {
    const auto& [run_id, task_id, state] = k;
    out.task_instances.push_back(bj::object{{"run_id", run_id},
                                            {"task_id", task_id},
                                            {"state", json::nullable(state)},
                                            {"count", b.count},
                                            {"mapped", b.mapped},
                                            {"try_number", b.try_number},
                                            {"start_date", api::api_time(b.start)},
                                            {"end_date", api::api_time(b.end)}});
  }
  return out;
}

// The last dotted part of a group id ("stage.inner" → "inner").
std::string short_name(const std::string& id) {
  auto dot = id.rfind('.');
  return dot == std::string::npos ? id : id.substr(dot + 1);
}

// Tasks, groups and edges of one spec, in definition order. A task's label
// drops its group's prefix, as Airflow's graph shows it.
bj::object structure(const bj::object& spec, const schema::dag_version_record& version) {
  bj::array groups;
  if (const auto* list = json::get_array(spec, "task_groups")) {
    for (const auto& g : *list) {
      if (!g.is_object()) continue;
      const auto& group = g.as_object();
      const auto id = json::get_string(group, "group_id").value_or("");
      if (id.empty()) continue;
      auto parent = json::get_string(group, "parent");
      groups.push_back(bj::object{{"group_id", id},
                                  {"label", short_name(id)},
                                  {"parent", json::nullable(parent)},
                                  {"tooltip", json::get_string(group, "tooltip").value_or("")}});
    }
  }
  bj::array tasks;
  bj::array edges;
  if (const auto* list = json::get_array(spec, "tasks")) {
    for (const auto& t : *list) {
      if (!t.is_object()) continue;
      const auto& task = t.as_object();
      const auto id = json::get_string(task, "task_id").value_or("");
      auto group = json::get_string(task, "task_group");
      std::string label = id;
      if (group && label.rfind(*group + ".", 0) == 0) label = label.substr(group->size() + 1);
      const auto* mapping = task.if_contains("mapping");
      tasks.push_back(bj::object{
          {"task_id", id},
          {"label", label},
          {"task_group", json::nullable(group)},
          {"operator", json::nullable(json::get_string(task, "operator_name")
                                          ? json::get_string(task, "operator_name")
                                          : json::get_string(task, "operator"))},
          {"is_mapped", mapping && !mapping->is_null()},
          {"trigger_rule", json::nullable(json::get_string(task, "trigger_rule"))}});
      if (const auto* up = json::get_array(task, "upstream"))
        for (const auto& u : *up)
          if (u.is_string()) edges.push_back(bj::object{{"source_id", u.as_string()}, {"target_id", id}});
    }
  }
  return bj::object{{"dag_id", version.dag_id},
                    {"version_number", version.version_number},
                    {"task_groups", std::move(groups)},
                    {"tasks", std::move(tasks)},
                    {"edges", std::move(edges)}};
}

std::vector<std::string> split_ids(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::size_t start = 0;
    while (start <= v.size()) {
      auto comma = v.find(',', start);
      if (comma == std::string::npos) comma = v.size();
      if (comma > start) out.push_back(v.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return out;
}

bj::object recent_runs(soci::session& s, const std::vector<std::string>& dag_ids, long long limit) {
  bj::object out;
  for (const auto& id : dag_ids) {
    bj::array runs;
    for (const auto& r : schema::latest_runs(s, id, limit)) runs.push_back(run_summary(r));
    out[id] = std::move(runs);
  }
  return out;
}

}  // namespace

void add_view_routes(http::router& r, api::api_context& ctx) {
  r.add("GET", "/ui/dashboard",
        {.query = http::query_of(http::param::datetime("since"))},
        [&ctx](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    auto since = q.datetime("since");
    if (auto p = q.problem()) co_return *p;
    const auto from = format_store_time(since.value_or(now() - std::chrono::hours(24)));
    auto load = [from](soci::session& s) { return schema::count_for_dashboard(s, from); };
    auto counts = co_await ctx.db.read(std::move(load));
    co_return http::json(dashboard(counts, from));
  });

  r.add("GET", "/ui/grid/{dag_id}",
        {.query = http::query_of(http::param::of("limit", http::param_type::count))},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    http::query_params q(req);
    const auto limit = std::min(q.integer("limit", 25, 1), 365LL);
    if (auto p = q.problem()) co_return *p;
    auto load = [dag_id, limit](soci::session& s) { return grid(s, dag_id, limit); };
    auto result = co_await ctx.db.read(std::move(load));
    if (!result.found) co_return dag_not_found(dag_id);
    co_return http::json(bj::object{{"dag_id", dag_id},
                                    {"dag_runs", std::move(result.runs)},
                                    {"task_instances", std::move(result.task_instances)}});
  });

  r.add("GET", "/ui/structure/{dag_id}",
        {.query = http::query_of(http::param::integer("version_number"))},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    http::query_params q(req);
    auto version_number = q.optional_integer("version_number", 1);
    if (auto p = q.problem()) co_return *p;
    std::optional<int> n;
    if (version_number) n = static_cast<int>(*version_number);
    auto load = [dag_id, n](soci::session& s) { return schema::find_version(s, dag_id, n, true); };
    auto version = co_await ctx.db.read(std::move(load));
    if (!version) co_return dag_not_found(dag_id);
    auto spec = json::try_parse(version->spec);
    if (!spec || !spec->is_object()) co_return http::error(500, "The stored DAG spec is unreadable");
    co_return http::json(structure(spec->as_object(), *version));
  });

  r.add("GET", "/ui/recent_runs",
        {.query = http::query_of(http::param::of("dag_ids", http::param_type::text_list),
                                 http::param::of("limit", http::param_type::count))},
        [&ctx](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    auto dag_ids = split_ids(q.list("dag_ids"));
    const auto limit = std::min(q.integer("limit", 1, 1), 25LL);
    if (auto p = q.problem()) co_return *p;
    if (dag_ids.size() > 100) co_return http::error(400, "At most 100 dag_ids per request");
    auto load = [dag_ids, limit](soci::session& s) { return recent_runs(s, dag_ids, limit); };
    auto runs = co_await ctx.db.read(std::move(load));
    co_return http::json(bj::object{{"dag_runs", std::move(runs)}});
  });
}

}  // namespace leoflow::ui
