// Triggering, marking, clearing and deleting DAG runs.
#include "services/run_service.hpp"

#include <filesystem>
#include <system_error>

#include <boost/json/serialize.hpp>
#include <soci/soci.h>

#include "common/event_bus.hpp"
#include "common/json.hpp"
#include "common/paths.hpp"
#include "schema/database.hpp"
#include "scheduler/params.hpp"
#include "services/scheduling.hpp"

namespace leoflow::services {

namespace asio = boost::asio;

namespace {

void publish_run(event_bus& events, const std::string& dag_id, const std::string& run_id,
                 const std::string& state) {
  events.publish(live_event_type::dag_run, {{"dag_id", dag_id}, {"run_id", run_id}, {"state", state}});
}

}  // namespace

asio::awaitable<result<schema::dag_run_record>> run_service::trigger(trigger_request r) {
  if (!ctx_.scheduler) co_return unavailable("The scheduler is not running");
  auto create = [r](soci::session& s) -> result<schema::dag_run_record> {
    auto dag = schema::find_dag(s, r.dag_id);
    if (!dag) return dag_not_found(r.dag_id);
    auto v = schema::find_version(s, r.dag_id, std::nullopt, true);
    if (!v) return not_found("The Dag `" + r.dag_id + "` has no registered version");
    std::string problem;
    auto structure = scheduler::read_structure(v->spec, problem);
    if (!structure) return invalid_argument(problem);
    if (const auto* params = json::get_object(structure->spec, "params"))
      if (auto bad = scheduler::validate_conf(*params, r.conf)) return invalid_argument(*bad);
    const timestamp run_after = r.run_after.value_or(now());
    schema::new_run run;
    run.dag_id = r.dag_id;
    run.run_id = r.run_id.value_or("manual__" + format_python_iso(r.logical_date.value_or(run_after)));
    run.dag_version_id = v->id;
    run.run_type = "manual";
    if (r.logical_date) {
      run.logical_date = format_store_time(*r.logical_date);
      run.data_interval_start = format_store_time(r.data_interval_start.value_or(*r.logical_date));
      run.data_interval_end = format_store_time(r.data_interval_end.value_or(*r.logical_date));
    }
    run.run_after = format_store_time(run_after);
    run.conf = boost::json::serialize(r.conf);
    run.note = r.note;
    run.triggered_by = r.triggered_by;
    run.triggering_user_name = r.user;
    soci::transaction tx(s);
    auto created = schema::create_run(s, run, task_seeds(*structure));
    if (auto* taken = std::get_if<schema::run_conflict>(&created)) return conflict(taken->detail);
    schema::log_event(s, {"trigger", r.dag_id, std::nullopt, run.run_id, r.user, std::nullopt, run.logical_date});
    tx.commit();
    return std::get<schema::dag_run_record>(std::move(created));
  };
  auto created = co_await ctx_.db.write(std::move(create));
  if (created) {
    publish_run(ctx_.events, created->dag_id, created->run_id, created->state);
    ctx_.scheduler->wake_run(created->id);
  }
  co_return created;
}

asio::awaitable<result<schema::dag_run_record>> run_service::patch(std::string dag_id, std::string run_id,
                                                                    run_patch p) {
  struct patched {
    schema::dag_run_record run;
    std::vector<std::int64_t> stop;
  };
  auto update = [dag_id, run_id, p](soci::session& s) -> std::optional<patched> {
    soci::transaction tx(s);
    auto loaded = load_run(s, dag_id, run_id);
    if (!loaded) return std::nullopt;
    patched out;
    if (p.state) {
      out.stop = mark_run(s, *loaded, *p.state);
      schema::log_event(s, {"dagrun_" + *p.state, dag_id, std::nullopt, run_id});
    }
    if (p.set_note) schema::set_run_note(s, loaded->run.id, p.note);
    out.run = *schema::find_run_by_id(s, loaded->run.id);
    tx.commit();
    return out;
  };
  auto done = co_await ctx_.db.write(std::move(update));
  if (!done) co_return run_not_found(dag_id, run_id);
  if (ctx_.scheduler) {
    ctx_.scheduler->kill_tries(done->stop, "the run was marked " + p.state.value_or("changed"));
    ctx_.scheduler->wake_run(done->run.id);
  }
  publish_run(ctx_.events, dag_id, run_id, done->run.state);
  co_return std::move(done->run);
}

asio::awaitable<result<run_clear_outcome>> run_service::clear(std::string dag_id, std::string run_id, bool dry_run,
                                                              bool only_failed) {
  struct cleared {
    run_clear_outcome outcome;
    std::vector<std::int64_t> stop;
    std::int64_t run_pk = 0;
  };
  auto clear = [=](soci::session& s) -> std::optional<cleared> {
    soci::transaction tx(s);
    auto loaded = load_run(s, dag_id, run_id);
    if (!loaded) return std::nullopt;
    selection sel;
    sel.only_failed = only_failed;
    auto chosen = select_instances(*loaded, sel);
    cleared out;
    out.run_pk = loaded->run.id;
    if (dry_run) {
      run_instances listed{loaded->run, {}};
      for (const auto* t : chosen) listed.task_instances.push_back(*t);
      out.outcome.would_clear = std::move(listed);
      return out;
    }
    out.stop = clear_instances(s, *loaded, chosen, true);
    schema::log_event(s, {"clear", dag_id, std::nullopt, run_id});
    out.outcome.run = schema::find_run_by_id(s, loaded->run.id);
    tx.commit();
    return out;
  };
  auto done = co_await ctx_.db.write(std::move(clear));
  if (!done) co_return run_not_found(dag_id, run_id);
  if (!dry_run && ctx_.scheduler) {
    ctx_.scheduler->kill_tries(done->stop, "it was cleared");
    ctx_.scheduler->wake_run(done->run_pk);
    publish_run(ctx_.events, dag_id, run_id, "queued");
  }
  co_return std::move(done->outcome);
}

asio::awaitable<result<void>> run_service::remove(std::string dag_id, std::string run_id) {
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
  auto stopped = co_await ctx_.db.write(std::move(remove));
  if (!stopped) co_return run_not_found(dag_id, run_id);
  if (ctx_.scheduler) ctx_.scheduler->kill_tries(*stopped, "its run was deleted");
  auto logs = ctx_.logs_dir / safe_path_segment(dag_id) / safe_path_segment(run_id);
  auto remove_logs = [logs] {
    std::error_code ec;
    std::filesystem::remove_all(logs, ec);
  };
  co_await ctx_.db.run_blocking(std::move(remove_logs));
  co_return result<void>{};
}

}  // namespace leoflow::services
