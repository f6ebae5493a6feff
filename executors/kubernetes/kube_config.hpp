// Where the Kubernetes API is and how to authenticate to it: a kubeconfig
// file (its current or a named context; CA, client certificate and key,
// bearer token or token file, inline or as files) or the in-cluster service
// account. Exec and auth-provider plugins are refused: Lite runs no helper
// programs to get credentials.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>

namespace leoflow::kubernetes {

namespace fs = std::filesystem;

struct kube_credentials {
  std::string host;  // name or address, without brackets
  std::string port;
  bool tls = true;
  std::string base_path;  // a server URL's path prefix ("" or "/prefix")
  std::string ca_pem;     // empty: the system's trust store
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;  // names the server's certificate must carry (default: host)
  std::string client_certificate_pem;
  std::string client_key_pem;
  std::string token;
  fs::path token_file;  // re-read as it rotates (bound service-account tokens)
  std::string namespace_name;  // the context's namespace, or the service account's
  std::string description;     // "kubeconfig FILE, context NAME" for messages
};

// The bearer token to send now (token_file re-read when it is set).
std::string current_token(const kube_credentials& c);

// Reads a kubeconfig. `context` empty: its current-context. The error names
// the file and what is wrong with it.
std::variant<kube_credentials, std::string> load_kubeconfig(const fs::path& file, const std::string& context = {});

// The in-cluster service account: KUBERNETES_SERVICE_HOST/PORT and the files
// under `account_dir` (token, ca.crt, namespace).
std::variant<kube_credentials, std::string> load_in_cluster(
    const fs::path& account_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// Splits "https://host:port/prefix" into the credentials' host, port, tls and
// base_path; the error says what is wrong with the URL.
std::optional<std::string> set_server(kube_credentials& c, const std::string& url);

}  // namespace leoflow::kubernetes
