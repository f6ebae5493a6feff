// Tests executors/kubernetes/pod_spec.hpp: names cut to 63 valid characters,
// label-safe values, the pod's fixed parts (container task, restartPolicy
// Never, the Secret, /staging, activeDeadlineSeconds) and executor_config
// (pod_override and the KubernetesExecutor dict) merged or refused.
#include "executors/kubernetes/pod_spec.hpp"

#include <regex>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

using namespace leoflow::kubernetes;
namespace bj = boost::json;
namespace bdata = boost::unit_test::data;

namespace {

const std::regex dns1123("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
const std::regex label_syntax("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

pod_request sample() {
  pod_request r;
  r.server_id = "lite-0123456789ab";
  r.ti_id = 42;
  r.dag_id = "staging_pair";
  r.task_id = "group.write";
  r.run_id = "manual__2026-11-28T10:00:00+00:00";
  r.try_number = 2;
  r.unique = "1d1e24ae";
  r.image = "leoflow/staging-pair:abc";
  r.secret_name = "leoflow-staging-pair-group-write-2-1d1e24ae";
  r.staging_claim = "leoflow-staging-staging-pair-manual-1234abcd";
  r.execution_api_url = "http://127.0.0.1:8793/execution";
  return r;
}

bj::object pod_of(const pod_request& r, const pod_defaults& d = {}) {
  auto built = build_pod(r, d);
  const std::string why = std::holds_alternative<std::string>(built) ? std::get<std::string>(built) : "";
  BOOST_REQUIRE_MESSAGE(std::holds_alternative<bj::object>(built), why);
  return std::get<bj::object>(built);
}

std::string refusal(const pod_request& r) {
  auto built = build_pod(r, {});
  BOOST_REQUIRE(std::holds_alternative<std::string>(built));
  return std::get<std::string>(built);
}

const bj::object& task_container(const bj::object& pod) {
  return pod.at("spec").at("containers").at(0).as_object();
}

std::string env_value(const bj::object& container, const std::string& name) {
  for (const auto& e : container.at("env").as_array())
    if (e.at("name").as_string() == name) return std::string(e.at("value").as_string());
  return "<absent>";
}

struct name_case {
  const char* dag;
  const char* task;
  int try_number;
};
std::ostream& operator<<(std::ostream& o, const name_case& c) { return o << c.dag << "/" << c.task; }

const name_case names[] = {
    {"staging_pair", "write", 1},
    {"My_DAG.With.Dots", "Group.Task_ID", 3},
    {"a_very_long_dag_id_that_goes_on_and_on_and_on_past_any_limit_kubernetes_has", "and_a_long_task_id_too", 12},
    {"---", "___", 1},
    {"dag", "ünïcødé-tâsk", 1},
};

}  // namespace

BOOST_DATA_TEST_CASE(pod_names_are_dns_labels_of_at_most_63, bdata::make(names), c) {
  const auto name = pod_name(c.dag, c.task, c.try_number, "1d1e24ae");
  BOOST_TEST(name.size() <= 63u);
  BOOST_TEST(std::regex_match(name, dns1123), name);
  BOOST_TEST(name.rfind("leoflow-", 0) == 0u);
  const auto tail = "-" + std::to_string(c.try_number) + "-1d1e24ae";
  BOOST_TEST(name.substr(name.size() - tail.size()) == tail);
}

BOOST_AUTO_TEST_CASE(a_short_name_keeps_every_part) {
  BOOST_TEST(pod_name("staging_pair", "write", 1, "abcd1234") == "leoflow-staging-pair-write-1-abcd1234");
}

BOOST_AUTO_TEST_CASE(staging_claims_differ_per_run_and_fit) {
  const auto a = staging_claim_name("d", "manual__2026-11-28T10:00:00+00:00");
  const auto b = staging_claim_name("d", "manual__2026-11-28T10:00:00.5+00:00");
  BOOST_TEST(a != b);
  BOOST_TEST(std::regex_match(a, dns1123));
  BOOST_TEST(a.rfind("leoflow-staging-d-", 0) == 0u);
  const auto long_one = staging_claim_name(std::string(80, 'x'), std::string(80, 'y'));
  BOOST_TEST(long_one.size() <= 63u);
  BOOST_TEST(std::regex_match(long_one, dns1123));
}

BOOST_DATA_TEST_CASE(label_values_are_valid,
                     bdata::make({"write", "manual__2026-11-28T10:00:00+00:00", "", "-leading", "trailing.",
                                  "x_y-z.1", "spaces and / slashes"}),
                     text) {
  const std::string s(text);
  const auto v = label_value(s);
  BOOST_TEST(v.size() <= 63u);
  BOOST_TEST(std::regex_match(v, label_syntax), v);
}

BOOST_AUTO_TEST_CASE(valid_label_values_are_kept_and_others_hashed) {
  BOOST_TEST(label_value("x_y-z.1") == "x_y-z.1");
  const auto a = label_value("manual__2026-11-28T10:00:00+00:00");
  const auto b = label_value("manual__2026-11-28T10:00:00-00:00");
  BOOST_TEST(a != b);  // the hash keeps lossy forms apart
  BOOST_TEST(label_value(std::string(100, 'a')).size() <= 63u);
}

BOOST_AUTO_TEST_CASE(the_pod_runs_the_runtime_in_container_task) {
  const auto pod = pod_of(sample());
  BOOST_TEST(pod.at("kind").as_string() == "Pod");
  const auto& spec = pod.at("spec").as_object();
  BOOST_TEST(spec.at("restartPolicy").as_string() == "Never");
  BOOST_TEST(spec.at("automountServiceAccountToken").as_bool() == false);
  BOOST_TEST(!spec.contains("activeDeadlineSeconds"));
  const auto& c = task_container(pod);
  BOOST_TEST(c.at("name").as_string() == "task");
  BOOST_TEST(c.at("image").as_string() == "leoflow/staging-pair:abc");
  BOOST_TEST(bj::serialize(c.at("command")) == R"(["python3","-m","leoflow_runtime"])");
  BOOST_TEST(bj::serialize(c.at("args")) == R"(["--execution-api"])");
  BOOST_TEST(c.at("envFrom").at(0).at("secretRef").at("name").as_string() == sample().secret_name);
  BOOST_TEST(env_value(c, "LEOFLOW_EXECUTION_API") == "http://127.0.0.1:8793/execution");
  BOOST_TEST(env_value(c, "LEOFLOW_TI_ID") == "42");
  BOOST_TEST(env_value(c, "LEOFLOW_STAGING_DIR") == "/staging");
  BOOST_TEST(c.at("volumeMounts").at(0).at("mountPath").as_string() == "/staging");
  BOOST_TEST(spec.at("volumes").at(0).at("persistentVolumeClaim").at("claimName").as_string() == *sample().staging_claim);
  // Nothing secret is in the spec itself: the token comes from the Secret.
  BOOST_TEST(bj::serialize(pod).find("TOKEN") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(labels_name_the_try_and_annotations_keep_exact_ids) {
  auto r = sample();
  const auto pod = pod_of(r);
  const auto& labels = pod.at("metadata").at("labels").as_object();
  BOOST_TEST(labels.at("leoflow.io/dag-id").as_string() == "staging_pair");
  BOOST_TEST(labels.at("leoflow.io/task-id").as_string() == "group.write");
  BOOST_TEST(labels.at("leoflow.io/try-number").as_string() == "2");
  BOOST_TEST(labels.at("leoflow.io/ti-id").as_string() == "42");
  BOOST_TEST(labels.at("leoflow.io/server").as_string() == "lite-0123456789ab");
  BOOST_TEST(!labels.contains("leoflow.io/map-index"));
  for (const auto& [k, v] : labels) BOOST_TEST(std::regex_match(std::string(v.as_string()), label_syntax), k);
  BOOST_TEST(pod.at("metadata").at("annotations").at("leoflow.io/run-id").as_string() == r.run_id);
  r.map_index = 3;
  BOOST_TEST(pod_of(r).at("metadata").at("labels").at("leoflow.io/map-index").as_string() == "3");
}

BOOST_AUTO_TEST_CASE(without_staging_there_is_no_volume_nor_variable) {
  auto r = sample();
  r.staging_claim.reset();
  const auto pod = pod_of(r);
  BOOST_TEST(!pod.at("spec").as_object().contains("volumes"));
  BOOST_TEST(env_value(task_container(pod), "LEOFLOW_STAGING_DIR") == "<absent>");
}

BOOST_AUTO_TEST_CASE(execution_timeout_sets_the_deadline_with_its_slack) {
  auto r = sample();
  r.execution_timeout = 2.5;
  pod_defaults d;
  d.deadline_slack_seconds = 30;
  BOOST_TEST(pod_of(r, d).at("spec").at("activeDeadlineSeconds").as_int64() == 33);
}

BOOST_AUTO_TEST_CASE(defaults_from_the_configuration) {
  pod_defaults d;
  d.image_pull_policy = "Never";
  d.service_account = "tasks";
  d.resources = bj::parse(R"({"requests": {"cpu": "100m"}})").as_object();
  d.node_selector = bj::object{{"disk", "ssd"}};
  d.labels = bj::object{{"team", "data"}, {"leoflow.io/ti-id", "spoofed"}};
  const auto pod = pod_of(sample(), d);
  const auto& spec = pod.at("spec").as_object();
  BOOST_TEST(spec.at("serviceAccountName").as_string() == "tasks");
  BOOST_TEST(spec.at("nodeSelector").at("disk").as_string() == "ssd");
  BOOST_TEST(task_container(pod).at("imagePullPolicy").as_string() == "Never");
  BOOST_TEST(task_container(pod).at("resources").at("requests").at("cpu").as_string() == "100m");
  BOOST_TEST(pod.at("metadata").at("labels").at("team").as_string() == "data");
  BOOST_TEST(pod.at("metadata").at("labels").at("leoflow.io/ti-id").as_string() == "42");
}

BOOST_AUTO_TEST_CASE(pod_override_merges_into_the_base_container_and_spec) {
  auto r = sample();
  r.executor_config_json = R"({"pod_override": {
      "metadata": {"labels": {"team": "ml", "leoflow.io/dag-id": "other"}, "annotations": {"note": "x"}},
      "spec": {"nodeSelector": {"gpu": "yes"}, "tolerations": [{"key": "gpu", "operator": "Exists"}],
               "serviceAccountName": "ml-tasks",
               "containers": [{"name": "base", "resources": {"limits": {"memory": "1Gi"}},
                               "env": [{"name": "MODEL", "value": "big"}], "imagePullPolicy": "Always"},
                              {"name": "sidecar", "image": "busybox"}],
               "volumes": [{"name": "cache", "emptyDir": {}}]}}})";
  const auto pod = pod_of(r);
  const auto& spec = pod.at("spec").as_object();
  const auto& c = task_container(pod);
  BOOST_TEST(c.at("name").as_string() == "task");
  BOOST_TEST(c.at("resources").at("limits").at("memory").as_string() == "1Gi");
  BOOST_TEST(c.at("imagePullPolicy").as_string() == "Always");
  BOOST_TEST(env_value(c, "MODEL") == "big");
  BOOST_TEST(env_value(c, "LEOFLOW_TI_ID") == "42");
  BOOST_TEST(spec.at("containers").as_array().size() == 2u);
  BOOST_TEST(spec.at("nodeSelector").at("gpu").as_string() == "yes");
  BOOST_TEST(spec.at("tolerations").as_array().size() == 1u);
  BOOST_TEST(spec.at("serviceAccountName").as_string() == "ml-tasks");
  BOOST_TEST(spec.at("volumes").as_array().size() == 2u);  // staging kept, cache added
  BOOST_TEST(pod.at("metadata").at("labels").at("team").as_string() == "ml");
  BOOST_TEST(pod.at("metadata").at("labels").at("leoflow.io/dag-id").as_string() == "staging_pair");
  BOOST_TEST(pod.at("metadata").at("annotations").at("note").as_string() == "x");
}

BOOST_AUTO_TEST_CASE(the_kubernetes_executor_dict_maps_airflows_keys) {
  auto r = sample();
  r.executor_config_json = R"({"KubernetesExecutor": {"request_memory": "128Mi", "limit_cpu": 2,
      "node_selectors": {"zone": "a"}, "service_account_name": "sa", "image": "custom:1",
      "image_pull_policy": "Never", "annotations": {"a": "b"}}})";
  const auto pod = pod_of(r);
  const auto& c = task_container(pod);
  BOOST_TEST(c.at("resources").at("requests").at("memory").as_string() == "128Mi");
  BOOST_TEST(c.at("resources").at("limits").at("cpu").as_string() == "2");
  BOOST_TEST(c.at("image").as_string() == "custom:1");
  BOOST_TEST(c.at("imagePullPolicy").as_string() == "Never");
  BOOST_TEST(pod.at("spec").at("nodeSelector").at("zone").as_string() == "a");
  BOOST_TEST(pod.at("spec").at("serviceAccountName").as_string() == "sa");
}

BOOST_DATA_TEST_CASE(executor_config_mistakes_are_refused_with_their_key,
                     bdata::make({R"({"pod_overide": {}})", R"({"KubernetesExecutor": {"request_memroy": "1Gi"}})",
                                  R"({"pod_override": {"spec": {"restartPolicy": "Always"}}})",
                                  R"({"pod_override": {"spec": {"containers": [{"name": "base", "command": ["sh"]}]}}})",
                                  R"({"pod_override": {"metadata": {"name": "mine"}}})", R"({"pod_override": []})",
                                  R"([1, 2])"}),
                     config) {
  auto r = sample();
  r.executor_config_json = config;
  const auto why = refusal(r);
  BOOST_TEST(why.rfind("executor_config", 0) == 0u, why);
}

BOOST_AUTO_TEST_CASE(secrets_hold_base64_values_and_claims_their_size) {
  const auto secret = build_secret("s", bj::object{{"a", "b"}}, {{"LEOFLOW_TRY_TOKEN", "abc"}, {"AIRFLOW_CONN_X", "y"}});
  BOOST_TEST(secret.at("kind").as_string() == "Secret");
  BOOST_TEST(secret.at("data").at("LEOFLOW_TRY_TOKEN").as_string() == "YWJj");
  BOOST_TEST(secret.at("data").at("AIRFLOW_CONN_X").as_string() == "eQ==");
  staging_settings st;
  st.size = "2Gi";
  st.storage_class = "local-path";
  const auto claim = build_staging_claim("c", "lite-1", "d", "r", st);
  BOOST_TEST(claim.at("spec").at("resources").at("requests").at("storage").as_string() == "2Gi");
  BOOST_TEST(claim.at("spec").at("storageClassName").as_string() == "local-path");
  BOOST_TEST(claim.at("spec").at("accessModes").at(0).as_string() == "ReadWriteOnce");
  BOOST_TEST(claim.at("metadata").at("annotations").at("leoflow.io/run-id").as_string() == "r");
}
