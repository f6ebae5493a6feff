// The scheduler service: creates runs from timetables (triggered ones come
// from the run service, which wakes it), moves
// task instances through Airflow's states (trigger rules, retries, mapping,
// skips), hands ready tries to the executor and records how they ended.
// Event-driven: a trigger, a finished try, or a retry delay expiring wakes it
// at once; a slow periodic sweep is only a safety net. All state lives on one
// strand; the store is the source of truth, read again on every decision.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "common/clock.hpp"
#include "scheduler/admission.hpp"
#include "schema/run_store.hpp"
#include "services/scheduling.hpp"

namespace leoflow {
class console;
class event_bus;
class secret_registry;
namespace schema {
class database;
}
namespace executors {
class executor;
struct task_result;
}
}  // namespace leoflow

namespace leoflow::scheduler {

struct dag_structure;

struct scheduler_options {
  std::size_t parallelism = 32;  // task tries running at once, all DAGs together
  std::filesystem::path logs_dir;
  // Rebuilt from the connections and variables each launch loads; masks the
  // tries' logs, rendered fields and failure lines. Optional.
  secret_registry* secrets = nullptr;
  std::chrono::milliseconds sweep{10000};
};

class scheduler final : public services::scheduling {
 public:
  scheduler(boost::asio::any_io_executor ex, schema::database& db, executors::executor& exec,
            console& out, event_bus& events, scheduler_options options);
  ~scheduler();

  // Recovers from a previous crash (tries whose process is gone), then looks
  // at every active run and every schedule.
  boost::asio::awaitable<void> start();
  void stop();
  // After stop() and the executor's shutdown: waits (up to `limit`) until
  // every finished try the executor reported is recorded in the store.
  boost::asio::awaitable<void> settle(std::chrono::milliseconds limit);

  // Something changed for a run (created, cleared, marked): look again.
  void wake_run(std::int64_t dag_run_id) override;
  // A DAG's schedule may have changed (new version, unpaused): create what
  // is due and look at its active runs again.
  void wake_dag(const std::string& dag_id) override;
  // A pool grew, was created or deleted: look again at what waits for slots.
  void capacity_changed() override;
  // Stops running tries (their state was already changed by the caller).
  void kill_tries(std::vector<std::int64_t> ti_ids, std::string reason) override;
  // A DAG was deleted: stop its tries.
  void dag_removed(const std::string& dag_id);

 private:
  struct launched_try {
    std::string dag_id;
    std::int64_t dag_run_id;
    int try_number;
    std::string task_id;
    std::string pool;
    int pool_slots = 1;
  };
  struct version_data {
    std::shared_ptr<const dag_structure> structure;
    std::string source_code;
  };

  boost::asio::awaitable<void> recover();
  boost::asio::awaitable<void> pump();
  boost::asio::awaitable<void> evaluate_run(std::int64_t dag_run_id);
  boost::asio::awaitable<void> check_schedules(std::set<std::string> dag_ids);
  boost::asio::awaitable<void> alarm_loop();
  boost::asio::awaitable<void> finish_try(executors::task_result result);
  // Coroutine parameters are copied into the frame: safe to spawn.
  boost::asio::awaitable<void> record_start(std::int64_t ti_id, long long pid, schema::task_instance_record ti);
  boost::asio::awaitable<std::shared_ptr<const version_data>> version(std::int64_t version_id);

  void ensure_pumping();
  // Runs that had a ready try held by a limit look again (a slot freed).
  void wake_blocked();
  void arm_alarm(timestamp when);
  template <typename Awaitable>
  void spawn(Awaitable a, const char* what);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  schema::database& db_;
  executors::executor& executor_;
  console& console_;
  event_bus& events_;
  scheduler_options options_;
  std::set<std::int64_t> pending_runs_;
  std::set<std::string> pending_dags_;
  bool all_dags_pending_ = false;
  bool pumping_ = false;
  bool stopping_ = false;
  // Finished tries reported but not yet recorded (counted off the strand:
  // the executor reports from its own).
  std::atomic<int> recording_{0};
  std::map<std::int64_t, launched_try> launched_;  // by task instance id
  // Runs with a ready try that a limit held back, and of those the tries
  // that wait for pool slots only (so another run's lower-priority try does
  // not take the slots first).
  std::set<std::int64_t> blocked_runs_;
  std::map<std::int64_t, std::vector<ready_try>> pool_waiting_;
  std::set<std::string> warned_pools_;
  std::map<std::int64_t, std::shared_ptr<const version_data>> versions_;
  boost::asio::steady_timer alarm_;
  std::optional<timestamp> alarm_at_;
};

}  // namespace leoflow::scheduler
