// SOCI repository for DAGs, their versions, tags, warnings and import
// errors: registering a parse result, deregistering, and the queries the API
// and the scheduler need. Every function takes the session it runs on; the
// multi-statement writes open their own transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <soci/session.h>

namespace leoflow::schema {

using opt_string = std::optional<std::string>;

struct dag_record {
  std::string dag_id;
  bool is_paused = false;
  bool is_stale = false;
  std::string fileloc;
  opt_string relative_fileloc;
  opt_string bundle_name;
  opt_string project_dir;
  opt_string description;
  opt_string timetable_summary;
  opt_string timetable_description;
  opt_string schedule;  // the spec's schedule as JSON text
  std::string owners;
  int max_active_runs = 16;
  int max_active_tasks = 16;
  int max_consecutive_failed_dag_runs = 0;
  bool has_task_concurrency_limits = false;
  opt_string last_parsed_time;
  std::optional<double> last_parse_duration;
  opt_string next_dagrun_logical_date;
  opt_string next_dagrun_data_interval_start;
  opt_string next_dagrun_data_interval_end;
  opt_string next_dagrun_run_after;
  std::string created_at;
  std::string dependencies = "[]";  // JSON list of requirements
  opt_string venv_name;              // the project's virtualenv (dag_id when absent)
  // Derived: the DAG's tags and whether its file currently fails to parse.
  std::vector<std::string> tags;
  bool has_import_errors = false;
};

struct dag_version_record {
  std::int64_t id = 0;
  std::string uuid;
  std::string dag_id;
  int version_number = 0;
  std::string spec_hash;
  std::string spec;         // empty unless asked for
  std::string source_code;  // empty unless asked for
  opt_string bundle_name;
  std::string created_at;
};

struct import_error_record {
  std::int64_t id = 0;
  std::string filename;
  opt_string bundle_name;
  std::string stack_trace;
  std::string timestamp;
};

struct dag_warning_record {
  std::string dag_id;
  std::string warning_type;
  std::string message;
  std::string timestamp;
};

// One DAG of a successful parse, ready to register.
struct dag_registration {
  std::string dag_id;
  std::string spec;       // canonical JSON of the DAG spec
  std::string spec_hash;  // over spec and source
  std::string source_code;
  opt_string description;
  opt_string timetable_summary;
  opt_string timetable_description;
  opt_string schedule;
  std::string owners = "airflow";
  int max_active_runs = 16;
  int max_active_tasks = 16;
  int max_consecutive_failed_dag_runs = 0;
  bool has_task_concurrency_limits = false;
  std::optional<bool> is_paused_upon_creation;
  std::vector<std::string> tags;
  std::vector<dag_warning_record> warnings;  // dag_id/timestamp filled in here
  std::string dependencies = "[]";           // JSON list of requirements
  std::string venv_name;                     // the project's virtualenv
};

// Where a parsed file lives.
struct file_origin {
  std::string fileloc;
  std::string relative_fileloc;
  std::string bundle_name;
  std::string project_dir;
};

enum class registration_outcome { created, new_version, unchanged };

struct registered_dag {
  std::string dag_id;
  int version_number = 0;
  registration_outcome outcome = registration_outcome::unchanged;
};

struct file_registration {
  std::vector<registered_dag> dags;
  std::vector<std::string> removed;  // DAGs the file no longer defines
  // Set when a dag_id belongs to another file: nothing was registered.
  opt_string conflict;
};

// Registers every DAG of one parse in one transaction: a new version where
// the hash changed, the file's import error cleared, DAGs the file no longer
// defines removed. New DAGs start paused when `paused_at_creation`.
file_registration register_file(soci::session& s, const file_origin& origin,
                                const std::vector<dag_registration>& dags,
                                double parse_duration, bool paused_at_creation);

// Records (replaces) the import error of a file; the DAGs it defined keep
// their last good version.
void record_import_error(soci::session& s, const std::string& filename,
                         const std::string& bundle_name, const std::string& stack_trace);

// Hard delete: versions, runs, task instances, XCom (one statement, the
// foreign keys cascade; the caller's transaction adds its event-log row).
// Returns false when there was no such DAG.
bool delete_dag(soci::session& s, const std::string& dag_id);

// The dag_ids registered from one DAG file.
std::vector<std::string> dag_ids_in_file(soci::session& s, const std::string& fileloc);

// Deletes every DAG of a project folder and the import errors of its files.
std::vector<std::string> delete_project(soci::session& s, const std::string& project_dir);

// How many rows a DAG owns (what a delete would remove).
struct dag_footprint {
  long long versions = 0, runs = 0, task_instances = 0, xcoms = 0;
};
dag_footprint count_dag_rows(soci::session& s, const std::string& dag_id);

// Marks DAGs stale (or not): they stay visible with is_stale but no longer
// schedule.
void set_stale(soci::session& s, const std::string& dag_id, bool stale);

struct dag_project {
  std::string dag_id;
  opt_string project_dir;
  std::string fileloc;
  bool is_stale = false;
};
std::vector<dag_project> list_dag_projects(soci::session& s);

// --- queries -----------------------------------------------------------

struct dag_filter {
  std::vector<std::string> dag_id_patterns;  // SQL LIKE, OR-ed
  std::vector<std::string> tags;
  bool tags_match_all = false;
  std::vector<std::string> owners;
  std::optional<bool> paused;
  std::optional<bool> has_import_errors;
  bool exclude_stale = true;
  opt_string bundle_name;
  std::vector<std::string> dag_ids;  // exact ids, when non-empty
  opt_string last_run_state;         // the state of the DAG's latest run
};

// order_by: a column of `dag` with optional '-' prefix (validated by caller).
std::vector<dag_record> list_dags(soci::session& s, const dag_filter& f,
                                  const std::vector<std::string>& order_by, long long limit,
                                  long long offset, long long* total);

// The SQL order of API attributes (dag_id, dag_display_name, next_dagrun,
// state, last_run_state, start_date, last_run_start_date; '-' descending),
// for list_dags. Throws std::out_of_range for another attribute.
std::vector<std::string> dag_sort_columns(const std::vector<std::string>& attributes);

// How many runs a DAG has in these states (every state when empty).
long long count_runs(soci::session& s, const std::string& dag_id, const std::vector<std::string>& states);

std::optional<dag_record> find_dag(soci::session& s, const std::string& dag_id);

bool set_paused(soci::session& s, const std::string& dag_id, bool paused);
// What the API shows as the next run (every next_dagrun_* column) and the
// timetable's description.
void set_next_dagrun(soci::session& s, const std::string& dag_id, const opt_string& next,
                     const std::string& timetable_description);

std::vector<dag_version_record> list_versions(soci::session& s, const std::string& dag_id,
                                              std::optional<int> version_number, bool descending,
                                              const std::string& order_column, long long limit,
                                              long long offset, long long* total);

// with_content: also load spec and source_code.
std::optional<dag_version_record> find_version(soci::session& s, const std::string& dag_id,
                                               std::optional<int> version_number,
                                               bool with_content);
std::optional<dag_version_record> find_version_by_id(soci::session& s, std::int64_t id,
                                                     bool with_content);

std::vector<import_error_record> list_import_errors(soci::session& s,
                                                    const std::vector<std::string>& filename_patterns,
                                                    const std::vector<std::string>& order_by,
                                                    long long limit, long long offset,
                                                    long long* total);
std::optional<import_error_record> find_import_error(soci::session& s, std::int64_t id);

std::vector<dag_warning_record> list_dag_warnings(soci::session& s, const opt_string& dag_id,
                                                  const opt_string& warning_type,
                                                  const std::vector<std::string>& order_by,
                                                  long long limit, long long offset,
                                                  long long* total);

struct dag_tag_count {
  std::string name;
};
std::vector<std::string> list_tags(soci::session& s, const opt_string& pattern, bool descending,
                                   long long limit, long long offset, long long* total);

// Appends to the audit trail.
struct event_record {
  std::string event;
  opt_string dag_id, task_id, run_id, owner, extra, logical_date;
  std::optional<int> map_index, try_number;
};
void log_event(soci::session& s, const event_record& e);

}  // namespace leoflow::schema
