// The limits between a ready task instance and a queued try.
#include "scheduler/admission.hpp"

#include <algorithm>

#include "scheduler/dag_structure.hpp"

namespace leoflow::scheduler {

admission admit(const dag_structure& dag, std::int64_t dag_run_id, const std::vector<ready_try>& ready,
                const std::vector<active_try>& active,
                const std::map<std::string, std::vector<pool_waiter>>& waiters, const admission_limits& limits) {
  admission out;
  std::size_t total = active.size();
  std::size_t in_dag = 0;
  std::map<std::string, long long> taken;                  // slots by pool
  std::map<std::string, int> task_in_dag, task_in_run;     // tries by task id
  for (const auto& a : active) {
    taken[a.pool] += a.pool_slots;
    if (a.dag_id != dag.dag_id) continue;
    ++in_dag;
    ++task_in_dag[a.task_id];
    if (a.dag_run_id == dag_run_id) ++task_in_run[a.task_id];
  }
  const std::size_t max_in_dag = static_cast<std::size_t>(std::max(1, dag.max_active_tasks));

  for (const auto& r : ready) {
    if (total >= limits.parallelism || in_dag >= max_in_dag) {
      out.held = true;
      break;  // nothing after it can start either
    }
    const auto* task = dag.task(r.task_id);
    if (task && ((task->max_active_tis_per_dag && task_in_dag[r.task_id] >= *task->max_active_tis_per_dag) ||
                 (task->max_active_tis_per_dagrun && task_in_run[r.task_id] >= *task->max_active_tis_per_dagrun))) {
      out.held = true;
      continue;
    }
    auto pool = limits.pools.find(r.pool);
    if (pool == limits.pools.end()) {
      // Airflow keeps such a try scheduled until the pool exists.
      out.missing_pools.insert(r.pool);
      out.held = true;
      continue;
    }
    if (pool->second >= 0) {
      const long long open = pool->second - taken[r.pool];
      if (r.pool_slots > open) {
        out.held = true;
        out.waiting_for_pool.push_back(r);
        continue;  // a smaller try behind it may fit, as in Airflow
      }
      // Slots are short when a try of another run that fits outranks this
      // one: that run takes them first (it is woken to do so).
      bool outranked = false;
      if (auto w = waiters.find(r.pool); w != waiters.end())
        for (const auto& other : w->second)
          if (other.dag_run_id != dag_run_id && other.priority > r.priority && other.pool_slots <= open &&
              open - r.pool_slots < other.pool_slots) {
            outranked = true;
            out.runs_to_wake.insert(other.dag_run_id);
          }
      if (outranked) {
        out.held = true;
        out.waiting_for_pool.push_back(r);
        continue;
      }
    }
    out.admitted.push_back(r.ti_id);
    taken[r.pool] += r.pool_slots;
    ++total;
    ++in_dag;
    ++task_in_dag[r.task_id];
    ++task_in_run[r.task_id];
  }
  return out;
}

}  // namespace leoflow::scheduler
