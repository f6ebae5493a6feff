// Tests executors/kubernetes/kube_config.hpp with real files: contexts,
// inline and file credentials, token files, refused exec plugins, server
// URLs, the in-cluster service account.
#include "executors/kubernetes/kube_config.hpp"

#include <cstdlib>

#include <boost/test/unit_test.hpp>

#include "test/support/temp_home.hpp"

using namespace leoflow::kubernetes;
using leoflow::test::temp_dir;
using leoflow::test::write_file;

namespace {

const char* two_contexts = R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
- name: remote
  cluster:
    server: https://k8s.example.com/prefix/
    certificate-authority: ca.pem
contexts:
- name: dev
  context: {cluster: local, user: admin, namespace: leoflow}
- name: prod
  context: {cluster: remote, user: robot}
- name: plugin
  context: {cluster: remote, user: cloud}
users:
- name: admin
  user:
    token: abc123
- name: robot
  user:
    tokenFile: token.txt
    client-certificate: robot.crt
    client-key: robot.key
- name: cloud
  user:
    exec: {command: gke-gcloud-auth-plugin, apiVersion: client.authentication.k8s.io/v1beta1}
)";

template <typename T>
const T& ok(const std::variant<T, std::string>& v) {
  const std::string why = std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : "";
  BOOST_REQUIRE_MESSAGE(std::holds_alternative<T>(v), why);
  return std::get<T>(v);
}

std::string bad(const std::variant<kube_credentials, std::string>& v) {
  BOOST_REQUIRE(std::holds_alternative<std::string>(v));
  return std::get<std::string>(v);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_current_context_with_an_inline_ca_and_a_token) {
  temp_dir dir;
  write_file(dir.path() / "config", two_contexts);
  const auto c = ok(load_kubeconfig(dir.path() / "config"));
  BOOST_TEST(c.host == "127.0.0.1");
  BOOST_TEST(c.port == "6443");
  BOOST_TEST(c.tls);
  BOOST_TEST(c.base_path == "");
  BOOST_TEST(c.ca_pem == "-----BEGIN CERTIFICATE-----\n");
  BOOST_TEST(current_token(c) == "abc123");
  BOOST_TEST(c.namespace_name == "leoflow");
  BOOST_TEST(c.description.find("context dev") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_named_context_with_files_relative_to_the_kubeconfig) {
  temp_dir dir;
  write_file(dir.path() / "config", two_contexts);
  write_file(dir.path() / "ca.pem", "CA PEM");
  write_file(dir.path() / "robot.crt", "CERT");
  write_file(dir.path() / "robot.key", "KEY");
  write_file(dir.path() / "token.txt", "first\n");
  const auto c = ok(load_kubeconfig(dir.path() / "config", "prod"));
  BOOST_TEST(c.host == "k8s.example.com");
  BOOST_TEST(c.port == "443");
  BOOST_TEST(c.base_path == "/prefix");
  BOOST_TEST(c.ca_pem == "CA PEM");
  BOOST_TEST(c.client_certificate_pem == "CERT");
  BOOST_TEST(c.client_key_pem == "KEY");
  BOOST_TEST(current_token(c) == "first");
  write_file(dir.path() / "token.txt", "rotated");  // bound tokens rotate
  BOOST_TEST(current_token(c) == "rotated");
}

BOOST_AUTO_TEST_CASE(exec_plugins_and_bad_files_are_refused_clearly) {
  temp_dir dir;
  write_file(dir.path() / "config", two_contexts);
  write_file(dir.path() / "ca.pem", "CA PEM");
  const auto plugin = bad(load_kubeconfig(dir.path() / "config", "plugin"));
  BOOST_TEST(plugin.find("exec plugin (gke-gcloud-auth-plugin)") != std::string::npos, plugin);
  BOOST_TEST(bad(load_kubeconfig(dir.path() / "config", "nope")).find("no contexts entry named \"nope\"") != std::string::npos);
  BOOST_TEST(bad(load_kubeconfig(dir.path() / "missing")).find("cannot read") != std::string::npos);
  write_file(dir.path() / "broken", "clusters: [");
  BOOST_TEST(bad(load_kubeconfig(dir.path() / "broken")).find("not valid YAML") != std::string::npos);
  std::filesystem::remove(dir.path() / "ca.pem");
  BOOST_TEST(bad(load_kubeconfig(dir.path() / "config", "prod")).find("ca.pem") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(server_urls) {
  kube_credentials c;
  BOOST_TEST(!set_server(c, "http://localhost:8001"));
  BOOST_TEST(!c.tls);
  BOOST_TEST(c.port == "8001");
  BOOST_TEST(!set_server(c, "https://[::1]:6443"));
  BOOST_TEST(c.host == "::1");
  BOOST_TEST(set_server(c, "ftp://x").has_value());
  BOOST_TEST(set_server(c, "not a url").has_value());
}

BOOST_AUTO_TEST_CASE(the_in_cluster_service_account) {
  temp_dir dir;
  write_file(dir.path() / "token", "sa-token\n");
  write_file(dir.path() / "ca.crt", "CLUSTER CA");
  write_file(dir.path() / "namespace", "jobs\n");
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  BOOST_TEST(bad(load_in_cluster(dir.path())).find("KUBERNETES_SERVICE_HOST") != std::string::npos);
  ::setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  const auto c = ok(load_in_cluster(dir.path()));
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  ::unsetenv("KUBERNETES_SERVICE_PORT");
  BOOST_TEST(c.host == "10.0.0.1");
  BOOST_TEST(current_token(c) == "sa-token");
  BOOST_TEST(c.ca_pem == "CLUSTER CA");
  BOOST_TEST(c.namespace_name == "jobs");
}
