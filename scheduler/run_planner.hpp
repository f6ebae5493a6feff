// The scheduling decision for one DAG run as a pure function: from the
// run's task instances (and the XComs mapping needs), which instances are
// ready to run, which are skipped or upstream_failed by their trigger rules
// (repeated until nothing changes, so skips propagate), which mapped tasks
// expand and how wide, which empty operators succeed without a process, and
// whether the run is finished. The scheduler applies the plan to the store.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

#include "common/clock.hpp"
#include "scheduler/dag_structure.hpp"

namespace leoflow::scheduler {

struct ti_view {
  std::int64_t id = 0;
  std::string task_id;
  int map_index = -1;
  std::optional<std::string> state;
  int try_number = 0;
  std::optional<timestamp> next_retry_at;
};

// The JSON value of an XCom, if it exists.
using xcom_lookup =
    std::function<std::optional<boost::json::value>(const std::string& task_id, int map_index,
                                                     const std::string& key)>;

struct run_plan {
  struct change {
    std::int64_t ti_id;
    std::optional<std::string> from;
    std::string to;
  };
  struct expansion {
    std::int64_t ti_id;
    int count;
  };
  struct failure {
    std::int64_t ti_id;
    std::string reason;  // why a mapped task cannot expand
  };
  std::vector<change> changes;
  std::vector<expansion> expansions;
  std::vector<failure> failures;
  std::vector<std::int64_t> ready;         // to queue, highest priority first
  std::optional<std::string> run_state;    // success or failed once nothing is left
  std::optional<std::string> run_reason;   // why, for the event log
  std::optional<timestamp> wake_at;        // the earliest retry still waiting
};

bool is_finished_state(const std::optional<std::string>& state);

run_plan plan_run(const dag_structure& dag, const std::vector<ti_view>& tis, const xcom_lookup& xcom,
                  timestamp now);

// How many task instances a mapped task expands into, or an error.
std::variant<int, std::string> mapped_length(const task_node& task, const std::vector<ti_view>& tis,
                                             const xcom_lookup& xcom);

}  // namespace leoflow::scheduler
