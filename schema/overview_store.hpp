// The store's queries for the UI's overview screens (/ui/...): counts for the
// dashboard, the grid's recent runs and task-instance states, the latest runs
// of several DAGs. Each is one or a few queries, never one per DAG or run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <soci/session.h>

#include "schema/dag_store.hpp"

namespace leoflow::schema {

// (state, count) pairs; a null task-instance state is "no_status".
using state_counts = std::vector<std::pair<std::string, long long>>;

struct dashboard_counts {
  long long dags = 0, paused_dags = 0;
  long long failed_dags = 0;   // whose latest run failed
  long long running_dags = 0;  // with a run in state running
  state_counts active_runs;    // queued and running runs
  state_counts run_states;     // runs since `since`, by state
  state_counts task_instance_states;  // their task instances, by state
};
dashboard_counts count_for_dashboard(soci::session& s, const std::string& since);

struct run_summary {
  std::int64_t id = 0;
  std::string run_id, state, run_type;
  opt_string run_after, logical_date, start_date, end_date;
  std::optional<long long> version_number;
};
// The latest `limit` runs of a DAG, newest first.
std::vector<run_summary> latest_runs(soci::session& s, const std::string& dag_id, long long limit);

struct task_instance_summary {
  std::string run_id, task_id;
  opt_string state;
  int map_index = -1;
  long long try_number = 0;
  opt_string start_date, end_date;
};
std::vector<task_instance_summary> task_instances_of_runs(soci::session& s, const std::vector<std::int64_t>& run_ids);

}  // namespace leoflow::schema
