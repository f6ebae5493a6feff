// /etc/leoflow/server.yaml, the daemon's configuration: where to listen,
// which DAG folders to serve, where state lives, the executor, the log level
// and the shutdown grace. Every problem names the key at fault.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "schema/database_url.hpp"

namespace leoflow::kubernetes {
struct kubernetes_settings;
}

namespace leoflow::daemon {

enum class log_level { debug, info, warning };

struct server_config {
  std::string host = "127.0.0.1";
  unsigned short port = 8088;
  std::vector<std::string> allowed_hosts;          // normalized listen.allowed_hosts
  std::vector<std::filesystem::path> dag_folders;  // absolute, existing
  std::filesystem::path home;                      // LEOFLOW_HOME (absolute)
  // `database:` (a URL, or url/password_file/pool_size); unset: the SQLite
  // file under home. LEOFLOW_DATABASE_URL stands in when the file has none.
  std::optional<schema::database_url> database;
  std::size_t database_pool = 4;
  std::string executor = "subprocess";
  // The `kubernetes:` section (set whenever the file has one).
  std::shared_ptr<const kubernetes::kubernetes_settings> kubernetes;
  log_level level = log_level::info;
  std::chrono::seconds shutdown_grace{30};
  std::chrono::seconds parse_timeout{30};
  bool paused_at_creation = false;
  std::optional<std::filesystem::path> python;  // else python3 on PATH
};

// What is wrong, starting with the key: "listen.port: 70000 is not a port".
struct config_error {
  std::string key;
  std::string message;
};

// Reads and validates the file. Relative paths are resolved against the
// file's folder; DAG folders must exist; home is created when missing.
std::variant<server_config, config_error> read_server_config(const std::filesystem::path& file);

std::string_view level_name(log_level level);

}  // namespace leoflow::daemon
