// Turning store records and DAG specs into Airflow's response objects
// (DAGResponse, DAGDetailsResponse, TaskResponse, DagVersionResponse, ...).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "schema/config_store.hpp"
#include "schema/dag_store.hpp"
#include "schema/run_store.hpp"

namespace leoflow::api {

namespace bj = boost::json;

bj::value api_time(const std::optional<std::string>& stored);

// {"__type": "TimeDelta", "days", "seconds", "microseconds"} or null.
bj::value time_delta(const bj::value* seconds);
// ISO 8601 duration ("PT1H") or null, for dag_run_timeout.
bj::value iso_duration(const bj::value* seconds);

std::string file_token(const std::string& fileloc);

bj::object dag_response(const schema::dag_record& d);
// `spec` is the latest version's DAG spec; `latest` its version.
bj::object dag_details_response(const schema::dag_record& d, const bj::object& spec,
                                const std::optional<schema::dag_version_record>& latest,
                                long long active_runs);
bj::object dag_version_response(const schema::dag_version_record& v);
// One task of a spec; downstream ids come from the other tasks' upstream.
bj::object task_response(const bj::object& task, const bj::object& dag_spec,
                         const std::vector<std::string>& downstream);
bj::object import_error_response(const schema::import_error_record& e);

bj::object dag_run_response(const schema::dag_run_record& r);
// `version` is the instance's DAG version (null when unknown); `history`
// drops the fields a TaskInstanceHistoryResponse does not have.
bj::object task_instance_response(const schema::task_instance_record& t,
                                  const std::optional<schema::dag_version_record>& version,
                                  bool history = false);
// XCom entry; `value` is added by the caller when asked for.
bj::object xcom_response(const schema::xcom_record& x, const std::string& dag_id, const std::string& run_id,
                         const std::string& run_after, const std::optional<std::string>& logical_date);
// Instances of one run, with the run's version (a clear's answer).
bj::array task_instances_of_run(const schema::dag_run_record& run,
                                const std::vector<schema::task_instance_record>& tis);
// Instances with the versions they refer to, by id.
bj::array task_instances_with_versions(const std::vector<schema::task_instance_record>& tis,
                                       const std::map<std::int64_t, schema::dag_version_record>& versions,
                                       bool history = false);

// Airflow's list envelope: {"<key>": [...], "total_entries": N}.
bj::object list_response(std::string_view key, bj::array items, long long total_entries);
// The same, each item turned into JSON by `to_json`.
template <typename Items, typename F>
bj::object list_response(std::string_view key, const Items& items, long long total_entries, F to_json) {
  bj::array out;
  for (const auto& item : items) out.push_back(to_json(item));
  return list_response(key, std::move(out), total_entries);
}
// A whole list: total_entries is its size.
bj::object list_response(std::string_view key, bj::array items);

bj::object event_log_response(const schema::event_log_record& e);
bj::object variable_response(const schema::variable_record& v);
bj::object connection_response(const schema::connection_record& c);

}  // namespace leoflow::api
