// The scheduler service: runs, task-instance decisions, launching, results.
#include "scheduler/scheduler.hpp"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <soci/soci.h>

#include "common/console.hpp"
#include "common/event_bus.hpp"
#include "common/json.hpp"
#include "common/secret_masker.hpp"
#include "executors/executor.hpp"
#include "executors/task_log.hpp"
#include "schema/config_store.hpp"
#include "schema/database.hpp"
#include "schema/pool_store.hpp"
#include "schema/soci_optional.hpp"
#include "scheduler/dag_structure.hpp"
#include "scheduler/run_planner.hpp"
#include "scheduler/timetable.hpp"
#include "services/run_actions.hpp"

namespace leoflow::scheduler {

namespace asio = boost::asio;
namespace bj = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::string host_name() {
  char buf[256] = {};
  return ::gethostname(buf, sizeof buf - 1) == 0 ? buf : "localhost";
}

bj::value api_time_or_null(const std::optional<std::string>& stored) {
  auto t = store_to_api_time(stored);
  return t ? bj::value(*t) : bj::value(nullptr);
}

// Is `pid` one of our task processes left over from before a restart?
bool is_runtime_process(long long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A fresh try runs leoflow_runtime; a forked one keeps its fork server's
  // command line.
  return cmdline.find("leoflow_runtime") != std::string::npos ||
         cmdline.find("leoflow_forkserver") != std::string::npos;
}

bj::object ti_event(const schema::task_instance_record& ti, const std::optional<std::string>& state) {
  return bj::object{{"dag_id", ti.dag_id},       {"run_id", ti.run_id},
                    {"task_id", ti.task_id},     {"map_index", ti.map_index},
                    {"state", json::nullable(state)}, {"try_number", ti.try_number}};
}

}  // namespace

template <typename Awaitable>
void scheduler::spawn(Awaitable a, const char* what) {
  asio::co_spawn(strand_, std::move(a), [this, what](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      console_.failure(fmt::format("scheduler: {} failed", what), ex.what());
    }
  });
}

scheduler::scheduler(asio::any_io_executor ex, schema::database& db, executors::executor& exec,
                     console& out, event_bus& events, scheduler_options options)
    : strand_(asio::make_strand(ex)), db_(db), executor_(exec), console_(out), events_(events),
      options_(std::move(options)), alarm_(strand_) {}

scheduler::~scheduler() = default;

asio::awaitable<void> scheduler::start() {
  auto begin = [this]() -> asio::awaitable<void> {
    co_await recover();
    auto list_active = [](soci::session& s) {
      std::vector<std::int64_t> ids;
      for (const auto& r : schema::active_runs(s)) ids.push_back(r.id);
      return ids;
    };
    auto ids = co_await db_.read(std::move(list_active));
    pending_runs_.insert(ids.begin(), ids.end());
    all_dags_pending_ = true;
    ensure_pumping();
    spawn(alarm_loop(), "the alarm");
  };
  co_await asio::co_spawn(strand_, begin(), asio::use_awaitable);
}

void scheduler::stop() {
  asio::post(strand_, [this] {
    stopping_ = true;
    alarm_.cancel();
  });
}

asio::awaitable<void> scheduler::settle(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  asio::steady_timer poll(strand_);
  while (recording_ > 0 && std::chrono::steady_clock::now() < deadline) {
    poll.expires_after(std::chrono::milliseconds(5));
    co_await poll.async_wait(tuple_awaitable);
  }
}

void scheduler::wake_run(std::int64_t dag_run_id) {
  asio::post(strand_, [this, dag_run_id] {
    pending_runs_.insert(dag_run_id);
    ensure_pumping();
  });
}

void scheduler::wake_dag(const std::string& dag_id) {
  asio::post(strand_, [this, dag_id] {
    pending_dags_.insert(dag_id);
    ensure_pumping();
  });
}

void scheduler::capacity_changed() {
  asio::post(strand_, [this] { wake_blocked(); });
}

void scheduler::wake_blocked() {
  if (blocked_runs_.empty()) return;
  pending_runs_.insert(blocked_runs_.begin(), blocked_runs_.end());
  blocked_runs_.clear();
  ensure_pumping();
}

void scheduler::kill_tries(std::vector<std::int64_t> ti_ids, std::string reason) {
  asio::post(strand_, [this, ti_ids = std::move(ti_ids), reason] {
    for (auto id : ti_ids)
      if (launched_.count(id)) executor_.kill(id, reason);
  });
}

void scheduler::dag_removed(const std::string& dag_id) {
  asio::post(strand_, [this, dag_id] {
    for (const auto& [id, t] : launched_)
      if (t.dag_id == dag_id) executor_.kill(id, "its DAG was removed");
  });
}

void scheduler::ensure_pumping() {
  if (pumping_ || stopping_) return;
  pumping_ = true;
  spawn(pump(), "a scheduling pass");
}

asio::awaitable<void> scheduler::pump() {
  std::exception_ptr failure;
  try {
    while (!stopping_ && (!pending_runs_.empty() || !pending_dags_.empty() || all_dags_pending_)) {
      if (!pending_dags_.empty() || all_dags_pending_) {
        std::set<std::string> dags;
        if (!all_dags_pending_) dags = std::move(pending_dags_);
        pending_dags_.clear();
        all_dags_pending_ = false;
        co_await check_schedules(std::move(dags));
        continue;
      }
      const auto id = *pending_runs_.begin();
      pending_runs_.erase(pending_runs_.begin());
      co_await evaluate_run(id);
    }
  } catch (...) {
    failure = std::current_exception();
  }
  pumping_ = false;
  if (failure) {
    // Keep scheduling the rest; this pass's error is reported by spawn().
    if (!pending_runs_.empty() || !pending_dags_.empty()) ensure_pumping();
    std::rethrow_exception(failure);
  }
}

asio::awaitable<std::shared_ptr<const scheduler::version_data>> scheduler::version(std::int64_t version_id) {
  if (auto it = versions_.find(version_id); it != versions_.end()) co_return it->second;
  auto load = [version_id](soci::session& s) { return schema::find_version_by_id(s, version_id, true); };
  auto v = co_await db_.read(std::move(load));
  if (!v) co_return nullptr;
  std::string error;
  auto structure = read_structure(v->spec, error);
  if (!structure) co_return nullptr;
  auto data = std::make_shared<version_data>(version_data{structure, v->source_code});
  versions_[version_id] = data;
  co_return data;
}

void scheduler::arm_alarm(timestamp when) {
  if (alarm_at_ && *alarm_at_ <= when) return;
  alarm_at_ = when;
  alarm_.cancel();
}

asio::awaitable<void> scheduler::alarm_loop() {
  while (!stopping_) {
    auto wait = std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.sweep);
    if (alarm_at_) {
      const auto until = std::chrono::duration_cast<std::chrono::steady_clock::duration>(*alarm_at_ - now());
      wait = std::max(std::chrono::steady_clock::duration::zero(), std::min(wait, until));
    }
    alarm_.expires_after(wait);
    auto [ec] = co_await alarm_.async_wait(tuple_awaitable);
    if (stopping_) co_return;
    if (ec) continue;  // re-armed earlier: compute the wait again
    alarm_at_.reset();
    auto list_active = [](soci::session& s) {
      std::vector<std::int64_t> ids;
      for (const auto& r : schema::active_runs(s)) ids.push_back(r.id);
      return ids;
    };
    auto ids = co_await db_.read(std::move(list_active));
    pending_runs_.insert(ids.begin(), ids.end());
    all_dags_pending_ = true;
    ensure_pumping();
  }
}

asio::awaitable<void> scheduler::recover() {
  auto list = [](soci::session& s) { return schema::unfinished_task_instances(s); };
  auto unfinished = co_await db_.read(std::move(list));
  // Tries whose work outlives a server (pods) go on under this one.
  std::vector<executors::adoptable_try> running;
  for (const auto& ti : unfinished)
    if (ti.state == "running" && ti.executor == std::optional<std::string>(executor_.name()))
      running.push_back({ti.id, ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.try_number,
                         executors::task_log_path(options_.logs_dir, ti.dag_id, ti.run_id, ti.task_id, ti.map_index,
                                                  ti.try_number),
                         options_.secrets ? options_.secrets->current() : nullptr});
  auto on_finished = [this](executors::task_result r) {
    ++recording_;
    asio::post(strand_, [this, r = std::move(r)]() mutable { spawn(finish_try(std::move(r)), "recording a finished try"); });
  };
  auto adopting = executor_.adopt(std::move(running), on_finished);
  const auto adopted_ids = co_await std::move(adopting);
  const std::set<std::int64_t> adopted(adopted_ids.begin(), adopted_ids.end());
  for (const auto& ti : unfinished)
    if (adopted.count(ti.id))
      launched_[ti.id] = {ti.dag_id, ti.dag_run_id, ti.try_number, ti.task_id, ti.pool, ti.pool_slots};
  if (!adopted.empty())
    console_.info(fmt::format("took over {} running task tr{} from a previous server", adopted.size(),
                              adopted.size() == 1 ? "y" : "ies"));
  std::size_t recovered = 0;
  for (const auto& ti : unfinished) {
    if (adopted.count(ti.id)) continue;
    ++recovered;
    if (ti.pid && *ti.pid > 0 && is_runtime_process(*ti.pid)) ::kill(-static_cast<pid_t>(*ti.pid), SIGKILL);
    if (ti.state == "queued" && !ti.pid) {
      // Never started: it goes back to the queue as if nothing happened.
      const auto id = ti.id;
      auto requeue = [id](soci::session& s) { schema::requeue_unstarted_ti(s, id); };
      co_await db_.write(std::move(requeue));
      continue;
    }
    {
      executors::task_log_writer log(executors::task_log_path(options_.logs_dir, ti.dag_id, ti.run_id,
                                                              ti.task_id, ti.map_index, ti.try_number));
      if (ti.executor == std::optional<std::string>("kubernetes"))
        log.line("executor", "Leoflow stopped while this try was running and its pod is gone (or ended while no "
                             "server listened), so the try is marked failed.");
      else
        log.line("executor", fmt::format("Leoflow stopped while this try was running (pid {}); its process "
                                         "is gone, so the try is marked failed.",
                                         ti.pid.value_or(0)));
    }
    executors::task_result r;
    r.ti_id = ti.id;
    r.try_number = ti.try_number;
    r.state = "failed";
    r.error = "the server stopped while the task was running";
    launched_[ti.id] = {ti.dag_id, ti.dag_run_id, ti.try_number, ti.task_id, ti.pool, ti.pool_slots};
    ++recording_;
    co_await finish_try(std::move(r));
  }
  if (recovered > 0)
    console_.warning(fmt::format("recovered {} task instance{} left running by a previous server", recovered,
                                 recovered == 1 ? "" : "s"));
}

asio::awaitable<void> scheduler::evaluate_run(std::int64_t dag_run_id) {
  struct snapshot {
    std::optional<schema::dag_run_record> run;
    std::vector<schema::task_instance_record> tis;
    std::optional<schema::dag_record> dag;
    long long running_runs = 0;
    std::vector<schema::xcom_record> xcoms;
    std::map<std::string, long long> pools;
  };
  // Decided anew below; until then the run holds nothing back.
  blocked_runs_.erase(dag_run_id);
  pool_waiting_.erase(dag_run_id);
  auto read = [dag_run_id](soci::session& s) {
    snapshot out;
    out.run = schema::find_run_by_id(s, dag_run_id);
    if (!out.run) return out;
    out.tis = schema::run_task_instances(s, dag_run_id);
    out.dag = schema::find_dag(s, out.run->dag_id);
    out.running_runs = schema::count_runs(s, out.run->dag_id, {"running"});
    out.xcoms = schema::run_xcoms(s, dag_run_id);
    out.pools = schema::pool_sizes(s);
    return out;
  };
  auto snap = co_await db_.read(std::move(read));
  if (!snap.run || !snap.dag) co_return;
  auto run = *snap.run;
  if (run.state != "queued" && run.state != "running") co_return;
  // A paused DAG starts nothing new; unpausing wakes its runs again.
  if (snap.dag->is_paused) co_return;
  auto vd = co_await version(run.dag_version_id);
  if (!vd) {
    auto fail = [dag_run_id](soci::session& s) { schema::set_run_state(s, dag_run_id, {"queued", "running"}, "failed"); };
    co_await db_.write(std::move(fail));
    console_.failure(fmt::format("{}: run {} failed: its DAG version cannot be read", run.dag_id, run.run_id));
    co_return;
  }
  const auto& dag = *vd->structure;

  if (run.state == "queued") {
    if (snap.running_runs >= dag.max_active_runs) co_return;  // woken when one ends
    auto begin = [dag_run_id](soci::session& s) { return schema::set_run_state(s, dag_run_id, {"queued"}, "running"); };
    if (!co_await db_.write(std::move(begin))) co_return;
    run.state = "running";
    events_.publish(live_event_type::dag_run, {{"dag_id", run.dag_id}, {"run_id", run.run_id}, {"state", "running"}});
  }

  std::vector<ti_view> views;
  for (const auto& t : snap.tis) {
    ti_view v{t.id, t.task_id, t.map_index, t.state, t.try_number, std::nullopt};
    if (t.next_retry_at) v.next_retry_at = parse_time(*t.next_retry_at);
    views.push_back(std::move(v));
  }
  std::map<std::tuple<std::string, int, std::string>, const schema::xcom_record*> xcom_index;
  for (const auto& x : snap.xcoms) xcom_index[{x.task_id, x.map_index, x.key}] = &x;
  xcom_lookup lookup = [&](const std::string& task, int map_index, const std::string& key)
      -> std::optional<bj::value> {
    auto it = xcom_index.find({task, map_index, key});
    if (it == xcom_index.end() || !it->second->value) return std::nullopt;
    return json::try_parse(*it->second->value);
  };
  auto plan = plan_run(dag, views, lookup, now());

  // A run past its dagrun_timeout fails, and so do its unfinished tries.
  bool timed_out = false;
  if (dag.dagrun_timeout && run.start_date && !plan.run_state) {
    if (auto started = parse_time(*run.start_date)) {
      const auto deadline = *started + std::chrono::microseconds(static_cast<long long>(*dag.dagrun_timeout * 1e6));
      if (now() >= deadline) {
        timed_out = true;
        plan = run_plan{};
        plan.run_state = "failed";
        plan.run_reason = fmt::format("dagrun_timeout of {:.0f} s exceeded", *dag.dagrun_timeout);
      } else {
        arm_alarm(deadline);
      }
    }
  }

  std::map<std::int64_t, const schema::task_instance_record*> by_id;
  for (const auto& t : snap.tis) by_id[t.id] = &t;

  // What may start now, with no co_await between reading what runs and
  // recording what waits: a try finishing in between must see this run as
  // blocked to wake it.
  std::vector<ready_try> ready;
  for (auto id : plan.ready) {
    const auto& ti = *by_id.at(id);
    const auto* task = dag.task(ti.task_id);
    ready.push_back({id, ti.task_id, ti.pool, ti.pool_slots, task ? task->effective_priority : 1});
  }
  std::vector<active_try> active;
  for (const auto& [id, t] : launched_) active.push_back({t.dag_id, t.dag_run_id, t.task_id, t.pool, t.pool_slots});
  std::map<std::string, std::vector<pool_waiter>> waiters;
  for (const auto& [other_run, waiting] : pool_waiting_)
    for (const auto& w : waiting) waiters[w.pool].push_back({other_run, w.priority, w.pool_slots});
  auto admitted = admit(dag, dag_run_id, ready, active, waiters, {options_.parallelism, snap.pools});
  const std::vector<std::int64_t> picked = admitted.admitted;
  if (admitted.held) blocked_runs_.insert(dag_run_id);
  if (!admitted.waiting_for_pool.empty()) pool_waiting_[dag_run_id] = admitted.waiting_for_pool;
  for (auto other : admitted.runs_to_wake) pending_runs_.insert(other);
  for (const auto& r : ready) {
    auto pool = snap.pools.find(r.pool);
    const bool missing = pool == snap.pools.end();
    if (!missing && (pool->second < 0 || r.pool_slots <= pool->second)) continue;
    if (!warned_pools_.insert(run.dag_id + "\n" + r.task_id + "\n" + r.pool).second) continue;
    console_.warning(missing ? fmt::format("{}.{} waits: pool '{}' does not exist (create it in the API or UI: "
                                           "POST /api/v2/pools)", run.dag_id, r.task_id, r.pool)
                             : fmt::format("{}.{} waits: it needs {} slots of pool '{}', which has {}", run.dag_id,
                                           r.task_id, r.pool_slots, r.pool, pool->second));
  }
  const std::string host = host_name();
  auto apply = [&plan, picked, by_id, dag_run_id, host, timed_out, run](soci::session& s) {
    std::vector<std::int64_t> queued;
    std::vector<std::int64_t> stopped;
    soci::transaction tx(s);
    for (const auto& c : plan.changes) schema::set_ti_state(s, c.ti_id, {c.from.value_or("none")}, c.to);
    for (const auto& f : plan.failures) {
      const auto* ti = by_id.at(f.ti_id);
      schema::log_event(s, {"failed", run.dag_id, ti->task_id, run.run_id, std::nullopt, f.reason});
    }
    for (const auto& e : plan.expansions) schema::expand_mapped(s, e.ti_id, e.count);
    for (auto id : picked) {
      const auto* ti = by_id.at(id);
      schema::archive_try(s, id);
      if (schema::queue_ti(s, id, {ti->state.value_or("none")}, host)) queued.push_back(id);
    }
    if (timed_out) {
      for (const auto& [id, ti] : by_id) {
        if (is_finished_state(ti->state)) continue;
        if (ti->state == "running" || ti->state == "queued") stopped.push_back(id);
        schema::set_ti_state(s, id, {ti->state.value_or("none")}, ti->state == "running" || ti->state == "queued"
                                                                      ? std::optional<std::string>("failed")
                                                                      : std::optional<std::string>("skipped"));
      }
    }
    if (plan.run_state) {
      schema::set_run_state(s, dag_run_id, {"running"}, *plan.run_state);
      schema::log_event(s, {*plan.run_state == "success" ? "dagrun_success" : "dagrun_failed", run.dag_id,
                           std::nullopt, run.run_id, std::nullopt, plan.run_reason});
    }
    schema::touch_run_decision(s, dag_run_id);
    tx.commit();
    return std::make_pair(queued, stopped);
  };
  auto [queued, stopped] = co_await db_.write(std::move(apply));

  for (const auto& c : plan.changes) events_.publish(live_event_type::task_instance, ti_event(*by_id.at(c.ti_id), c.to));
  if (!stopped.empty()) kill_tries(stopped, "the run exceeded its dagrun_timeout");
  if (!plan.expansions.empty()) pending_runs_.insert(dag_run_id);
  if (plan.wake_at) arm_alarm(*plan.wake_at);

  if (!queued.empty()) {
    // What the runtime needs besides the instance itself.
    auto load = [](soci::session& s) {
      bj::object variables, connections;
      secret_sources secrets;
      for (const auto& v : schema::list_variables(s, std::nullopt, {}, 100000, 0, nullptr)) {
        variables[v.key] = json::nullable(v.value);
        secrets.variables.emplace_back(v.key, v.value.value_or(""));
      }
      for (const auto& c : schema::list_connections(s, std::nullopt, {}, 100000, 0, nullptr)) {
        secrets.connections.push_back({c.password.value_or(""), c.extra.value_or("")});
        connections[c.conn_id] = bj::object{{"conn_type", c.conn_type},     {"host", json::nullable(c.host)},
                                            {"login", json::nullable(c.login)}, {"password", json::nullable(c.password)},
                                            {"schema", json::nullable(c.schema_name)},
                                            {"port", c.port ? bj::value(*c.port) : bj::value(nullptr)},
                                            {"extra", json::nullable(c.extra)},
                                            {"description", json::nullable(c.description)}};
      }
      return std::make_tuple(variables, connections, secrets);
    };
    auto [variables, connections, secrets] = co_await db_.read(std::move(load));
    // The tries' logs hide what they were given.
    auto masker = options_.secrets ? options_.secrets->update(secrets) : nullptr;
    bj::array xcoms;
    for (const auto& x : snap.xcoms) {
      auto value = x.value ? json::try_parse(*x.value) : std::optional<bj::value>();
      xcoms.push_back(bj::object{{"task_id", x.task_id},
                                 {"map_index", x.map_index},
                                 {"key", x.key},
                                 {"value", value ? *value : bj::value(nullptr)}});
    }
    bj::object map_counts;
    for (const auto& t : snap.tis)
      if (t.map_index >= 0) map_counts[t.task_id] = map_counts.contains(t.task_id) ? map_counts[t.task_id].as_int64() + 1 : 1;
    std::vector<std::string> dependencies;
    if (auto deps = json::try_parse(snap.dag->dependencies); deps && deps->is_array())
      for (const auto& d : deps->get_array())
        if (d.is_string()) dependencies.emplace_back(d.get_string());
    const bj::value conf = json::try_parse(run.conf).value_or(bj::object{});

    for (auto id : queued) {
      const auto& ti = *by_id.at(id);
      const auto* task = dag.task(ti.task_id);
      const int try_number = ti.try_number + 1;
      bj::object context{
          {"dag_file", snap.dag->fileloc},
          {"dag_source", vd->source_code},
          {"dag_id", run.dag_id},
          {"task_id", ti.task_id},
          {"map_index", ti.map_index},
          {"run_id", run.run_id},
          {"run_type", run.run_type},
          {"try_number", try_number},
          {"max_tries", ti.max_tries},
          {"logical_date", api_time_or_null(run.logical_date)},
          {"data_interval_start", api_time_or_null(run.data_interval_start)},
          {"data_interval_end", api_time_or_null(run.data_interval_end)},
          {"run_after", api_time_or_null(run.run_after)},
          {"run_start_date", api_time_or_null(run.start_date)},
          {"conf", conf},
          {"xcoms", xcoms},
          {"upstream_map_indexes", map_counts},
          {"variables", variables},
          {"connections", connections},
      };
      executors::task_request req;
      req.ti_id = id;
      req.dag_id = run.dag_id;
      req.run_id = run.run_id;
      req.task_id = ti.task_id;
      req.map_index = ti.map_index;
      req.try_number = try_number;
      req.context_json = bj::serialize(context);
      req.project_dir = snap.dag->project_dir.value_or(std::filesystem::path(snap.dag->fileloc).parent_path().string());
      req.log_file = executors::task_log_path(options_.logs_dir, run.dag_id, run.run_id, ti.task_id,
                                              ti.map_index, try_number);
      if (task && task->execution_timeout)
        req.timeout = std::chrono::milliseconds(static_cast<long long>(*task->execution_timeout * 1000));
      req.dependencies = dependencies;
      if (task) req.executor_config = task->executor_config;
      req.venv_name = snap.dag->venv_name.value_or(run.dag_id);
      req.secrets = masker;
      launched_[id] = {run.dag_id, dag_run_id, try_number, ti.task_id, ti.pool, ti.pool_slots};
      auto queued_ti = ti;
      queued_ti.try_number = try_number;
      events_.publish(live_event_type::task_instance, ti_event(queued_ti, "queued"));
      auto on_started = [this, id, queued_ti](long long pid) {
        asio::post(strand_, [this, id, queued_ti, pid] { spawn(record_start(id, pid, queued_ti), "recording a started try"); });
      };
      auto on_finished = [this](executors::task_result r) {
        ++recording_;
        asio::post(strand_, [this, r = std::move(r)]() mutable { spawn(finish_try(std::move(r)), "recording a finished try"); });
      };
      executor_.launch(std::move(req), on_started, on_finished);
    }
  }

  if (plan.run_state) {
    events_.publish(live_event_type::dag_run, {{"dag_id", run.dag_id}, {"run_id", run.run_id}, {"state", *plan.run_state}});
    double seconds = 0;
    if (run.start_date)
      if (auto started = parse_time(*run.start_date)) seconds = std::chrono::duration<double>(now() - *started).count();
    if (*plan.run_state == "success")
      console_.success(fmt::format("{}: run {} succeeded ({:.1f} s)", run.dag_id, run.run_id, seconds));
    else
      console_.failure(fmt::format("{}: run {} failed ({:.1f} s){}", run.dag_id, run.run_id, seconds,
                                   plan.run_reason ? ": " + *plan.run_reason : ""));
    executor_.run_ended(run.dag_id, run.run_id, *plan.run_state == "success");
    // Another queued run of the DAG may start now; a catchup may continue.
    pending_dags_.insert(run.dag_id);
  }
}

asio::awaitable<void> scheduler::record_start(std::int64_t ti_id, long long pid, schema::task_instance_record ti) {
  auto mark = [this, ti_id, pid](soci::session& s) { schema::start_ti(s, ti_id, pid, executor_.name()); };
  co_await db_.write(std::move(mark));
  events_.publish(live_event_type::task_instance, ti_event(ti, "running"));
}

asio::awaitable<void> scheduler::finish_try(executors::task_result result) {
  struct counted {
    std::atomic<int>& n;
    ~counted() { --n; }
  } recorded_guard{recording_};
  launched_.erase(result.ti_id);
  wake_blocked();  // its slots are free
  auto load = [id = result.ti_id](soci::session& s) {
    auto ti = schema::find_task_instance_by_id(s, id);
    std::optional<schema::dag_run_record> run;
    if (ti) run = schema::find_run_by_id(s, ti->dag_run_id);
    return std::make_pair(ti, run);
  };
  auto [ti, run] = co_await db_.read(std::move(load));
  if (!ti || !run) co_return;
  auto vd = co_await version(run->dag_version_id);
  const task_node* task = vd ? vd->structure->task(ti->task_id) : nullptr;

  // Rendered fields and the failure line are shown to every viewer: no
  // secret in them reaches the store or the terminal.
  if (options_.secrets) {
    const auto masker = options_.secrets->current();
    if (result.rendered_fields)
      if (auto fields = json::try_parse(*result.rendered_fields))
        result.rendered_fields = bj::serialize(masker->mask_json(*fields));
    result.error = masker->mask(result.error);
  }
  schema::try_result outcome;
  outcome.state = result.state;
  outcome.rendered_fields = result.rendered_fields;
  outcome.xcoms = result.xcoms;
  if (result.state == "failed" && !result.no_retry && result.try_number <= ti->max_tries) {
    outcome.state = "up_for_retry";
    const double delay = task ? retry_delay_seconds(*task, result.try_number) : 300;
    const auto at = now() + std::chrono::microseconds(static_cast<long long>(delay * 1e6));
    outcome.next_retry_at = format_store_time(at);
    arm_alarm(at);
  }
  const auto record = [result, outcome, ti = *ti, run = *run](soci::session& s) {
    soci::transaction tx(s);
    if (!schema::finish_ti(s, result.ti_id, result.try_number, outcome)) return false;
    for (const auto& task_id : result.skip_task_ids)
      for (const auto& other : schema::run_task_instances(s, ti.dag_run_id))
        if (other.task_id == task_id) schema::set_ti_state(s, other.id, {"none", "scheduled"}, "skipped");
    for (const auto& [key, value] : result.variables_set) schema::put_variable(s, key, value, std::nullopt);
    schema::event_record e{outcome.state, ti.dag_id, ti.task_id, run.run_id};
    e.map_index = ti.map_index;
    e.try_number = result.try_number;
    if (!result.error.empty()) e.extra = result.error;
    schema::log_event(s, e);
    tx.commit();
    return true;
  };
  const bool recorded = co_await db_.write(record);
  if (!result.variables_set.empty() && options_.secrets) options_.secrets->changed();
  if (!recorded) co_return;  // cleared or marked while it ran: that decision stands
  auto shown = *ti;
  shown.try_number = result.try_number;
  events_.publish(live_event_type::task_instance, ti_event(shown, outcome.state));
  const auto label = ti->map_index >= 0 ? fmt::format("{}[{}]", ti->task_id, ti->map_index) : ti->task_id;
  if (outcome.state == "failed")
    console_.failure(fmt::format("{}.{} failed (try {} of {}): {}", ti->dag_id, label, result.try_number,
                                 ti->max_tries + 1, result.error));
  else if (outcome.state == "up_for_retry")
    console_.warning(fmt::format("{}.{} failed (try {} of {}), retrying at {}: {}", ti->dag_id, label,
                                 result.try_number, ti->max_tries + 1,
                                 format_local_clock(*parse_time(*outcome.next_retry_at)), result.error));
  wake_run(ti->dag_run_id);
}

asio::awaitable<void> scheduler::check_schedules(std::set<std::string> dag_ids) {
  struct dag_state {
    schema::dag_record dag;
    std::optional<schema::dag_version_record> latest;
    std::optional<std::string> last_logical;
    long long active = 0;
    std::vector<std::int64_t> queued;
  };
  auto read = [dag_ids](soci::session& s) {
    std::vector<dag_state> out;
    schema::dag_filter f;
    f.dag_ids.assign(dag_ids.begin(), dag_ids.end());
    for (auto& d : schema::list_dags(s, f, {}, 1000000, 0, nullptr)) {
      dag_state st;
      st.dag = std::move(d);
      st.latest = schema::find_version(s, st.dag.dag_id, std::nullopt, false);
      st.last_logical = schema::last_scheduled_logical_date(s, st.dag.dag_id);
      st.queued = schema::active_run_ids(s, st.dag.dag_id);
      st.active = static_cast<long long>(st.queued.size());
      out.push_back(std::move(st));
    }
    return out;
  };
  auto dags = co_await db_.read(std::move(read));
  const auto t = now();
  for (auto& st : dags) {
    for (auto id : st.queued) pending_runs_.insert(id);
    if (!st.latest) continue;
    auto vd = co_await version(st.latest->id);
    if (!vd) continue;
    std::string error;
    auto tt = timetable::from_spec(vd->structure->spec, error);
    std::optional<timestamp> last;
    if (st.last_logical) last = parse_time(*st.last_logical);
    std::optional<timestamp> next = tt.next_tick(last, t);
    const int max_runs = std::max(1, vd->structure->max_active_runs);
    // Create every run that is due, as far as max_active_runs allows.
    while (next && *next <= t && !st.dag.is_paused && !st.dag.is_stale && st.active < max_runs) {
      schema::new_run run;
      run.dag_id = st.dag.dag_id;
      run.run_id = "scheduled__" + format_python_iso(*next);
      run.dag_version_id = st.latest->id;
      run.run_type = "scheduled";
      run.logical_date = format_store_time(*next);
      run.data_interval_start = run.logical_date;
      run.data_interval_end = run.logical_date;
      run.run_after = *run.logical_date;
      run.triggered_by = "timetable";
      auto seeds = services::task_seeds(*vd->structure);
      auto create = [run, seeds](soci::session& s) {
        soci::transaction tx(s);
        auto created = schema::create_run(s, run, seeds);
        tx.commit();
        return created;
      };
      auto created = co_await db_.write(std::move(create));
      if (auto* r = std::get_if<schema::dag_run_record>(&created)) {
        pending_runs_.insert(r->id);
        ++st.active;
        events_.publish(live_event_type::dag_run, {{"dag_id", r->dag_id}, {"run_id", r->run_id}, {"state", r->state}});
        console_.info(fmt::format("{}: scheduled run {}", r->dag_id, r->run_id));
      }
      last = next;
      next = tt.next_tick(last, t);
    }
    // What the API shows as the next run.
    std::optional<std::string> next_text;
    if (next) next_text = format_store_time(*next);
    const auto description = tt.description();
    auto update = [dag_id = st.dag.dag_id, next_text, description](soci::session& s) {
      schema::set_next_dagrun(s, dag_id, next_text, description);
    };
    co_await db_.write(std::move(update));
    if (next && *next > t && !st.dag.is_paused && !st.dag.is_stale) arm_alarm(*next);
  }
}

}  // namespace leoflow::scheduler
