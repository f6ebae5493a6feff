// Marking and clearing task instances.
#include "services/task_instance_service.hpp"

#include <soci/soci.h>

#include "common/event_bus.hpp"
#include "common/json.hpp"
#include "schema/database.hpp"
#include "services/scheduling.hpp"

namespace leoflow::services {

namespace asio = boost::asio;

std::map<std::int64_t, schema::dag_version_record> versions_of(soci::session& s,
                                                             const std::vector<schema::task_instance_record>& tis) {
  std::map<std::int64_t, schema::dag_version_record> out;
  for (const auto& t : tis) {
    if (!t.dag_version_id || out.count(*t.dag_version_id)) continue;
    if (auto v = schema::find_version_by_id(s, *t.dag_version_id, false)) out[*t.dag_version_id] = *v;
  }
  return out;
}

asio::awaitable<result<instances_with_versions>> task_instance_service::patch(std::string dag_id, std::string run_id,
                                                                            ti_patch p) {
  struct patched {
    instances_with_versions after;
    std::vector<std::int64_t> stop;
    std::int64_t run_pk = 0;
  };
  auto sel = p.relatives;
  sel.tasks = {{p.task_id, p.map_index && *p.map_index >= 0 ? p.map_index : std::nullopt}};
  auto update = [dag_id, run_id, p, sel](soci::session& s) -> std::optional<patched> {
    soci::transaction tx(s);
    auto loaded = load_run(s, dag_id, run_id);
    if (!loaded) return std::nullopt;
    auto chosen = select_instances(*loaded, sel);
    if (chosen.empty()) return std::nullopt;
    patched out;
    out.run_pk = loaded->run.id;
    if (p.new_state) {
      out.stop = mark_instances(s, *loaded, chosen, *p.new_state);
      schema::log_event(s, {"set_task_instance_state", dag_id, p.task_id, run_id, std::nullopt, *p.new_state});
    }
    if (p.set_note)
      for (const auto* t : chosen) schema::set_ti_note(s, t->id, p.note);
    for (const auto* t : chosen)
      if (auto fresh = schema::find_task_instance_by_id(s, t->id)) out.after.task_instances.push_back(*fresh);
    out.after.versions = versions_of(s, out.after.task_instances);
    tx.commit();
    return out;
  };
  auto done = co_await ctx_.db.write(std::move(update));
  if (!done) co_return task_instance_not_found(dag_id, run_id, p.task_id, p.map_index.value_or(-1));
  if (ctx_.scheduler) {
    ctx_.scheduler->kill_tries(done->stop, "it was marked " + p.new_state.value_or(""));
    ctx_.scheduler->wake_run(done->run_pk);
  }
  for (const auto& t : done->after.task_instances)
    ctx_.events.publish(live_event_type::task_instance, {{"dag_id", dag_id}, {"run_id", run_id}, {"task_id", t.task_id},
                                          {"map_index", t.map_index}, {"state", json::nullable(t.state)},
                                          {"try_number", t.try_number}});
  co_return std::move(done->after);
}

asio::awaitable<result<std::vector<run_instances>>> task_instance_service::clear(std::string dag_id, ti_clear c) {
  struct cleared {
    bool dag_found = false, run_found = false;
    std::vector<run_instances> runs;
    std::vector<std::int64_t> stop, woken;
  };
  auto clear = [dag_id, c](soci::session& s) {
    cleared out;
    soci::transaction tx(s);
    if (!schema::find_dag(s, dag_id)) return out;
    out.dag_found = true;
    std::vector<schema::dag_run_record> runs;
    if (c.run_id) {
      auto one = schema::find_run(s, dag_id, *c.run_id);
      if (!one) return out;
      runs.push_back(*one);
    } else {
      schema::run_filter f;
      f.dag_id = dag_id;
      const std::string on = "COALESCE(r.logical_date, r.run_after)";
      if (c.start_date) f.bounds.push_back({on, ">=", format_store_time(*c.start_date)});
      if (c.end_date) f.bounds.push_back({on, "<=", format_store_time(*c.end_date)});
      runs = schema::list_runs(s, f, {}, 100000, 0, nullptr);
    }
    out.run_found = true;
    for (const auto& run : runs) {
      auto loaded = load_run(s, dag_id, run.run_id);
      if (!loaded) continue;
      auto chosen = select_instances(*loaded, c.chosen);
      if (c.prevent_running_task)
        std::erase_if(chosen, [](const auto* t) { return t->state == "running" || t->state == "queued"; });
      run_instances listed{loaded->run, {}};
      for (const auto* t : chosen) listed.task_instances.push_back(*t);
      out.runs.push_back(std::move(listed));
      if (c.dry_run || chosen.empty()) continue;
      auto killed = clear_instances(s, *loaded, chosen, c.reset_dag_runs);
      out.stop.insert(out.stop.end(), killed.begin(), killed.end());
      out.woken.push_back(loaded->run.id);
      schema::log_event(s, {"clear", dag_id, std::nullopt, run.run_id});
    }
    tx.commit();
    return out;
  };
  auto done = co_await ctx_.db.write(std::move(clear));
  if (!done.dag_found) co_return dag_not_found(dag_id);
  if (!done.run_found) co_return run_not_found(dag_id, *c.run_id);
  if (ctx_.scheduler) {
    ctx_.scheduler->kill_tries(done.stop, "it was cleared");
    for (auto id : done.woken) ctx_.scheduler->wake_run(id);
  }
  co_return std::move(done.runs);
}

}  // namespace leoflow::services
