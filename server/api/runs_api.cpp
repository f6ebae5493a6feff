// /api/v2/dags/{dag_id}/dagRuns (list, trigger), /dagRuns/{dag_run_id} (get,
// patch, delete), /dagRuns/{dag_run_id}/clear and /dags/{dag_id}/clearTaskInstances.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <soci/soci.h>

#include "common/event_bus.hpp"
#include "common/json.hpp"
#include "schema/database.hpp"
#include "schema/dag_store.hpp"
#include "schema/run_store.hpp"
#include "common/paths.hpp"
#include "scheduler/scheduler.hpp"
#include "server/api/api.hpp"
#include "server/api/run_actions.hpp"
#include "server/api/serializers.hpp"
#include "server/http/params.hpp"

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

response dag_not_found(const std::string& dag_id) {
  return http::error(404, fmt::format("The Dag with ID: `{}` was not found", dag_id));
}

response run_not_found(const std::string& dag_id, const std::string& run_id) {
  return http::error(404, fmt::format("The DagRun with dag_id: `{}` and run_id: `{}` was not found", dag_id, run_id));
}

// Reads a body field that must be a string or null.
bool optional_string(const bj::object& body, std::string_view key, std::optional<std::string>& out,
                     http::validation& v) {
  const auto* value = body.if_contains(key);
  if (!value || value->is_null()) return true;
  if (!value->is_string()) {
    v.add("string_type", {"body", bj::string(key)}, "Input should be a valid string", *value);
    return false;
  }
  out = std::string(value->get_string());
  return true;
}

bool optional_time(const bj::object& body, std::string_view key, std::optional<timestamp>& out,
                   http::validation& v) {
  std::optional<std::string> text;
  if (!optional_string(body, key, text, v)) return false;
  if (!text) return true;
  out = parse_time(*text);
  if (!out) {
    v.add("datetime_from_date_parsing", {"body", bj::string(key)}, "Input should be a valid datetime",
          bj::string(*text));
    return false;
  }
  return true;
}

bool optional_bool(const bj::object& body, std::string_view key, bool& out, http::validation& v) {
  const auto* value = body.if_contains(key);
  if (!value) return true;
  if (!value->is_bool()) {
    v.add("bool_type", {"body", bj::string(key)}, "Input should be a valid boolean", *value);
    return false;
  }
  out = value->get_bool();
  return true;
}

void forbid_extra(const bj::object& body, std::initializer_list<std::string_view> allowed, http::validation& v) {
  for (const auto& [key, value] : body) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) v.add("extra_forbidden", {"body", bj::string(key)}, "Extra inputs are not permitted", value);
  }
}

void add_bounds(http::query_params& q, std::string_view name, const std::string& column,
                std::vector<schema::run_filter::bound>& bounds) {
  for (auto& [op, value] : q.time_range(name)) bounds.push_back({column, op, value});
}

bj::object runs_page(const std::vector<schema::dag_run_record>& runs, long long total) {
  bj::array items;
  for (const auto& r : runs) items.push_back(dag_run_response(r));
  return bj::object{{"dag_runs", std::move(items)}, {"total_entries", total}};
}

bj::object instances_page(const std::vector<const schema::task_instance_record*>& tis,
                          const schema::dag_run_record& run) {
  schema::dag_version_record v;
  v.uuid = run.version_uuid;
  v.version_number = run.version_number;
  v.dag_id = run.dag_id;
  v.bundle_name = run.bundle_name;
  v.created_at = run.version_created_at;
  bj::array items;
  for (const auto* t : tis) items.push_back(task_instance_response(*t, v));
  return bj::object{{"task_instances", std::move(items)}, {"total_entries", static_cast<long long>(tis.size())}};
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
    static const std::map<std::string, std::string> columns = {
        {"id", "r.id"}, {"state", "r.state"}, {"dag_id", "r.dag_id"}, {"run_id", "r.run_id"},
        {"dag_run_id", "r.run_id"}, {"logical_date", "r.logical_date"}, {"run_after", "r.run_after"},
        {"start_date", "r.start_date"}, {"end_date", "r.end_date"}, {"updated_at", "r.updated_at"},
        {"conf", "r.conf"}, {"duration", "(julianday(r.end_date) - julianday(r.start_date))"},
        {"run_type", "r.run_type"}};
    std::vector<std::string> sql_order;
    for (const auto& o : order) {
      const bool desc = o[0] == '-';
      sql_order.push_back((desc ? "-" : "") + columns.at(desc ? o.substr(1) : o));
    }
    auto list = [=](soci::session& s) {
      long long total = 0;
      const bool exists = !f.dag_id || schema::find_dag(s, *f.dag_id).has_value();
      auto runs = exists ? schema::list_runs(s, f, sql_order, limit, offset, &total) : std::vector<schema::dag_run_record>{};
      return std::make_tuple(exists, std::move(runs), total);
    };
    auto [exists, runs, total] = co_await ctx.db.read(std::move(list));
    if (!exists) co_return dag_not_found(dag_id);
    co_return http::json(runs_page(runs, total));
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
    scheduler::trigger_request t;
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
    if (!ctx.scheduler) co_return http::error(503, "The scheduler is not running");
    auto created = co_await ctx.scheduler->trigger(std::move(t));
    if (auto* e = std::get_if<scheduler::trigger_error>(&created)) co_return http::error(e->status, e->detail);
    co_return http::json(dag_run_response(std::get<schema::dag_run_record>(created)));
  });

  r.add("GET", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    const auto run_id = req.param("dag_run_id");
    auto find = [dag_id, run_id](soci::session& s) { return schema::find_run(s, dag_id, run_id); };
    auto run = co_await ctx.db.read(std::move(find));
    if (!run) co_return run_not_found(dag_id, run_id);
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
    const bool set_state = state && (mask.empty() || std::count(mask.begin(), mask.end(), "state"));
    const bool set_note = body->contains("note") && (mask.empty() || std::count(mask.begin(), mask.end(), "note"));
    auto update = [=](soci::session& s) -> std::optional<std::pair<schema::dag_run_record, std::vector<std::int64_t>>> {
      soci::transaction tx(s);
      auto loaded = load_run(s, dag_id, run_id);
      if (!loaded) return std::nullopt;
      std::vector<std::int64_t> stop;
      if (set_state) {
        stop = mark_run(s, *loaded, *state);
        schema::log_event(s, {"dagrun_" + *state, dag_id, std::nullopt, run_id});
      }
      if (set_note) schema::set_run_note(s, loaded->run.id, note);
      auto after = schema::find_run_by_id(s, loaded->run.id);
      tx.commit();
      return std::make_pair(*after, stop);
    };
    auto done = co_await ctx.db.write(std::move(update));
    if (!done) co_return run_not_found(dag_id, run_id);
    if (ctx.scheduler) {
      ctx.scheduler->kill_tries(done->second, "the run was marked " + state.value_or("changed"));
      ctx.scheduler->wake_run(done->first.id);
    }
    ctx.events.publish(live_event_type::dag_run, {{"dag_id", dag_id}, {"run_id", run_id}, {"state", done->first.state}});
    co_return http::json(dag_run_response(done->first));
  });

  r.add("DELETE", "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    const auto dag_id = req.param("dag_id");
    const auto run_id = req.param("dag_run_id");
    auto remove = [dag_id, run_id](soci::session& s) -> std::optional<std::vector<std::int64_t>> {
      soci::transaction tx(s);
      auto run = schema::find_run(s, dag_id, run_id);
      if (!run) return std::nullopt;
      std::vector<std::int64_t> stop;
      for (const auto& ti : schema::run_task_instances(s, run->id))
        if (ti.state == "running" || ti.state == "queued") stop.push_back(ti.id);
      schema::delete_run(s, run->id);
      schema::log_event(s, {"delete_dag_run", dag_id, std::nullopt, run_id});
      tx.commit();
      return stop;
    };
    auto stopped = co_await ctx.db.write(std::move(remove));
    if (!stopped) co_return run_not_found(dag_id, run_id);
    if (ctx.scheduler) ctx.scheduler->kill_tries(*stopped, "its run was deleted");
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(ctx.logs_dir) / safe_path_segment(dag_id) /
                                    safe_path_segment(run_id), ec);
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
    auto clear = [=](soci::session& s) -> std::optional<std::tuple<bj::object, std::vector<std::int64_t>, std::int64_t>> {
      soci::transaction tx(s);
      auto loaded = load_run(s, dag_id, run_id);
      if (!loaded) return std::nullopt;
      selection sel;
      sel.only_failed = only_failed;
      auto chosen = select_instances(*loaded, sel);
      if (dry_run) return std::make_tuple(instances_page(chosen, loaded->run), std::vector<std::int64_t>{}, loaded->run.id);
      auto stop = clear_instances(s, *loaded, chosen, true);
      schema::log_event(s, {"clear", dag_id, std::nullopt, run_id});
      auto after = schema::find_run_by_id(s, loaded->run.id);
      tx.commit();
      return std::make_tuple(dag_run_response(*after), stop, loaded->run.id);
    };
    auto done = co_await ctx.db.write(std::move(clear));
    if (!done) co_return run_not_found(dag_id, run_id);
    auto& [answer, stop, id] = *done;
    if (!dry_run && ctx.scheduler) {
      ctx.scheduler->kill_tries(stop, "it was cleared");
      ctx.scheduler->wake_run(id);
      ctx.events.publish(live_event_type::dag_run, {{"dag_id", dag_id}, {"run_id", run_id}, {"state", "queued"}});
    }
    co_return http::json(answer);
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
    bool dry_run = true, reset_runs = true, prevent_running = false, ignored = false;
    selection sel;
    sel.only_failed = true;
    optional_bool(*body, "dry_run", dry_run, v);
    optional_bool(*body, "only_failed", sel.only_failed, v);
    optional_bool(*body, "only_running", sel.only_running, v);
    optional_bool(*body, "reset_dag_runs", reset_runs, v);
    optional_bool(*body, "include_upstream", sel.include_upstream, v);
    optional_bool(*body, "include_downstream", sel.include_downstream, v);
    optional_bool(*body, "include_future", ignored, v);
    optional_bool(*body, "include_past", ignored, v);
    optional_bool(*body, "run_on_latest_version", ignored, v);
    optional_bool(*body, "prevent_running_task", prevent_running, v);
    std::optional<std::string> run_id;
    optional_string(*body, "dag_run_id", run_id, v);
    std::optional<timestamp> start, end;
    optional_time(*body, "start_date", start, v);
    optional_time(*body, "end_date", end, v);
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
    struct cleared {
      bool dag_found = false, run_found = false;
      bj::array items;
      std::vector<std::int64_t> stop, woken;
    };
    auto clear = [=](soci::session& s) {
      cleared out;
      if (!schema::find_dag(s, dag_id)) return out;
      out.dag_found = true;
      soci::transaction tx(s);
      schema::run_filter f;
      f.dag_id = dag_id;
      if (start) f.bounds.push_back({"COALESCE(r.logical_date, r.run_after)", ">=", format_store_time(*start)});
      if (end) f.bounds.push_back({"COALESCE(r.logical_date, r.run_after)", "<=", format_store_time(*end)});
      std::vector<schema::dag_run_record> runs;
      if (run_id) {
        auto one = schema::find_run(s, dag_id, *run_id);
        if (!one) return out;
        runs.push_back(*one);
      } else {
        runs = schema::list_runs(s, f, {}, 100000, 0, nullptr);
      }
      out.run_found = true;
      auto& [dag_found, run_found, items, stop, woken] = out;
      for (const auto& run : runs) {
        auto loaded = load_run(s, dag_id, run.run_id);
        if (!loaded) continue;
        auto chosen = select_instances(*loaded, sel);
        if (prevent_running)
          std::erase_if(chosen, [](const auto* t) { return t->state == "running" || t->state == "queued"; });
        auto page = instances_page(chosen, loaded->run);
        for (auto& item : page.at("task_instances").as_array()) items.push_back(std::move(item));
        if (dry_run || chosen.empty()) continue;
        auto killed = clear_instances(s, *loaded, chosen, reset_runs);
        stop.insert(stop.end(), killed.begin(), killed.end());
        woken.push_back(loaded->run.id);
        schema::log_event(s, {"clear", dag_id, std::nullopt, run.run_id});
      }
      tx.commit();
      return out;
    };
    auto done = co_await ctx.db.write(std::move(clear));
    if (!done.dag_found) co_return dag_not_found(dag_id);
    if (!done.run_found) co_return run_not_found(dag_id, *run_id);
    auto& [dag_found, run_found, items, stop, woken] = done;
    if (ctx.scheduler) {
      ctx.scheduler->kill_tries(stop, "it was cleared");
      for (auto id : woken) ctx.scheduler->wake_run(id);
    }
    const auto total = static_cast<long long>(items.size());
    co_return http::json(bj::object{{"task_instances", std::move(items)}, {"total_entries", total}});
  });
}

}  // namespace leoflow::api
