// What the scheduler needs from a DAG version's spec, read once per version:
// the tasks with their edges, trigger rules, retries, timeouts and mapping,
// and the DAG's limits. Immutable once built, so it is shared freely.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace leoflow::scheduler {

struct task_node {
  std::string task_id;
  std::string operator_class;
  std::string operator_name;
  std::string type;  // python, bash, empty, branch, short_circuit, sensor
  std::string trigger_rule = "all_success";
  std::vector<std::string> upstream;
  std::vector<std::string> downstream;
  int retries = 0;
  double retry_delay = 300;
  bool retry_exponential_backoff = false;
  std::optional<double> max_retry_delay;
  std::optional<double> execution_timeout;
  std::string pool = "default_pool";
  int pool_slots = 1;
  std::string queue = "default";
  int priority_weight = 1;            // the task's own weight, as written
  std::string weight_rule = "downstream";
  // What orders ready tries when slots are short, and what a task
  // instance shows as its priority_weight: the own weight for "absolute",
  // plus every downstream (or upstream) task's for "downstream" ("upstream").
  int effective_priority = 1;
  // At most this many tries of the task at once across all runs, and within
  // one run (Airflow's max_active_tis_per_dag / _per_dagrun).
  std::optional<int> max_active_tis_per_dag;
  std::optional<int> max_active_tis_per_dagrun;
  std::optional<boost::json::object> mapping;  // the spec's mapping, when mapped
  std::string executor_config;                 // JSON text, empty when the task has none

  bool is_empty() const { return type == "empty" && !mapping; }
};

struct dag_structure {
  std::string dag_id;
  std::vector<task_node> tasks;
  std::map<std::string, std::size_t> index;
  int max_active_tasks = 16;
  int max_active_runs = 16;
  std::optional<double> dagrun_timeout;
  boost::json::object spec;  // the whole spec, for the timetable and params

  const task_node* task(const std::string& id) const;
  // Tasks with no downstream: they decide the run's state.
  std::vector<const task_node*> leaves() const;
  // Every task reachable downstream (or upstream) of `id`, not including it.
  std::vector<std::string> relatives(const std::string& id, bool downstream) const;
};

// nullptr with `error` set when the spec is unusable.
std::shared_ptr<const dag_structure> read_structure(const std::string& spec_json, std::string& error);

// Seconds to wait before try `try_number` + 1 (Airflow's formula, capped by
// max_retry_delay when given).
double retry_delay_seconds(const task_node& task, int try_number);

}  // namespace leoflow::scheduler
