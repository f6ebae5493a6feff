// What a service tells the scheduler after its transaction committed: look
// at a run or a DAG again, stop tries. The scheduler implements it; services
// never include the scheduler (it sits above them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace leoflow::services {

class scheduling {
 public:
  virtual ~scheduling() = default;
  // Something changed for a run (created, cleared, marked). Thread-safe.
  virtual void wake_run(std::int64_t dag_run_id) = 0;
  // A DAG's schedule may have changed (unpaused). Thread-safe.
  virtual void wake_dag(const std::string& dag_id) = 0;
  // Slots may have opened (a pool grew or was created): look again at the
  // runs whose tries wait for them. Thread-safe.
  virtual void capacity_changed() = 0;
  // Stops running tries whose state the caller already changed. Thread-safe.
  virtual void kill_tries(std::vector<std::int64_t> ti_ids, std::string reason) = 0;
};

}  // namespace leoflow::services
