// Reading the kubernetes settings and checking that the cluster answers.
#include "executors/kubernetes/kubernetes_settings.hpp"

#include <cstdlib>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "executors/kubernetes/kube_client.hpp"

namespace leoflow::kubernetes {

namespace bj = boost::json;

namespace {

struct bad {
  std::string key;
  std::string message;
};

void check_known(const YAML::Node& map, const std::string& prefix, std::initializer_list<std::string_view> known) {
  for (const auto& kv : map) {
    const auto k = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      std::string names;
      for (auto n : known) names += fmt::format("{}{}", names.empty() ? "" : ", ", n);
      throw bad{prefix + k, fmt::format("unknown key (known: {})", names)};
    }
  }
}

std::string text(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) throw bad{key, "must be a single value"};
  return n.Scalar();
}

long long whole(const YAML::Node& n, const std::string& key, long long min, long long max) {
  const auto t = text(n, key);
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != t.size() || t.empty()) throw bad{key, fmt::format("'{}' is not a whole number", t)};
  if (v < min || v > max) throw bad{key, fmt::format("{} is outside {}..{}", v, min, max)};
  return v;
}

bool yes_no(const YAML::Node& n, const std::string& key) {
  const auto t = text(n, key);
  if (t == "true" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "no" || t == "off") return false;
  throw bad{key, fmt::format("'{}' is not true or false", t)};
}

// YAML as JSON: a plain scalar that reads as a number, bool or null is one;
// a quoted scalar stays a string.
bj::value to_json(const YAML::Node& n) {
  if (n.IsMap()) {
    bj::object o;
    for (const auto& kv : n) o[kv.first.as<std::string>()] = to_json(kv.second);
    return o;
  }
  if (n.IsSequence()) {
    bj::array a;
    for (const auto& e : n) a.push_back(to_json(e));
    return a;
  }
  if (n.IsNull()) return nullptr;
  const auto& s = n.Scalar();
  if (n.Tag() == "!") return bj::value(s);
  if (s == "true") return true;
  if (s == "false") return false;
  if (s == "null" || s == "~") return nullptr;
  std::size_t used = 0;
  try {
    const long long v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  return bj::value(s);
}

// A mapping whose values Kubernetes wants as strings (labels, selectors).
bj::object string_map(const YAML::Node& n, const std::string& key) {
  if (!n.IsMap()) throw bad{key, "must be a mapping"};
  bj::object o;
  for (const auto& kv : n) o[kv.first.as<std::string>()] = text(kv.second, key + "." + kv.first.as<std::string>());
  return o;
}

fs::path resolve(const fs::path& base, const std::string& p) {
  if (!p.empty() && p[0] == '~') {
    const char* home = std::getenv("HOME");
    return fs::path(home ? home : "") / p.substr(p.size() > 1 && p[1] == '/' ? 2 : 1);
  }
  const fs::path path(p);
  return path.is_absolute() ? path : (base / path).lexically_normal();
}

std::chrono::seconds seconds(const YAML::Node& n, const std::string& key, long long min = 0) {
  return std::chrono::seconds(whole(n, key, min, 10LL * 365 * 24 * 3600));
}

}  // namespace

std::variant<kubernetes_settings, settings_error> read_kubernetes_settings(const YAML::Node& node, const fs::path& base,
                                                                            const std::string& p) {
  kubernetes_settings s;
  try {
    if (!node || node.IsNull()) return s;
    if (!node.IsMap()) throw bad{p.substr(0, p.size() - 1), "must be a mapping"};
    check_known(node, p, {"kubeconfig", "in_cluster", "context", "namespace", "image", "pods", "staging",
                          "delete_finished_pods_after", "heartbeat_interval", "heartbeat_timeout", "pending_timeout",
                          "kill_grace", "gc_interval", "execution_api"});
    if (auto n = node["kubeconfig"]; n && !n.IsNull()) s.kubeconfig = resolve(base, text(n, p + "kubeconfig"));
    if (auto n = node["in_cluster"]; n && !n.IsNull()) s.in_cluster = yes_no(n, p + "in_cluster");
    if (s.in_cluster && !s.kubeconfig.empty())
      throw bad{p + "in_cluster", "give either kubeconfig or in_cluster: true, not both"};
    if (auto n = node["context"]; n && !n.IsNull()) s.context = text(n, p + "context");
    if (auto n = node["namespace"]; n && !n.IsNull()) s.namespace_name = text(n, p + "namespace");
    if (auto img = node["image"]; img && !img.IsNull()) {
      const auto ip = p + "image.";
      if (!img.IsMap()) throw bad{p + "image", "must be a mapping"};
      check_known(img, ip, {"builder", "base", "repository", "name", "command", "storage_driver", "import"});
      if (auto n = img["builder"]; n && !n.IsNull()) {
        s.image.builder = text(n, ip + "builder");
        const auto& b = s.image.builder;
        if (b != "auto" && b != "podman" && b != "buildah" && b != "docker" && b != "command" && b != "none")
          throw bad{ip + "builder", fmt::format("'{}' is not auto, podman, buildah, docker, command or none", b)};
      }
      if (auto n = img["base"]; n && !n.IsNull()) s.image.base = text(n, ip + "base");
      if (auto n = img["repository"]; n && !n.IsNull()) s.image.repository = text(n, ip + "repository");
      if (auto n = img["name"]; n && !n.IsNull()) s.image.name = text(n, ip + "name");
      if (auto n = img["storage_driver"]; n && !n.IsNull()) s.image.storage_driver = text(n, ip + "storage_driver");
      if (auto n = img["import"]; n && !n.IsNull()) s.image.import_to = text(n, ip + "import");
      if (auto n = img["command"]; n && !n.IsNull()) {
        if (!n.IsSequence() || n.size() == 0) throw bad{ip + "command", "must be a list: the program and its arguments"};
        for (std::size_t i = 0; i < n.size(); ++i) s.image.command.push_back(text(n[i], fmt::format("{}command[{}]", ip, i)));
        s.image.command[0] = resolve(base, s.image.command[0]).string();
      }
      if (s.image.builder == "command" && s.image.command.empty())
        throw bad{ip + "command", "is required with builder: command"};
      if (s.image.builder == "none" && s.image.name.empty()) throw bad{ip + "name", "is required with builder: none"};
      if (!s.image.import_to.empty() && s.image.import_to != "push" && s.image.import_to.rfind("k3d:", 0) != 0)
        throw bad{ip + "import", fmt::format("'{}' is not push or k3d:<cluster>", s.image.import_to)};
    }
    if (auto pods = node["pods"]; pods && !pods.IsNull()) {
      const auto pp = p + "pods.";
      if (!pods.IsMap()) throw bad{p + "pods", "must be a mapping"};
      check_known(pods, pp, {"image_pull_policy", "service_account", "resources", "node_selector", "tolerations", "labels",
                             "annotations", "termination_grace_seconds", "deadline_slack_seconds"});
      if (auto n = pods["image_pull_policy"]; n && !n.IsNull()) {
        s.pods.image_pull_policy = text(n, pp + "image_pull_policy");
        const auto& v = s.pods.image_pull_policy;
        if (v != "Always" && v != "IfNotPresent" && v != "Never")
          throw bad{pp + "image_pull_policy", fmt::format("'{}' is not Always, IfNotPresent or Never", v)};
      }
      if (auto n = pods["service_account"]; n && !n.IsNull()) s.pods.service_account = text(n, pp + "service_account");
      if (auto n = pods["resources"]; n && !n.IsNull()) {
        if (!n.IsMap()) throw bad{pp + "resources", "must be a mapping with requests and limits"};
        check_known(n, pp + "resources.", {"requests", "limits"});
        for (const char* part : {"requests", "limits"})
          if (auto m = n[part]; m && !m.IsNull()) s.pods.resources[part] = string_map(m, pp + "resources." + part);
      }
      if (auto n = pods["node_selector"]; n && !n.IsNull()) s.pods.node_selector = string_map(n, pp + "node_selector");
      if (auto n = pods["labels"]; n && !n.IsNull()) s.pods.labels = string_map(n, pp + "labels");
      if (auto n = pods["annotations"]; n && !n.IsNull()) s.pods.annotations = string_map(n, pp + "annotations");
      if (auto n = pods["tolerations"]; n && !n.IsNull()) {
        if (!n.IsSequence()) throw bad{pp + "tolerations", "must be a list of tolerations"};
        s.pods.tolerations = to_json(n).as_array();
      }
      if (auto n = pods["termination_grace_seconds"]; n && !n.IsNull())
        s.pods.termination_grace_seconds = static_cast<int>(whole(n, pp + "termination_grace_seconds", 0, 3600));
      if (auto n = pods["deadline_slack_seconds"]; n && !n.IsNull())
        s.pods.deadline_slack_seconds = static_cast<int>(whole(n, pp + "deadline_slack_seconds", 0, 86400));
    }
    if (auto st = node["staging"]; st && !st.IsNull()) {
      const auto sp = p + "staging.";
      if (!st.IsMap()) throw bad{p + "staging", "must be a mapping"};
      check_known(st, sp, {"enabled", "size", "storage_class", "access_mode", "keep_after_failure"});
      if (auto n = st["enabled"]; n && !n.IsNull()) s.staging = yes_no(n, sp + "enabled");
      if (auto n = st["size"]; n && !n.IsNull()) s.staging_claim.size = text(n, sp + "size");
      if (auto n = st["storage_class"]; n && !n.IsNull()) s.staging_claim.storage_class = text(n, sp + "storage_class");
      if (auto n = st["access_mode"]; n && !n.IsNull()) {
        s.staging_claim.access_mode = text(n, sp + "access_mode");
        const auto& m = s.staging_claim.access_mode;
        if (m != "ReadWriteOnce" && m != "ReadWriteMany" && m != "ReadWriteOncePod" && m != "ReadOnlyMany")
          throw bad{sp + "access_mode", fmt::format("'{}' is not ReadWriteOnce, ReadWriteOncePod or ReadWriteMany", m)};
      }
      if (auto n = st["keep_after_failure"]; n && !n.IsNull()) s.keep_failed_staging = seconds(n, sp + "keep_after_failure");
    }
    if (auto n = node["delete_finished_pods_after"]; n && !n.IsNull())
      s.delete_finished_pods_after = seconds(n, p + "delete_finished_pods_after");
    if (auto n = node["heartbeat_interval"]; n && !n.IsNull()) s.heartbeat_interval = seconds(n, p + "heartbeat_interval", 1);
    if (auto n = node["heartbeat_timeout"]; n && !n.IsNull()) s.heartbeat_timeout = seconds(n, p + "heartbeat_timeout", 1);
    if (s.heartbeat_timeout <= s.heartbeat_interval)
      throw bad{p + "heartbeat_timeout", "must be longer than heartbeat_interval"};
    if (auto n = node["pending_timeout"]; n && !n.IsNull()) s.pending_timeout = seconds(n, p + "pending_timeout", 1);
    if (auto n = node["kill_grace"]; n && !n.IsNull()) s.kill_grace = seconds(n, p + "kill_grace");
    if (auto n = node["gc_interval"]; n && !n.IsNull()) s.gc_interval = seconds(n, p + "gc_interval", 1);
    if (auto api = node["execution_api"]; api && !api.IsNull()) {
      const auto ap = p + "execution_api.";
      if (!api.IsMap()) throw bad{p + "execution_api", "must be a mapping with host, port and url"};
      check_known(api, ap, {"host", "port", "url"});
      if (auto n = api["host"]; n && !n.IsNull()) s.execution_api_host = text(n, ap + "host");
      if (auto n = api["port"]; n && !n.IsNull()) s.execution_api_port = static_cast<unsigned short>(whole(n, ap + "port", 0, 65535));
      if (auto n = api["url"]; n && !n.IsNull()) {
        s.execution_api_url = text(n, ap + "url");
        if (s.execution_api_url.rfind("http://", 0) != 0 && s.execution_api_url.rfind("https://", 0) != 0)
          throw bad{ap + "url", fmt::format("'{}' is not an http(s):// URL", s.execution_api_url)};
      }
    }
  } catch (const bad& b) {
    return settings_error{b.key, b.message};
  }
  return s;
}

std::variant<kubernetes_settings, settings_error> read_kubernetes_file(const fs::path& file) {
  try {
    auto root = YAML::LoadFile(file.string());
    return read_kubernetes_settings(root, fs::absolute(file).parent_path(), "");
  } catch (const YAML::Exception& e) {
    return settings_error{"(syntax)", e.what()};
  }
}

std::variant<kube_credentials, std::string> load_credentials(const kubernetes_settings& s) {
  if (s.in_cluster) return load_in_cluster();
  fs::path file = s.kubeconfig;
  if (file.empty()) {
    if (const char* k = std::getenv("KUBECONFIG"); k && *k) {
      std::string first(k);
      file = first.substr(0, first.find(':'));
    } else if (const char* home = std::getenv("HOME")) {
      file = fs::path(home) / ".kube" / "config";
    }
  }
  return load_kubeconfig(file, s.context);
}

std::variant<std::vector<bj::object>, std::string> read_manifests(const std::string& yaml_text) {
  std::vector<bj::object> out;
  try {
    for (const auto& doc : YAML::LoadAll(yaml_text)) {
      if (!doc || doc.IsNull()) continue;
      auto v = to_json(doc);
      if (!v.is_object()) return std::string("a manifest document is not a mapping");
      out.push_back(std::move(v.as_object()));
    }
  } catch (const YAML::Exception& e) {
    return std::string(e.what());
  }
  return out;
}

std::string collection_path(const bj::object& m) {
  const auto* kind = m.if_contains("kind");
  const auto* meta = m.if_contains("metadata");
  if (!kind || !kind->is_string() || !meta || !meta->is_object()) return {};
  std::string ns;
  if (const auto* n = meta->as_object().if_contains("namespace"); n && n->is_string()) ns = std::string(n->as_string());
  const std::string k(kind->as_string());
  if (k == "Namespace") return "/api/v1/namespaces";
  if (ns.empty()) return {};
  if (k == "ServiceAccount") return fmt::format("/api/v1/namespaces/{}/serviceaccounts", ns);
  if (k == "Role") return fmt::format("/apis/rbac.authorization.k8s.io/v1/namespaces/{}/roles", ns);
  if (k == "RoleBinding") return fmt::format("/apis/rbac.authorization.k8s.io/v1/namespaces/{}/rolebindings", ns);
  return {};
}

std::optional<std::string> probe_cluster(const kube_credentials& c, std::chrono::milliseconds timeout) {
  boost::asio::io_context io;
  try {
    kube_client client(io.get_executor(), c);
    const auto seconds = std::max<std::chrono::seconds>(std::chrono::seconds(1),
                                                        std::chrono::duration_cast<std::chrono::seconds>(timeout));
    auto fut = boost::asio::co_spawn(io, client.request("GET", "/version", {}, "application/json", seconds),
                                     boost::asio::use_future);
    io.run();
    auto reply = fut.get();
    if (reply.status == 401 || reply.status == 403)
      return fmt::format("it refuses Lite's credentials ({})", reply.reason());
    if (!reply.ok()) return reply.reason();
    return std::nullopt;
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace leoflow::kubernetes
