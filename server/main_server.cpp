// `leoflow-server --config /etc/leoflow/server.yaml`: the engine of
// `leoflow lite` as a systemd service — configured by file, logging to
// stderr with syslog priorities for journald, speaking sd_notify (READY,
// RELOADING, STOPPING, WATCHDOG), SIGHUP re-reads what is safe, SIGTERM
// stops gracefully and a second signal stops at once.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/console.hpp"
#include "common/paths.hpp"
#include "server/cli/args.hpp"
#include "server/daemon/log_stream.hpp"
#include "server/daemon/server_config.hpp"
#include "server/daemon/systemd_notify.hpp"
#include "server/engine.hpp"
#include "server/version.hpp"

namespace {

namespace fs = std::filesystem;
using namespace leoflow;

constexpr int exit_usage = 2;
constexpr int exit_config = 78;  // EX_CONFIG: the unit does not restart on it

constexpr const char* help = R"(Usage: leoflow-server [--config FILE] [--check]

Runs Leoflow's engine (watcher, scheduler, executor, REST API, UI) as a
long-lived service, configured by FILE (default /etc/leoflow/server.yaml):

  listen: {host: 127.0.0.1, port: 8088}
  dag_folders: [/var/lib/leoflow/dags]
  home: /var/lib/leoflow          # LEOFLOW_HOME: config.yaml, dev/lite.db, logs
  database: sqlite:///var/lib/leoflow/dev/lite.db   # the default; postgresql://user@host/db
                                  # is experimental (docs/postgresql.md)
  executor: subprocess            # or kubernetes (a pod per try; see kubernetes:)
  kubernetes:                     # kubeconfig or in_cluster, namespace, image, pods,
    namespace: leoflow            # staging, execution_api (docs/kubernetes.md)
  log_level: info                 # debug, info or warning
  shutdown_grace: 30              # seconds running work gets after SIGTERM

Logs go to stderr with syslog priority prefixes (journald keeps the levels).
Under systemd (Type=notify) it reports READY, RELOADING, STOPPING and watchdog
keep-alives. SIGHUP re-reads FILE and applies log_level (other keys need a
restart); the login settings in <home>/config.yaml are re-read on every
change anyway. SIGTERM stops accepting, lets running work finish within
shutdown_grace, flushes the store and exits 0; a second signal stops at once.

Options:
  --config FILE   the configuration file
  --check         validate FILE, print the result and exit (0 valid, 78 not)
  --version       print the version

Exit status: 0 after a clean stop, 1 on a runtime failure, 2 for a usage
error, 78 for an invalid configuration.
)";

void apply_level(daemon::log_level level, daemon::log_stream& info, console& out) {
  info.set_muted(level == daemon::log_level::warning);
  out.set_verbose(level == daemon::log_level::debug);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  daemon::log_stream info_stream;
  console out(console::style::journal, info_stream.file(), stderr);

  cli::arg_spec spec;
  spec.flags = {"--check", "--version"};
  spec.options = {"--config"};
  std::string error;
  auto args = cli::parse_args(std::vector<std::string>(argv + 1, argv + argc), spec, error);
  if (!args) {
    out.failure(fmt::format("leoflow-server: {}", error), "Run `leoflow-server --help` for usage.");
    return exit_usage;
  }
  if (args->help) {
    std::fputs(help, stdout);
    return 0;
  }
  if (args->has("--version")) {
    std::fputs(fmt::format("leoflow-server {}\n", leoflow_version).c_str(), stdout);
    return 0;
  }
  if (!args->positional.empty()) {
    out.failure(fmt::format("leoflow-server: unexpected argument '{}'", args->positional[0]),
                "Give the configuration with --config FILE.");
    return exit_usage;
  }
  const fs::path config_file = args->value("--config").value_or("/etc/leoflow/server.yaml");
  auto read = daemon::read_server_config(config_file);
  if (auto* bad = std::get_if<daemon::config_error>(&read)) {
    out.failure(fmt::format("invalid configuration {}: {}: {}", config_file.string(), bad->key, bad->message),
                "Fix it and start again (`leoflow-server --config FILE --check` validates it).");
    daemon::notify(fmt::format("STATUS=invalid configuration: {}: {}", bad->key, bad->message));
    return exit_config;
  }
  const auto config = std::get<daemon::server_config>(std::move(read));
  if (args->has("--check")) {
    std::fputs(fmt::format("{}: valid\n", config_file.string()).c_str(), stdout);
    return 0;
  }
  apply_level(config.level, info_stream, out);

  // Child processes (parser, tasks) and every path helper see the same home.
  ::setenv("LEOFLOW_HOME", config.home.c_str(), 1);
  engine_options options;
  options.dag_folders = config.dag_folders;
  options.host = config.host;
  options.port = config.port;
  options.allowed_hosts = config.allowed_hosts;
  options.home = config.home;
  options.database = config.database;
  options.database_readers = config.database_pool;
  options.executor = config.executor;
  options.kubernetes = config.kubernetes;
  options.kubernetes_source = config_file.string();
  options.shutdown_grace = config.shutdown_grace;
  options.parse_timeout = config.parse_timeout;
  options.paused_at_creation = config.paused_at_creation;
  auto sdk = find_sdk_dir();
  if (!sdk) {
    out.failure("cannot find the Leoflow Python packages (sdk/)",
                fmt::format("Looked next to {}; set LEOFLOW_SDK to the sdk folder.", executable_path().string()));
    return 1;
  }
  options.sdk_dir = *sdk;
  if (config.python) ::setenv("LEOFLOW_PYTHON", config.python->c_str(), 1);
  std::string problem;
  options.python = resolve_python(problem);
  if (options.python.empty()) {
    out.failure("no Python interpreter", problem);
    return 1;
  }

  std::string folders;
  for (const auto& f : config.dag_folders) folders += (folders.empty() ? "" : ", ") + f.string();
  options.hooks.ready = [&](const std::string& address, unsigned short port) {
    daemon::notify(fmt::format("READY=1\nSTATUS=serving http://{}:{} (watching {})", address, port, folders));
  };
  options.hooks.stopping = [] { daemon::notify("STOPPING=1\nSTATUS=stopping"); };
  options.hooks.reload = [&] {
    daemon::notify("RELOADING=1\nSTATUS=re-reading the configuration");
    auto again = daemon::read_server_config(config_file);
    if (auto* bad = std::get_if<daemon::config_error>(&again)) {
      out.failure(fmt::format("SIGHUP: {} is invalid, keeping the running configuration", config_file.string()),
                  fmt::format("{}: {}", bad->key, bad->message));
    } else {
      const auto& fresh = std::get<daemon::server_config>(again);
      apply_level(fresh.level, info_stream, out);
      std::vector<std::string> pending;
      if (fresh.host != config.host || fresh.port != config.port) pending.push_back("listen");
      if (fresh.dag_folders != config.dag_folders) pending.push_back("dag_folders");
      if (fresh.home != config.home) pending.push_back("home");
      if (fresh.executor != config.executor) pending.push_back("executor");
      if (bool(fresh.kubernetes) != bool(config.kubernetes)) pending.push_back("kubernetes");
      if (fresh.shutdown_grace != config.shutdown_grace) pending.push_back("shutdown_grace");
      if (fresh.parse_timeout != config.parse_timeout) pending.push_back("parse_timeout");
      if (fresh.paused_at_creation != config.paused_at_creation) pending.push_back("paused_at_creation");
      if (fresh.python != config.python) pending.push_back("python");
      out.info(fmt::format("SIGHUP: configuration re-read; log_level is now {}", daemon::level_name(fresh.level)));
      if (!pending.empty()) {
        std::string keys;
        for (const auto& k : pending) keys += (keys.empty() ? "" : ", ") + k;
        out.warning(fmt::format("SIGHUP: {} changed and take{} effect at the next restart", keys,
                                pending.size() == 1 ? "s" : ""));
      }
    }
    daemon::notify("READY=1\nSTATUS=configuration re-read");
  };
  if (const auto interval = daemon::watchdog_interval(); interval.count() > 0) {
    options.hooks.heartbeat = [] { daemon::notify("WATCHDOG=1"); };
    options.hooks.heartbeat_interval = interval;
  }
  if (!daemon::have_systemd() && std::getenv("NOTIFY_SOCKET"))
    out.warning("NOTIFY_SOCKET is set but this build has no libsystemd: use Type=simple");

  const int code = run_engine(options, out);
  return code;
}
