// The Kubernetes objects of one task try, as pure functions (no I/O): the
// pod (name, labels, the `task` container running the runtime, restartPolicy
// Never, activeDeadlineSeconds, the run's /staging claim, executor_config
// mapped Airflow's way), the try's Secret and the run's staging claim; and
// label-safe forms of Airflow's ids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>

namespace leoflow::kubernetes {

inline constexpr std::string_view label_prefix = "leoflow.io/";
inline constexpr std::string_view staging_mount = "/staging";

// Defaults for every pod, from the configuration; executor_config overrides.
struct pod_defaults {
  std::string image_pull_policy = "IfNotPresent";
  std::string service_account;          // empty: the namespace's default
  boost::json::object resources;        // {"requests": {...}, "limits": {...}}
  boost::json::object node_selector;
  boost::json::array tolerations;
  boost::json::object labels;           // added to every pod
  boost::json::object annotations;
  int termination_grace_seconds = 30;
  // Added to execution_timeout for activeDeadlineSeconds: the pod's clock
  // starts before its image is pulled and its interpreter is up.
  int deadline_slack_seconds = 60;
};

struct pod_request {
  std::string server_id;  // which Lite server owns the pod (label)
  std::int64_t ti_id = 0;
  std::string dag_id;
  std::string task_id;
  std::string run_id;
  int try_number = 1;
  int map_index = -1;
  std::string unique;  // 8 hex characters: a relaunched try never meets its old pod's name
  std::string image;
  std::string secret_name;                   // envFrom
  std::optional<std::string> staging_claim;  // mounted at /staging
  std::string execution_api_url;
  std::optional<double> execution_timeout;  // seconds
  std::string executor_config_json;         // the task's executor_config, or empty
};

// `leoflow-<dag>-<task>-<try>-<unique>` in DNS-1123 form, at most 63 characters.
std::string pod_name(std::string_view dag_id, std::string_view task_id, int try_number, std::string_view unique);

// `leoflow-staging-<dag>-<run>` in DNS-1123 form, at most 63 characters, with
// a hash of the exact ids so two runs never share a claim.
std::string staging_claim_name(std::string_view dag_id, std::string_view run_id);

// A label value (at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends):
// the text itself when it is one, else its cleaned start plus a hash.
std::string label_value(std::string_view text);

// The labels every object of a try carries (selectors find them by these);
// map-index only on mapped instances, as Airflow does.
boost::json::object try_labels(const pod_request& r);

// The pod, or what is wrong with the task's executor_config.
std::variant<boost::json::object, std::string> build_pod(const pod_request& r, const pod_defaults& d);

// The try's Secret: `data` base64-encodes the values (envFrom turns them
// into environment variables).
boost::json::object build_secret(const std::string& name, const boost::json::object& labels,
                                 const std::vector<std::pair<std::string, std::string>>& values);

struct staging_settings {
  std::string size = "1Gi";
  std::string storage_class;  // empty: the cluster's default
  std::string access_mode = "ReadWriteOnce";
};

boost::json::object build_staging_claim(const std::string& name, const std::string& server_id,
                                        const std::string& dag_id, const std::string& run_id,
                                        const staging_settings& s);

}  // namespace leoflow::kubernetes
