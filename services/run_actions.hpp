// The state changes runs and task instances go through inside a service's
// transaction: marking, clearing for a re-run, choosing the instances a clear
// or a mark covers (with upstream/downstream). Each returns the instances
// whose processes must be stopped.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <soci/session.h>

#include "schema/run_store.hpp"
#include "scheduler/dag_structure.hpp"

namespace leoflow::services {

struct run_context {
  schema::dag_run_record run;
  std::vector<schema::task_instance_record> tis;
  std::shared_ptr<const scheduler::dag_structure> structure;
};

// What a new run's task instances start with, from the DAG's tasks.
std::vector<schema::task_seed> task_seeds(const scheduler::dag_structure& dag);

// nullopt when the run does not exist (or its version cannot be read).
std::optional<run_context> load_run(soci::session& s, const std::string& dag_id, const std::string& run_id);

// success: every unfinished instance succeeds. failed: running and queued
// ones fail, the others are skipped. queued: the run starts over as queued.
std::vector<std::int64_t> mark_run(soci::session& s, const run_context& ctx, const std::string& state);

// The instances of `task_ids` (map index −1 = all of them) plus their
// relatives when asked, filtered by only_failed / only_running.
struct selection {
  std::vector<std::pair<std::string, std::optional<int>>> tasks;  // empty: all tasks
  bool include_upstream = false;
  bool include_downstream = false;
  bool only_failed = false;
  bool only_running = false;
};
std::vector<const schema::task_instance_record*> select_instances(const run_context& ctx, const selection& sel);

// Clears instances for a re-run and puts the run back in the queue.
std::vector<std::int64_t> clear_instances(soci::session& s, const run_context& ctx,
                                          const std::vector<const schema::task_instance_record*>& tis,
                                          bool reset_run);

// Sets instances to a state; a finished run goes back to the queue so the
// scheduler decides again.
std::vector<std::int64_t> mark_instances(soci::session& s, const run_context& ctx,
                                         const std::vector<const schema::task_instance_record*>& tis,
                                         const std::string& state);

}  // namespace leoflow::services
