// The `kubernetes:` settings (server.yaml's section, or the file
// `leoflow lite provision --kubernetes` writes into LEOFLOW_HOME): where the
// cluster is, the namespace, images, pod defaults, the /staging claims,
// delays, and where the execution API listens. Every problem names its key.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>

#include "executors/kubernetes/image_builder.hpp"
#include "executors/kubernetes/kube_config.hpp"
#include "executors/kubernetes/pod_spec.hpp"

namespace YAML {
class Node;
}

namespace leoflow::kubernetes {

struct kubernetes_settings {
  fs::path kubeconfig;  // empty: $KUBECONFIG, else ~/.kube/config (unless in_cluster)
  bool in_cluster = false;
  std::string context;         // empty: the kubeconfig's current-context
  std::string namespace_name;  // empty: the context's namespace, else "default"
  image_settings image;
  pod_defaults pods;
  bool staging = true;
  staging_settings staging_claim;
  std::chrono::seconds keep_failed_staging{24 * 3600};
  std::chrono::seconds delete_finished_pods_after{300};
  std::chrono::seconds heartbeat_interval{10};
  std::chrono::seconds heartbeat_timeout{120};
  std::chrono::seconds pending_timeout{600};
  std::chrono::seconds kill_grace{30};
  std::chrono::seconds gc_interval{60};
  std::string execution_api_host = "127.0.0.1";
  unsigned short execution_api_port = 0;  // 0: any free port (tries of a restarted server then cannot report)
  std::string execution_api_url;          // empty: http://<host>:<port>/execution
};

struct settings_error {
  std::string key;  // "kubernetes.pods.resources"
  std::string message;
};

// `node` is the section's mapping; relative paths are resolved against `base`.
std::variant<kubernetes_settings, settings_error> read_kubernetes_settings(const YAML::Node& node, const fs::path& base,
                                                                            const std::string& prefix = "kubernetes.");

// A YAML file holding the section at its top level.
std::variant<kubernetes_settings, settings_error> read_kubernetes_file(const fs::path& file);

// The credentials the settings point at.
std::variant<kube_credentials, std::string> load_credentials(const kubernetes_settings& s);

// The objects of a multi-document YAML manifest (packaging/kubernetes), as JSON.
std::variant<std::vector<boost::json::object>, std::string> read_manifests(const std::string& yaml_text);

// The collection a manifest's object is created in: "/api/v1/namespaces/NS/serviceaccounts",
// "/apis/rbac.authorization.k8s.io/v1/namespaces/NS/roles", ...; empty for a kind Lite does not apply.
std::string collection_path(const boost::json::object& manifest);

// Whether the cluster answers (GET /version) within `timeout`; the reason when not.
std::optional<std::string> probe_cluster(const kube_credentials& c, std::chrono::milliseconds timeout);

}  // namespace leoflow::kubernetes
