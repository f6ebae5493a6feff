// SOCI repository for DAG runs, task instances (with per-try history) and
// XCom: creating a run with its task instances, the state changes the
// scheduler and the API make (compare-and-set on the state they expect, so
// concurrent writers never overwrite each other), and the queries of the run
// API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <soci/session.h>

#include "schema/dag_store.hpp"

namespace leoflow::schema {

using opt_int = std::optional<long long>;

struct dag_run_record {
  std::int64_t id = 0;
  std::string dag_id;
  std::string run_id;
  std::int64_t dag_version_id = 0;
  std::string run_type;
  std::string state;
  opt_string logical_date;
  opt_string data_interval_start;
  opt_string data_interval_end;
  std::string run_after;
  opt_string queued_at;
  opt_string start_date;
  opt_string end_date;
  std::string conf = "{}";
  opt_string note;
  opt_string triggered_by;
  opt_string triggering_user_name;
  opt_string last_scheduling_decision;
  std::string updated_at;
  // From the run's version.
  int version_number = 0;
  std::string version_uuid;
  std::string version_created_at;
  opt_string bundle_name;
};

struct task_instance_record {
  std::int64_t id = 0;
  std::string uuid;
  std::int64_t dag_run_id = 0;
  std::string dag_id;
  std::string run_id;
  std::string task_id;
  int map_index = -1;
  opt_string state;
  int try_number = 0;
  int max_tries = 0;
  opt_string operator_class;
  opt_string operator_name;
  std::string pool = "default_pool";
  int pool_slots = 1;
  std::string queue = "default";
  int priority_weight = 1;
  opt_string start_date;
  opt_string end_date;
  std::optional<double> duration;
  opt_string scheduled_dttm;
  opt_string queued_dttm;
  opt_string next_retry_at;
  opt_string hostname;
  opt_string unixname;
  opt_int pid;
  opt_string executor;
  opt_string rendered_fields;
  opt_string rendered_map_index;
  opt_string note;
  opt_int dag_version_id;
  std::string updated_at;
  // From the run.
  std::string run_after;
  opt_string logical_date;
};

struct xcom_record {
  std::int64_t dag_run_id = 0;
  std::string task_id;
  int map_index = -1;
  std::string key;
  opt_string value;  // JSON text
  std::string timestamp;
};

// What a new task instance starts with (from the DAG spec).
struct task_seed {
  std::string task_id;
  std::string operator_class;
  std::string operator_name;
  std::string pool = "default_pool";
  int pool_slots = 1;
  std::string queue = "default";
  int priority_weight = 1;
  int max_tries = 0;
};

struct new_run {
  std::string dag_id;
  std::string run_id;
  std::int64_t dag_version_id = 0;
  std::string run_type = "manual";
  opt_string logical_date;
  opt_string data_interval_start;
  opt_string data_interval_end;
  std::string run_after;
  std::string conf = "{}";
  opt_string note;
  opt_string triggered_by;
  opt_string triggering_user_name;
};

// Why a run could not be created: its id or logical date is taken.
struct run_conflict {
  std::string detail;
};

// Inserts the run (state queued) and one task instance per task. Call it in
// the caller's transaction (with what else the creation records).
std::variant<dag_run_record, run_conflict> create_run(soci::session& s, const new_run& run,
                                                      const std::vector<task_seed>& tasks);

std::optional<dag_run_record> find_run(soci::session& s, const std::string& dag_id,
                                       const std::string& run_id);
std::optional<dag_run_record> find_run_by_id(soci::session& s, std::int64_t id);
// Runs in state queued or running, oldest first.
std::vector<dag_run_record> active_runs(soci::session& s);

struct run_filter {
  std::optional<std::string> dag_id;  // nullopt: every DAG ("~")
  std::vector<std::string> states;
  std::vector<std::string> run_types;
  // Inclusive/exclusive bounds on store-format timestamps, by column.
  struct bound {
    std::string column;
    std::string op;  // >=, >, <=, <
    std::string value;
  };
  std::vector<bound> bounds;
  std::optional<std::string> run_id_pattern;
};
std::vector<dag_run_record> list_runs(soci::session& s, const run_filter& f,
                                      const std::vector<std::string>& order_by, long long limit,
                                      long long offset, long long* total);

// Moves a run from one state to another (compare-and-set); stamps start and
// end dates. Returns false when the run was not in `from`.
bool set_run_state(soci::session& s, std::int64_t run_id, const std::vector<std::string>& from,
                   const std::string& to);
void set_run_note(soci::session& s, std::int64_t run_id, const opt_string& note);
// The ids of a DAG's runs in state queued or running.
std::vector<std::int64_t> active_run_ids(soci::session& s, const std::string& dag_id);
// The logical date of the DAG's latest scheduled run, if any.
opt_string last_scheduled_logical_date(soci::session& s, const std::string& dag_id);
// The SQL order of the run API's order_by attributes ('-' descending), for
// list_runs. Throws std::out_of_range for another attribute.
std::vector<std::string> run_sort_columns(const std::vector<std::string>& attributes);
void touch_run_decision(soci::session& s, std::int64_t run_id);
bool delete_run(soci::session& s, std::int64_t run_id);

std::vector<task_instance_record> run_task_instances(soci::session& s, std::int64_t dag_run_id);

struct ti_filter {
  std::optional<std::string> dag_id;  // nullopt: every DAG
  std::optional<std::string> run_id;  // nullopt: every run
  std::optional<std::string> task_id;
  std::optional<int> map_index;
  std::vector<std::string> states;  // "none" matches a null state
  std::optional<std::string> task_id_pattern;
  std::vector<run_filter::bound> bounds;
};
std::vector<task_instance_record> list_task_instances(soci::session& s, const ti_filter& f,
                                                      const std::vector<std::string>& order_by,
                                                      long long limit, long long offset,
                                                      long long* total);
std::optional<task_instance_record> find_task_instance(soci::session& s, std::int64_t dag_run_id,
                                                       const std::string& task_id, int map_index);
std::optional<task_instance_record> find_task_instance_by_id(soci::session& s, std::int64_t id);
// The SQL order of the task-instance API's order_by attributes ('-'
// descending), for list_task_instances.
std::vector<std::string> ti_sort_columns(const std::vector<std::string>& attributes);
void set_ti_note(soci::session& s, std::int64_t ti_id, const opt_string& note);
// A try queued but never started goes back to no state, its try number
// given back. Returns false when it was no longer queued.
bool requeue_unstarted_ti(soci::session& s, std::int64_t ti_id);
// Every task instance in state queued or running, across runs.
std::vector<task_instance_record> unfinished_task_instances(soci::session& s);

// Compare-and-set of a task instance's state; `from` may hold "none" for a
// null state. Returns false when the state was something else.
bool set_ti_state(soci::session& s, std::int64_t ti_id, const std::vector<std::string>& from,
                  const opt_string& to);

// A task instance goes to the executor: queued, a new try.
bool queue_ti(soci::session& s, std::int64_t ti_id, const std::vector<std::string>& from,
              const std::string& hostname);
void start_ti(soci::session& s, std::int64_t ti_id, long long pid, const std::string& executor);

struct try_result {
  std::string state;  // success, failed, skipped, up_for_retry
  opt_string next_retry_at;
  opt_string rendered_fields;
  std::vector<std::pair<std::string, std::string>> xcoms;  // key, JSON value
};
// Ends the current try: state, end date, duration, XComs of the try. Returns
// false when the task instance was no longer running (cleared or marked).
bool finish_ti(soci::session& s, std::int64_t ti_id, int try_number, const try_result& r);

// Copies the task instance's current try into task_instance_history.
void archive_try(soci::session& s, std::int64_t ti_id);
std::vector<task_instance_record> ti_tries(soci::session& s, std::int64_t ti_id);

// Dynamic task mapping: the unexpanded instance (map_index -1) becomes map
// index 0 and 1..n-1 are added, all with no state.
void expand_mapped(soci::session& s, std::int64_t ti_id, int count);

// Clearing: the current try goes to history, the state to null (running
// ones are left to the caller to stop), XComs of the instance removed.
void clear_ti(soci::session& s, std::int64_t ti_id);

std::vector<xcom_record> run_xcoms(soci::session& s, std::int64_t dag_run_id);
std::vector<xcom_record> ti_xcoms(soci::session& s, std::int64_t dag_run_id, const std::string& task_id,
                                  std::optional<int> map_index, const opt_string& key,
                                  long long limit, long long offset, long long* total);
void set_xcom(soci::session& s, std::int64_t dag_run_id, const std::string& task_id, int map_index,
              const std::string& key, const std::string& json_value);
bool delete_xcom(soci::session& s, std::int64_t dag_run_id, const std::string& task_id, int map_index,
                 const std::string& key);

// Counts of runs per state for each DAG.
struct dag_run_stats {
  std::string dag_id;
  std::vector<std::pair<std::string, long long>> counts;
};
std::vector<dag_run_stats> run_stats(soci::session& s, const std::vector<std::string>& dag_ids);

struct event_log_record {
  std::int64_t id = 0;
  std::string dttm;
  opt_string dag_id, task_id, run_id, owner, extra, logical_date;
  std::optional<long long> map_index, try_number;
  std::string event;
};
struct event_filter {
  opt_string dag_id, task_id, run_id, owner, event;
  std::vector<std::string> included_events, excluded_events;
  std::vector<run_filter::bound> bounds;
};
std::vector<event_log_record> list_events(soci::session& s, const event_filter& f,
                                          const std::vector<std::string>& order_by, long long limit,
                                          long long offset, long long* total);
std::optional<event_log_record> find_event(soci::session& s, std::int64_t id);

}  // namespace leoflow::schema
