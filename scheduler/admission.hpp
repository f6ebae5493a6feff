// Which ready tries of one run may start now: the limits Airflow applies
// between "ready" and "queued" — the executor's parallelism, the DAG's
// max_active_tasks, a task's max_active_tis_per_dag and _per_dagrun, and
// pool slots. Pure, so the scheduler's choices are unit-tested.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace leoflow::scheduler {

struct dag_structure;

// A try the executor has (queued or running).
struct active_try {
  std::string dag_id;
  std::int64_t dag_run_id = 0;
  std::string task_id;
  std::string pool;
  int pool_slots = 1;
};

// A ready task instance of the run being decided.
struct ready_try {
  std::int64_t ti_id = 0;
  std::string task_id;
  std::string pool;
  int pool_slots = 1;
  int priority = 1;
};

// A try of another run that waits for slots of `pool` only.
struct pool_waiter {
  std::int64_t dag_run_id = 0;
  int priority = 1;
  int pool_slots = 1;
};

struct admission_limits {
  std::size_t parallelism = 32;
  std::map<std::string, long long> pools;  // slots by name; -1 unlimited
};

struct admission {
  std::vector<std::int64_t> admitted;            // in the order given
  std::vector<ready_try> waiting_for_pool;      // short of slots (nothing else held them)
  bool held = false;                             // some try waits for a limit to loosen
  std::set<std::string> missing_pools;           // named by a try, not defined
  std::set<std::int64_t> runs_to_wake;           // their waiter outranks one of ours
};

// `ready` in the order to try them (highest priority first). `active` is
// every try the executor has now; `waiters` what other runs wait for, by pool.
admission admit(const dag_structure& dag, std::int64_t dag_run_id, const std::vector<ready_try>& ready,
                const std::vector<active_try>& active,
                const std::map<std::string, std::vector<pool_waiter>>& waiters, const admission_limits& limits);

}  // namespace leoflow::scheduler
