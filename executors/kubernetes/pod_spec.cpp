// Building a try's pod, Secret and staging claim.
#include "executors/kubernetes/pod_spec.hpp"

#include <cmath>

#include <boost/beast/core/detail/base64.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/engine_features.hpp"
#include "common/hash.hpp"

namespace leoflow::kubernetes {

namespace bj = boost::json;

namespace {

constexpr std::size_t max_name = 63;

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Lower-case letters, digits and single dashes, no dash at either end.
std::string dns_part(std::string_view text) {
  std::string out;
  for (char c : text) {
    char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (alnum(l)) {
      out.push_back(l);
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

// `head` cut so that head + tail fits in 63 characters, never ending in a dash.
std::string fit(std::string head, const std::string& tail) {
  if (head.size() + tail.size() > max_name) head.resize(max_name - std::min(max_name, tail.size()));
  while (!head.empty() && head.back() == '-') head.pop_back();
  return head + tail;
}

std::string base64(std::string_view in) {
  namespace b64 = boost::beast::detail::base64;
  std::string out(b64::encoded_size(in.size()), '\0');
  out.resize(b64::encode(out.data(), in.data(), in.size()));
  return out;
}

// Objects merge key by key; anything else from `over` replaces.
void deep_merge(bj::object& into, const bj::object& over) {
  for (const auto& [k, v] : over) {
    auto* mine = into.if_contains(k);
    if (mine && mine->is_object() && v.is_object())
      deep_merge(mine->as_object(), v.as_object());
    else
      into[k] = v;
  }
}

void append_all(bj::object& into, const char* key, const bj::value& more) {
  auto& list = into[key];
  if (!list.is_array()) list = bj::array{};
  for (const auto& e : more.as_array()) list.as_array().push_back(e);
}

struct config_problem {
  std::string text;
};

const bj::object& need_object(const bj::value& v, const std::string& where) {
  if (!v.is_object()) throw config_problem{fmt::format("executor_config: {} must be a mapping", where)};
  return v.as_object();
}

// pod_override's base container (named "base" as in Airflow, or "task")
// into ours: lists of env, envFrom and volumeMounts are added to, the rest
// is merged; Lite's runtime keeps the command.
void merge_container(bj::object& task, const bj::object& over) {
  for (const auto& [k, v] : over) {
    if (k == "name") continue;
    if (k == "command" || k == "args")
      throw config_problem{"executor_config: pod_override cannot set the task container's command or args "
                           "(the container runs Lite's task runtime)"};
    if (k == "env" || k == "envFrom" || k == "volumeMounts") {
      if (!v.is_array()) throw config_problem{fmt::format("executor_config: container {} must be a list", std::string(k))};
      append_all(task, std::string(k).c_str(), v);
    } else if (v.is_object() && task.contains(k) && task.at(k).is_object()) {
      deep_merge(task[k].as_object(), v.as_object());
    } else {
      task[k] = v;
    }
  }
}

void apply_pod_override(bj::object& pod, const bj::object& override_pod) {
  for (const auto& [k, v] : override_pod)
    if (k != "apiVersion" && k != "kind" && k != "metadata" && k != "spec")
      throw config_problem{fmt::format("executor_config: pod_override has an unknown key '{}' (a Pod has "
                                       "apiVersion, kind, metadata and spec)",
                                       std::string(k))};
  if (const auto* m = override_pod.if_contains("metadata")) {
    const auto& meta = need_object(*m, "pod_override.metadata");
    for (const auto& [k, v] : meta) {
      if (k != "labels" && k != "annotations")
        throw config_problem{fmt::format("executor_config: pod_override.metadata.{} cannot be set (labels and "
                                         "annotations can)",
                                         std::string(k))};
      const auto& values = need_object(v, fmt::format("pod_override.metadata.{}", std::string(k)));
      auto& mine = pod["metadata"].as_object()[k];
      if (!mine.is_object()) mine = bj::object{};
      // Lite's own labels stay: its watch finds the pod by them.
      for (const auto& [lk, lv] : values)
        if (!mine.as_object().contains(lk) || std::string_view(lk).rfind(label_prefix, 0) != 0) mine.as_object()[lk] = lv;
    }
  }
  const auto* s = override_pod.if_contains("spec");
  if (!s) return;
  const auto& spec_over = need_object(*s, "pod_override.spec");
  auto& spec = pod["spec"].as_object();
  for (const auto& [k, v] : spec_over) {
    if (k == "restartPolicy") {
      if (!v.is_string() || v.as_string() != "Never")
        throw config_problem{"executor_config: pod_override.spec.restartPolicy must be Never (a retry is a new "
                             "try, not a container restart)"};
    } else if (k == "containers") {
      if (!v.is_array()) throw config_problem{"executor_config: pod_override.spec.containers must be a list"};
      auto& ours = spec["containers"].as_array();
      const auto& list = v.as_array();
      for (const auto& c : list) {
        const auto& co = need_object(c, "pod_override.spec.containers[]");
        const auto* name = co.if_contains("name");
        const bool is_base = (name && name->is_string() && (name->as_string() == "base" || name->as_string() == "task")) ||
                             (list.size() == 1 && !name);
        if (is_base)
          merge_container(ours[0].as_object(), co);
        else
          ours.push_back(co);
      }
    } else if (k == "volumes") {
      if (!v.is_array()) throw config_problem{"executor_config: pod_override.spec.volumes must be a list"};
      append_all(spec, "volumes", v);
    } else if (v.is_object() && spec.contains(k) && spec.at(k).is_object()) {
      deep_merge(spec[k].as_object(), v.as_object());
    } else {
      spec[k] = v;
    }
  }
}

// Airflow's older dict form: {"KubernetesExecutor": {"request_memory": ...}}.
void apply_legacy(bj::object& pod, const bj::object& cfg) {
  auto& spec = pod["spec"].as_object();
  auto& task = spec["containers"].as_array()[0].as_object();
  auto resource = [&](const char* part, const char* name, const bj::value& v) {
    auto& res = task["resources"];
    if (!res.is_object()) res = bj::object{};
    auto& p = res.as_object()[part];
    if (!p.is_object()) p = bj::object{};
    if (!v.is_string() && !v.is_number())
      throw config_problem{fmt::format("executor_config: KubernetesExecutor {} must be a quantity", name)};
    p.as_object()[name] = v.is_string() ? v : bj::value(bj::serialize(v));
  };
  for (const auto& [k, v] : cfg) {
    const std::string key(k);
    if (key == "request_memory") resource("requests", "memory", v);
    else if (key == "request_cpu") resource("requests", "cpu", v);
    else if (key == "request_ephemeral_storage") resource("requests", "ephemeral-storage", v);
    else if (key == "limit_memory") resource("limits", "memory", v);
    else if (key == "limit_cpu") resource("limits", "cpu", v);
    else if (key == "limit_gpu") resource("limits", "nvidia.com/gpu", v);
    else if (key == "limit_ephemeral_storage") resource("limits", "ephemeral-storage", v);
    else if (key == "node_selectors") spec["nodeSelector"] = need_object(v, "KubernetesExecutor.node_selectors");
    else if (key == "tolerations") spec["tolerations"] = v;
    else if (key == "affinity") spec["affinity"] = v;
    else if (key == "service_account_name") spec["serviceAccountName"] = v;
    else if (key == "image") task["image"] = v;
    else if (key == "image_pull_policy") task["imagePullPolicy"] = v;
    else if (key == "annotations" || key == "labels") {
      auto& mine = pod["metadata"].as_object()[key];
      if (!mine.is_object()) mine = bj::object{};
      for (const auto& [lk, lv] : need_object(v, "KubernetesExecutor." + key))
        if (std::string_view(lk).rfind(label_prefix, 0) != 0) mine.as_object()[lk] = lv;
    } else
      throw config_problem{fmt::format(
          "executor_config: KubernetesExecutor has an unknown key '{}' (known: request_memory, request_cpu, "
          "request_ephemeral_storage, limit_memory, limit_cpu, limit_gpu, limit_ephemeral_storage, node_selectors, "
          "tolerations, affinity, service_account_name, image, image_pull_policy, annotations, labels)",
          key)};
  }
}

bj::object env_var(std::string_view name, std::string_view value) {
  return bj::object{{"name", name}, {"value", value}};
}

}  // namespace

std::string pod_name(std::string_view dag_id, std::string_view task_id, int try_number, std::string_view unique) {
  std::string head = "leoflow";
  if (auto d = dns_part(dag_id); !d.empty()) head += "-" + d;
  if (auto t = dns_part(task_id); !t.empty()) head += "-" + t;
  return fit(head, fmt::format("-{}-{}", try_number, dns_part(unique)));
}

std::string staging_claim_name(std::string_view dag_id, std::string_view run_id) {
  std::string head = "leoflow-staging";
  if (auto d = dns_part(dag_id); !d.empty()) head += "-" + d;
  if (auto r = dns_part(run_id); !r.empty()) head += "-" + r;
  const auto hash = sha256_hex(fmt::format("{}\n{}", dag_id, run_id)).substr(0, 8);
  return fit(head, "-" + hash);
}

std::string label_value(std::string_view text) {
  auto valid_char = [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; };
  bool valid = text.size() <= max_name && (text.empty() || (alnum(text.front()) && alnum(text.back())));
  for (char c : text) valid = valid && valid_char(c);
  if (valid) return std::string(text);
  std::string clean;
  for (char c : text) clean.push_back(valid_char(c) ? c : '_');
  while (!clean.empty() && !alnum(clean.front())) clean.erase(clean.begin());
  const auto hash = sha256_hex(text).substr(0, 8);
  if (clean.size() > max_name - hash.size() - 1) clean.resize(max_name - hash.size() - 1);
  while (!clean.empty() && !alnum(clean.back())) clean.pop_back();
  return clean.empty() ? hash : clean + "-" + hash;
}

bj::object try_labels(const pod_request& r) {
  const std::string p(label_prefix);
  bj::object labels{{"app.kubernetes.io/managed-by", "leoflow"},
                    {p + "server", label_value(r.server_id)},
                    {p + "dag-id", label_value(r.dag_id)},
                    {p + "task-id", label_value(r.task_id)},
                    {p + "run-id", label_value(r.run_id)},
                    {p + "try-number", std::to_string(r.try_number)},
                    {p + "ti-id", std::to_string(r.ti_id)}};
  // As Airflow labels them: only mapped instances have one ("-1" is no label value).
  if (r.map_index >= 0) labels[p + "map-index"] = std::to_string(r.map_index);
  return labels;
}

std::variant<bj::object, std::string> build_pod(const pod_request& r, const pod_defaults& d) {
  const std::string p(label_prefix);
  bj::object labels = d.labels;
  for (const auto& [k, v] : try_labels(r)) labels[k] = v;
  bj::object annotations = d.annotations;
  annotations[p + "dag-id"] = r.dag_id;
  annotations[p + "task-id"] = r.task_id;
  annotations[p + "run-id"] = r.run_id;

  bj::array env{env_var("LEOFLOW_EXECUTION_API", r.execution_api_url), env_var("LEOFLOW_TI_ID", std::to_string(r.ti_id)),
                env_var("LEOFLOW_TRY_NUMBER", std::to_string(r.try_number)), env_var("PYTHONUNBUFFERED", "1"),
                env_var("PYTHONIOENCODING", "utf-8"), env_var("LEOFLOW_FEATURES", engine_features)};
  bj::object container{{"name", "task"},
                       {"image", r.image},
                       {"imagePullPolicy", d.image_pull_policy},
                       {"command", bj::array{"python3", "-m", "leoflow_runtime"}},
                       {"args", bj::array{"--execution-api"}},
                       {"envFrom", bj::array{bj::object{{"secretRef", bj::object{{"name", r.secret_name}}}}}},
                       {"terminationMessagePolicy", "FallbackToLogsOnError"}};
  if (!d.resources.empty()) container["resources"] = d.resources;
  bj::object spec{{"restartPolicy", "Never"},
                  {"automountServiceAccountToken", false},
                  {"terminationGracePeriodSeconds", d.termination_grace_seconds}};
  if (r.staging_claim) {
    env.push_back(env_var("LEOFLOW_STAGING_DIR", staging_mount));
    container["volumeMounts"] = bj::array{bj::object{{"name", "staging"}, {"mountPath", staging_mount}}};
    spec["volumes"] =
        bj::array{bj::object{{"name", "staging"}, {"persistentVolumeClaim", bj::object{{"claimName", *r.staging_claim}}}}};
  }
  container["env"] = std::move(env);
  spec["containers"] = bj::array{std::move(container)};
  if (!d.service_account.empty()) spec["serviceAccountName"] = d.service_account;
  if (!d.node_selector.empty()) spec["nodeSelector"] = d.node_selector;
  if (!d.tolerations.empty()) spec["tolerations"] = d.tolerations;
  if (r.execution_timeout)
    spec["activeDeadlineSeconds"] =
        static_cast<std::int64_t>(std::ceil(*r.execution_timeout)) + std::max(0, d.deadline_slack_seconds);

  bj::object pod{{"apiVersion", "v1"},
                 {"kind", "Pod"},
                 {"metadata", bj::object{{"name", pod_name(r.dag_id, r.task_id, r.try_number, r.unique)},
                                         {"labels", std::move(labels)},
                                         {"annotations", std::move(annotations)}}},
                 {"spec", std::move(spec)}};
  if (r.executor_config_json.empty()) return pod;
  try {
    boost::system::error_code ec;
    auto cfg = bj::parse(r.executor_config_json, ec);
    if (ec) throw config_problem{"executor_config is not JSON"};
    if (cfg.is_null()) return pod;
    for (const auto& [k, v] : need_object(cfg, "the value")) {
      if (k == "pod_override") {
        if (!v.is_null()) apply_pod_override(pod, need_object(v, "pod_override"));
      } else if (k == "KubernetesExecutor") {
        apply_legacy(pod, need_object(v, "KubernetesExecutor"));
      } else {
        throw config_problem{fmt::format("executor_config: unknown key '{}' (Lite's Kubernetes executor reads "
                                         "pod_override and KubernetesExecutor)",
                                         std::string(k))};
      }
    }
  } catch (const config_problem& e) {
    return e.text;
  }
  return pod;
}

bj::object build_secret(const std::string& name, const bj::object& labels,
                        const std::vector<std::pair<std::string, std::string>>& values) {
  bj::object data;
  for (const auto& [k, v] : values) data[k] = base64(v);
  return bj::object{{"apiVersion", "v1"},
                    {"kind", "Secret"},
                    {"type", "Opaque"},
                    {"metadata", bj::object{{"name", name}, {"labels", labels}}},
                    {"data", std::move(data)}};
}

bj::object build_staging_claim(const std::string& name, const std::string& server_id, const std::string& dag_id,
                               const std::string& run_id, const staging_settings& s) {
  const std::string p(label_prefix);
  bj::object spec{{"accessModes", bj::array{s.access_mode}},
                  {"resources", bj::object{{"requests", bj::object{{"storage", s.size}}}}}};
  if (!s.storage_class.empty()) spec["storageClassName"] = s.storage_class;
  return bj::object{
      {"apiVersion", "v1"},
      {"kind", "PersistentVolumeClaim"},
      {"metadata", bj::object{{"name", name},
                              {"labels", bj::object{{"app.kubernetes.io/managed-by", "leoflow"},
                                                    {p + "server", label_value(server_id)},
                                                    {p + "dag-id", label_value(dag_id)},
                                                    {p + "run-id", label_value(run_id)},
                                                    {p + "staging", "true"}}},
                              {"annotations", bj::object{{p + "dag-id", dag_id}, {p + "run-id", run_id}}}}},
      {"spec", std::move(spec)}};
}

}  // namespace leoflow::kubernetes
