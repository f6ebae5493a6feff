// Reading and validating server.yaml.
#include "server/daemon/server_config.hpp"

#include <cstdlib>

#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "executors/kubernetes/kubernetes_settings.hpp"
#include "schema/database.hpp"
#include "server/auth/host_policy.hpp"

namespace leoflow::daemon {

namespace fs = std::filesystem;

namespace {

struct bad_key {
  std::string key;
  std::string message;
};

std::string scalar(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) throw bad_key{key, "must be a single value"};
  return n.Scalar();
}

long long integer(const YAML::Node& n, const std::string& key, long long min, long long max) {
  const auto text = scalar(n, key);
  long long v = 0;
  try {
    std::size_t used = 0;
    v = std::stoll(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    throw bad_key{key, fmt::format("'{}' is not a whole number", text)};
  }
  if (v < min || v > max) throw bad_key{key, fmt::format("{} is outside {}..{}", v, min, max)};
  return v;
}

bool boolean(const YAML::Node& n, const std::string& key) {
  const auto text = scalar(n, key);
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  throw bad_key{key, fmt::format("'{}' is not true or false", text)};
}

void check_known(const YAML::Node& map, const std::string& prefix, std::initializer_list<std::string_view> known) {
  for (const auto& kv : map) {
    const auto k = kv.first.as<std::string>();
    bool ok = false;
    for (auto name : known) ok = ok || k == name;
    if (!ok) {
      std::string names;
      for (auto name : known) names += fmt::format("{}{}", names.empty() ? "" : ", ", name);
      throw bad_key{prefix + k, fmt::format("unknown key (known: {})", names)};
    }
  }
}

fs::path resolve(const fs::path& base, const std::string& text) {
  fs::path p(text);
  if (!text.empty() && text[0] == '~') throw std::invalid_argument("~");
  return (p.is_absolute() ? p : base / p).lexically_normal();
}

server_config parse(const YAML::Node& root, const fs::path& base) {
  server_config cfg;
  if (!root || root.IsNull()) throw bad_key{"dag_folders", "is missing (the file is empty)"};
  if (!root.IsMap()) throw bad_key{"(top level)", "must be a mapping of keys to values"};
  check_known(root, "", {"listen", "dag_folders", "home", "database", "executor", "log_level", "shutdown_grace",
                         "parse_timeout", "paused_at_creation", "python", "kubernetes"});
  if (auto l = root["listen"]; l && !l.IsNull()) {
    if (!l.IsMap()) throw bad_key{"listen", "must be a mapping with host and port"};
    check_known(l, "listen.", {"host", "port", "allowed_hosts"});
    if (auto h = l["host"]; h && !h.IsNull()) {
      cfg.host = scalar(h, "listen.host");
      boost::system::error_code ec;
      if (cfg.host != "localhost") boost::asio::ip::make_address(cfg.host, ec);
      if (ec)
        throw bad_key{"listen.host", fmt::format("'{}' is not an IP address (e.g. 127.0.0.1 or 0.0.0.0)", cfg.host)};
    }
    if (auto p = l["port"]; p && !p.IsNull())
      cfg.port = static_cast<unsigned short>(integer(p, "listen.port", 0, 65535));
    if (auto a = l["allowed_hosts"]; a && !a.IsNull()) {
      if (!a.IsSequence()) throw bad_key{"listen.allowed_hosts", "must be a list of host names"};
      for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string key = fmt::format("listen.allowed_hosts[{}]", i);
        const auto text = scalar(a[i], key);
        auto normalized = auth::normalize_allowed_host(text);
        if (!normalized)
          throw bad_key{key, fmt::format("'{}' is not a host name (name, name:port or *.domain)", text)};
        cfg.allowed_hosts.push_back(*normalized);
      }
    }
  }
  auto folders = root["dag_folders"];
  if (!folders || folders.IsNull()) throw bad_key{"dag_folders", "is missing: list the folders of DAG projects"};
  if (folders.IsScalar()) {
    YAML::Node list(YAML::NodeType::Sequence);
    list.push_back(folders);
    folders = list;
  }
  if (!folders.IsSequence() || folders.size() == 0)
    throw bad_key{"dag_folders", "must be a list of folders"};
  for (std::size_t i = 0; i < folders.size(); ++i) {
    const std::string key = fmt::format("dag_folders[{}]", i);
    const auto text = scalar(folders[i], key);
    fs::path p;
    try {
      p = resolve(base, text);
    } catch (const std::invalid_argument&) {
      throw bad_key{key, "'~' is not expanded here: give an absolute path"};
    }
    std::error_code ec;
    if (!fs::is_directory(p, ec)) throw bad_key{key, fmt::format("{} is not a folder", p.string())};
    cfg.dag_folders.push_back(fs::canonical(p, ec));
  }
  auto home = root["home"];
  if (!home || home.IsNull()) throw bad_key{"home", "is missing: the state folder (e.g. /var/lib/leoflow)"};
  try {
    cfg.home = resolve(base, scalar(home, "home"));
  } catch (const std::invalid_argument&) {
    throw bad_key{"home", "'~' is not expanded here: give an absolute path"};
  }
  std::error_code ec;
  fs::create_directories(cfg.home, ec);
  if (ec || !fs::is_directory(cfg.home, ec))
    throw bad_key{"home", fmt::format("cannot create {}: {}", cfg.home.string(), ec ? ec.message() : "not a folder")};
  if (auto d = root["database"]; d && !d.IsNull()) {
    YAML::Node url_node = d;
    if (d.IsMap()) {
      check_known(d, "database.", {"url", "password_file", "pool_size"});
      url_node = d["url"];
      if (!url_node || url_node.IsNull()) throw bad_key{"database.url", "is missing"};
    }
    try {
      cfg.database = schema::parse_database_url(scalar(url_node, d.IsMap() ? "database.url" : "database"));
      if (d.IsMap()) {
        if (auto pw = d["password_file"]; pw && !pw.IsNull())
          cfg.database = schema::with_password_file(*cfg.database, resolve(base, scalar(pw, "database.password_file")));
      }
    } catch (const schema::store_error& e) {
      throw bad_key{d.IsMap() ? "database.url" : "database", e.what()};
    } catch (const std::invalid_argument&) {
      throw bad_key{"database.password_file", "'~' is not expanded here: give an absolute path"};
    }
    if (d.IsMap())
      if (auto n = d["pool_size"]; n && !n.IsNull())
        cfg.database_pool = static_cast<std::size_t>(integer(n, "database.pool_size", 1, 64));
  } else if (const char* env = std::getenv("LEOFLOW_DATABASE_URL"); env && *env) {
    try {
      cfg.database = schema::parse_database_url(env);
    } catch (const schema::store_error& e) {
      throw bad_key{"database", fmt::format("(from LEOFLOW_DATABASE_URL) {}", e.what())};
    }
  }
  if (auto e = root["executor"]; e && !e.IsNull()) {
    cfg.executor = scalar(e, "executor");
    if (cfg.executor != "subprocess" && cfg.executor != "kubernetes")
      throw bad_key{"executor", fmt::format("'{}' is not subprocess or kubernetes", cfg.executor)};
  }
  if (auto k = root["kubernetes"]; k && !k.IsNull()) {
    auto read = kubernetes::read_kubernetes_settings(k, base);
    if (auto* problem = std::get_if<kubernetes::settings_error>(&read)) throw bad_key{problem->key, problem->message};
    cfg.kubernetes = std::make_shared<kubernetes::kubernetes_settings>(std::get<kubernetes::kubernetes_settings>(read));
  }
  if (cfg.executor == "kubernetes" && !cfg.kubernetes)
    cfg.kubernetes = std::make_shared<kubernetes::kubernetes_settings>();
  if (auto lv = root["log_level"]; lv && !lv.IsNull()) {
    const auto text = scalar(lv, "log_level");
    if (text == "debug")
      cfg.level = log_level::debug;
    else if (text == "info")
      cfg.level = log_level::info;
    else if (text == "warning")
      cfg.level = log_level::warning;
    else
      throw bad_key{"log_level", fmt::format("'{}' is not debug, info or warning", text)};
  }
  if (auto g = root["shutdown_grace"]; g && !g.IsNull())
    cfg.shutdown_grace = std::chrono::seconds(integer(g, "shutdown_grace", 0, 3600));
  if (auto t = root["parse_timeout"]; t && !t.IsNull())
    cfg.parse_timeout = std::chrono::seconds(integer(t, "parse_timeout", 1, 3600));
  if (auto pc = root["paused_at_creation"]; pc && !pc.IsNull())
    cfg.paused_at_creation = boolean(pc, "paused_at_creation");
  if (auto py = root["python"]; py && !py.IsNull()) {
    const auto p = resolve(base, scalar(py, "python"));
    if (::access(p.c_str(), X_OK) != 0) throw bad_key{"python", fmt::format("{} is not an executable", p.string())};
    cfg.python = p;
  }
  return cfg;
}

}  // namespace

std::variant<server_config, config_error> read_server_config(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    return config_error{"(file)", fmt::format("{} does not exist or is not a file", file.string())};
  const auto base = fs::absolute(file).parent_path();
  try {
    return parse(YAML::LoadFile(file.string()), base);
  } catch (const bad_key& e) {
    return config_error{e.key, e.message};
  } catch (const YAML::Exception& e) {
    return config_error{"(syntax)", e.what()};
  }
}

std::string_view level_name(log_level level) {
  switch (level) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warning: return "warning";
  }
  return "info";
}

}  // namespace leoflow::daemon
