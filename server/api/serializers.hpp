// Turning store records and DAG specs into Airflow's response objects
// (DAGResponse, DAGDetailsResponse, TaskResponse, DagVersionResponse, ...).
#pragma once

#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "schema/dag_store.hpp"

namespace leoflow::api {

namespace bj = boost::json;

bj::value api_time(const std::optional<std::string>& stored);

// {"__type": "TimeDelta", "days", "seconds", "microseconds"} or null.
bj::value time_delta(const bj::value* seconds);
// ISO 8601 duration ("PT1H") or null, for dag_run_timeout.
bj::value iso_duration(const bj::value* seconds);

std::string file_token(const std::string& fileloc);

bj::object dag_response(const store::dag_record& d);
// `spec` is the latest version's DAG spec; `latest` its version.
bj::object dag_details_response(const store::dag_record& d, const bj::object& spec,
                                const std::optional<store::dag_version_record>& latest,
                                long long active_runs);
bj::object dag_version_response(const store::dag_version_record& v);
// One task of a spec; downstream ids come from the other tasks' upstream.
bj::object task_response(const bj::object& task, const bj::object& dag_spec,
                         const std::vector<std::string>& downstream);
bj::object import_error_response(const store::import_error_record& e);

}  // namespace leoflow::api
