// What the service tests share: a real SQLite file in a temp dir with one
// registered DAG (extract >> load), a real event bus, and a recording
// stand-in for the scheduler (the real one needs an executor and launches
// Python; the services only tell it to wake and kill, which is what is
// checked here).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <soci/soci.h>

#include "common/event_bus.hpp"
#include "schema/database.hpp"
#include "schema/dag_store.hpp"
#include "schema/run_store.hpp"
#include "services/run_service.hpp"
#include "services/scheduling.hpp"
#include "services/service_context.hpp"
#include "test/support/temp_home.hpp"

namespace leoflow::test {

class recording_scheduler final : public services::scheduling {
 public:
  void wake_run(std::int64_t id) override { woken_runs.push_back(id); }
  void wake_dag(const std::string& dag_id) override { woken_dags.push_back(dag_id); }
  void capacity_changed() override { ++capacity_changes; }
  void kill_tries(std::vector<std::int64_t> ids, std::string reason) override {
    for (auto id : ids) killed.emplace_back(id, reason);
  }
  std::vector<std::int64_t> woken_runs;
  std::vector<std::string> woken_dags;
  int capacity_changes = 0;
  std::vector<std::pair<std::int64_t, std::string>> killed;
};

struct service_fixture {
  temp_dir dir;
  schema::database db{dir.path() / "lite.db"};
  event_bus events;
  recording_scheduler scheduler;
  boost::asio::io_context io;
  std::shared_ptr<event_subscription> heard = events.subscribe(io.get_executor());

  service_fixture() {
    register_dag("etl");
    register_dag("report");
  }

  services::service_context context() { return {db, events, &scheduler, dir.path() / "logs", {}}; }

  void register_dag(const std::string& dag_id) {
    schema::dag_registration d;
    d.dag_id = dag_id;
    d.spec = R"({"dag_id":")" + dag_id +
             R"(","tasks":[{"task_id":"extract","upstream":[]},{"task_id":"load","upstream":["extract"]}]})";
    d.spec_hash = "h-" + dag_id;
    d.source_code = "# source";
    schema::file_origin origin{"/dags/" + dag_id + "/dag.py", dag_id + "/dag.py", "dags", "/dags/" + dag_id};
    db.write_now([&](soci::session& s) { return schema::register_file(s, origin, {d}, 0.01, false); });
  }

  // Runs one awaitable operation to completion on the test's io_context.
  template <typename Awaitable>
  auto run(Awaitable a) {
    auto done = boost::asio::co_spawn(io, std::move(a), boost::asio::use_future);
    io.restart();
    io.run();
    return done.get();
  }

  // A manual run, as POST /dagRuns makes it.
  schema::dag_run_record trigger(const std::string& dag_id, const std::string& run_id) {
    services::run_service runs(context());
    services::trigger_request t;
    t.dag_id = dag_id;
    t.run_id = run_id;
    auto created = run(runs.trigger(t));
    if (!created) throw std::runtime_error(created.error().detail);
    return *created;
  }

  // The types of the live events published so far (and not read before).
  std::vector<live_event> published() {
    auto read = [this]() -> boost::asio::awaitable<std::vector<live_event>> {
      co_return co_await heard->next(std::chrono::milliseconds(0));
    };
    return run(read());
  }

  long long count(const std::string& sql) {
    return db.write_now([&](soci::session& s) {
      long long n = 0;
      s << sql, soci::into(n);
      return n;
    });
  }

  std::optional<std::string> ti_state(const std::string& dag_id, const std::string& run_id,
                                      const std::string& task_id) {
    return db.write_now([&](soci::session& s) -> std::optional<std::string> {
      auto run = schema::find_run(s, dag_id, run_id);
      auto ti = schema::find_task_instance(s, run->id, task_id, -1);
      return ti->state;
    });
  }
};

}  // namespace leoflow::test
