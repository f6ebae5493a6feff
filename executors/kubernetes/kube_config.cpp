// Reading kubeconfig files and the in-cluster service account.
#include "executors/kubernetes/kube_config.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <boost/beast/core/detail/base64.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace leoflow::kubernetes {

namespace {

struct problem {
  std::string text;
};

std::optional<std::string> read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
  return s.substr(i);
}

std::string decode_base64(const std::string& text, const std::string& key) {
  namespace b64 = boost::beast::detail::base64;
  std::string clean;
  for (char c : text)
    if (c != '\n' && c != '\r' && c != ' ') clean.push_back(c);
  // The decoder stops at the padding.
  std::size_t padding = 0;
  while (padding < clean.size() && padding < 2 && clean[clean.size() - 1 - padding] == '=') ++padding;
  std::string out(b64::decoded_size(clean.size()), '\0');
  auto [written, read] = b64::decode(out.data(), clean.data(), clean.size());
  if (read + padding != clean.size() && read != clean.size()) throw problem{fmt::format("{} is not valid base64", key)};
  out.resize(written);
  return out;
}

std::string scalar(const YAML::Node& n, const std::string& key) {
  if (!n || n.IsNull()) return {};
  if (!n.IsScalar()) throw problem{fmt::format("{} must be a single value", key)};
  return n.Scalar();
}

// An entry of `clusters`, `users` or `contexts` by name: its inner mapping.
YAML::Node named(const YAML::Node& root, const char* list, const char* inner, const std::string& name) {
  const auto entries = root[list];
  if (entries && entries.IsSequence())
    for (const auto& e : entries)
      if (e.IsMap() && scalar(e["name"], fmt::format("{}[].name", list)) == name) {
        auto body = e[inner];
        if (!body || !body.IsMap()) throw problem{fmt::format("{} entry \"{}\" has no {} mapping", list, name, inner)};
        return body;
      }
  throw problem{fmt::format("no {} entry named \"{}\"", list, name)};
}

fs::path relative_to(const fs::path& base, const std::string& p) {
  const fs::path path(p);
  return path.is_absolute() ? path : base / path;
}

// Inline `<key>-data` (base64) or the file `<key>` names.
std::string pem(const YAML::Node& node, const std::string& key, const fs::path& base, const std::string& where) {
  if (auto data = scalar(node[key + "-data"], where + "." + key + "-data"); !data.empty())
    return decode_base64(data, where + "." + key + "-data");
  if (auto file = scalar(node[key], where + "." + key); !file.empty()) {
    const auto path = relative_to(base, file);
    auto text = read_text(path);
    if (!text) throw problem{fmt::format("{}.{}: cannot read {}", where, key, path.string())};
    return *text;
  }
  return {};
}

}  // namespace

std::optional<std::string> set_server(kube_credentials& c, const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return fmt::format("server \"{}\" is not a URL", url);
  const auto scheme = std::string(parsed->scheme());
  if (scheme != "https" && scheme != "http")
    return fmt::format("server \"{}\" must start with https:// (or http://)", url);
  c.tls = scheme == "https";
  c.host = std::string(parsed->host_name().empty() ? parsed->encoded_host_address() : parsed->host_name());
  if (!c.host.empty() && c.host.front() == '[' && c.host.back() == ']') c.host = c.host.substr(1, c.host.size() - 2);
  if (c.host.empty()) return fmt::format("server \"{}\" names no host", url);
  c.port = parsed->has_port() ? std::string(parsed->port()) : (c.tls ? "443" : "80");
  c.base_path = std::string(parsed->encoded_path());
  while (!c.base_path.empty() && c.base_path.back() == '/') c.base_path.pop_back();
  return std::nullopt;
}

std::string current_token(const kube_credentials& c) {
  if (!c.token_file.empty())
    if (auto text = read_text(c.token_file)) return trim(*text);
  return c.token;
}

std::variant<kube_credentials, std::string> load_kubeconfig(const fs::path& file, const std::string& context) {
  const auto base = fs::absolute(file).parent_path();
  try {
    auto text = read_text(file);
    if (!text) return fmt::format("cannot read the kubeconfig {}", file.string());
    YAML::Node root = YAML::Load(*text);
    if (!root.IsMap()) throw problem{"it is not a kubeconfig (no mapping at the top)"};
    std::string name = context.empty() ? scalar(root["current-context"], "current-context") : context;
    if (name.empty()) throw problem{"it has no current-context: name a context"};
    const auto ctx = named(root, "contexts", "context", name);
    const auto cluster_name = scalar(ctx["cluster"], "context.cluster");
    const auto user_name = scalar(ctx["user"], "context.user");
    kube_credentials c;
    c.description = fmt::format("kubeconfig {}, context {}", file.string(), name);
    c.namespace_name = scalar(ctx["namespace"], "context.namespace");
    const auto cluster = named(root, "clusters", "cluster", cluster_name);
    const auto where = fmt::format("clusters[{}].cluster", cluster_name);
    if (auto bad = set_server(c, scalar(cluster["server"], where + ".server"))) throw problem{where + ": " + *bad};
    c.ca_pem = pem(cluster, "certificate-authority", base, where);
    c.insecure_skip_tls_verify = scalar(cluster["insecure-skip-tls-verify"], where + ".insecure-skip-tls-verify") == "true";
    c.tls_server_name = scalar(cluster["tls-server-name"], where + ".tls-server-name");
    if (!user_name.empty()) {
      const auto user = named(root, "users", "user", user_name);
      const auto uwhere = fmt::format("users[{}].user", user_name);
      if (user["exec"])
        throw problem{fmt::format("{} uses an exec plugin ({}), which Lite does not run: give the user a token, "
                                  "a token file or a client certificate",
                                  uwhere, scalar(user["exec"]["command"], uwhere + ".exec.command"))};
      if (user["auth-provider"])
        throw problem{fmt::format("{} uses an auth-provider plugin, which Lite does not run: give the user a token, "
                                  "a token file or a client certificate",
                                  uwhere)};
      c.client_certificate_pem = pem(user, "client-certificate", base, uwhere);
      c.client_key_pem = pem(user, "client-key", base, uwhere);
      if (c.client_certificate_pem.empty() != c.client_key_pem.empty())
        throw problem{uwhere + " has a client certificate without its key (or a key without its certificate)"};
      c.token = scalar(user["token"], uwhere + ".token");
      if (auto tf = scalar(user["tokenFile"], uwhere + ".tokenFile"); !tf.empty()) {
        c.token_file = relative_to(base, tf);
        if (!read_text(c.token_file)) throw problem{fmt::format("{}.tokenFile: cannot read {}", uwhere, c.token_file.string())};
      }
    }
    return c;
  } catch (const problem& p) {
    return fmt::format("the kubeconfig {}: {}", file.string(), p.text);
  } catch (const YAML::Exception& e) {
    return fmt::format("the kubeconfig {} is not valid YAML: {}", file.string(), e.what());
  }
}

std::variant<kube_credentials, std::string> load_in_cluster(const fs::path& account_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port)
    return std::string("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set");
  kube_credentials c;
  c.host = host;
  c.port = port;
  c.description = fmt::format("the in-cluster service account ({})", account_dir.string());
  c.token_file = account_dir / "token";
  if (!read_text(c.token_file)) return fmt::format("cannot read the service account token {}", c.token_file.string());
  auto ca = read_text(account_dir / "ca.crt");
  if (!ca) return fmt::format("cannot read the cluster CA {}", (account_dir / "ca.crt").string());
  c.ca_pem = *ca;
  if (auto ns = read_text(account_dir / "namespace")) c.namespace_name = trim(*ns);
  return c;
}

}  // namespace leoflow::kubernetes
