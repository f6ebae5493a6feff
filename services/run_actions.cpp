// Marking and clearing runs and task instances.
#include "services/run_actions.hpp"

#include <algorithm>
#include <set>

#include "scheduler/run_planner.hpp"
#include "schema/dag_store.hpp"

namespace leoflow::services {

std::vector<schema::task_seed> task_seeds(const scheduler::dag_structure& dag) {
  std::vector<schema::task_seed> out;
  for (const auto& t : dag.tasks)
    out.push_back({t.task_id, t.operator_class, t.operator_name, t.pool, t.pool_slots, t.queue,
                   t.effective_priority, t.retries});
  return out;
}


std::optional<run_context> load_run(soci::session& s, const std::string& dag_id, const std::string& run_id) {
  auto run = schema::find_run(s, dag_id, run_id);
  if (!run) return std::nullopt;
  auto version = schema::find_version_by_id(s, run->dag_version_id, true);
  if (!version) return std::nullopt;
  std::string error;
  auto structure = scheduler::read_structure(version->spec, error);
  if (!structure) return std::nullopt;
  return run_context{*run, schema::run_task_instances(s, run->id), structure};
}

std::vector<std::int64_t> mark_run(soci::session& s, const run_context& ctx, const std::string& state) {
  std::vector<std::int64_t> stop;
  if (state == "queued") {
    schema::set_run_state(s, ctx.run.id, {"success", "failed", "running", "queued"}, "queued");
    return stop;
  }
  for (const auto& ti : ctx.tis) {
    if (scheduler::is_finished_state(ti.state)) continue;
    const bool active = ti.state == "running" || ti.state == "queued";
    if (active) stop.push_back(ti.id);
    const std::string to = state == "success" ? "success" : (active ? "failed" : "skipped");
    schema::set_ti_state(s, ti.id, {ti.state.value_or("none")}, to);
  }
  schema::set_run_state(s, ctx.run.id, {"queued", "running", "success", "failed"}, state);
  return stop;
}

std::vector<const schema::task_instance_record*> select_instances(const run_context& ctx, const selection& sel) {
  std::set<std::pair<std::string, int>> wanted_exact;
  std::set<std::string> wanted_tasks;
  if (sel.tasks.empty()) {
    for (const auto& t : ctx.structure->tasks) wanted_tasks.insert(t.task_id);
  }
  for (const auto& [task_id, map_index] : sel.tasks) {
    if (map_index) wanted_exact.insert({task_id, *map_index});
    else wanted_tasks.insert(task_id);
    for (bool down : {false, true}) {
      if ((down && !sel.include_downstream) || (!down && !sel.include_upstream)) continue;
      for (const auto& rel : ctx.structure->relatives(task_id, down)) wanted_tasks.insert(rel);
    }
  }
  std::vector<const schema::task_instance_record*> out;
  for (const auto& ti : ctx.tis) {
    if (!wanted_tasks.count(ti.task_id) && !wanted_exact.count({ti.task_id, ti.map_index})) continue;
    if (sel.only_failed && ti.state != "failed" && ti.state != "upstream_failed") continue;
    if (sel.only_running && ti.state != "running") continue;
    out.push_back(&ti);
  }
  return out;
}

std::vector<std::int64_t> clear_instances(soci::session& s, const run_context& ctx,
                                          const std::vector<const schema::task_instance_record*>& tis,
                                          bool reset_run) {
  std::vector<std::int64_t> stop;
  for (const auto* ti : tis) {
    if (ti->state == "running" || ti->state == "queued") stop.push_back(ti->id);
    schema::clear_ti(s, ti->id);
  }
  if (reset_run && !tis.empty())
    schema::set_run_state(s, ctx.run.id, {"success", "failed", "running", "queued"}, "queued");
  return stop;
}

std::vector<std::int64_t> mark_instances(soci::session& s, const run_context& ctx,
                                         const std::vector<const schema::task_instance_record*>& tis,
                                         const std::string& state) {
  std::vector<std::int64_t> stop;
  for (const auto* ti : tis) {
    if (ti->state == "running" || ti->state == "queued") stop.push_back(ti->id);
    schema::set_ti_state(s, ti->id, {}, state);
  }
  if (!tis.empty() && (ctx.run.state == "success" || ctx.run.state == "failed"))
    schema::set_run_state(s, ctx.run.id, {"success", "failed"}, "queued");
  return stop;
}

}  // namespace leoflow::services
