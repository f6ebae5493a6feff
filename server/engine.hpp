// The engine behind both front doors (`leoflow lite` and `leoflow-server`):
// the store, the watcher, the HTTP API behind the login gate, wired together
// on one io_context and run until SIGINT/SIGTERM (a second signal stops at
// once).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/console.hpp"
#include "schema/database_url.hpp"

namespace leoflow::kubernetes {
struct kubernetes_settings;
}

namespace leoflow {

// What a front door hears from the engine (the daemon's sd_notify); every
// hook is optional and runs on an I/O thread.
struct engine_hooks {
  // The server listens: READY=1.
  std::function<void(const std::string& address, unsigned short port)> ready;
  // The first SIGINT/SIGTERM: STOPPING=1.
  std::function<void()> stopping;
  // SIGHUP re-reads what is safe to change; unset, SIGHUP is not handled.
  std::function<void()> reload;
  // Called every `heartbeat_interval` while the I/O threads turn (WATCHDOG=1).
  std::function<void()> heartbeat;
  std::chrono::microseconds heartbeat_interval{0};
};

struct engine_options {
  std::vector<std::filesystem::path> dag_folders;
  std::string host = "127.0.0.1";
  unsigned short port = 8088;
  // Host names clients may use with a login (normalized --allowed-host).
  std::vector<std::string> allowed_hosts;
  std::filesystem::path home;            // LEOFLOW_HOME
  // The store; unset: the SQLite file under home (dev/lite.db).
  std::optional<schema::database_url> database;
  std::size_t database_readers = 2;      // reader sessions (the pool's size)
  std::filesystem::path python;          // resolved interpreter
  std::filesystem::path sdk_dir;
  bool paused_at_creation = false;
  std::size_t threads = 2;
  std::chrono::milliseconds parse_timeout{30000};
  std::chrono::milliseconds tick{2000};
  std::size_t parallelism = 32;  // task tries running at once, all DAGs together
  // After a stop signal: how long in-flight work may take to finish.
  std::chrono::milliseconds shutdown_grace{3000};
  // "subprocess", "kubernetes", or "auto": kubernetes when `kubernetes` is
  // set and its cluster answers, else subprocess.
  std::string executor = "subprocess";
  // Where the cluster is and how pods are made; required for kubernetes.
  std::shared_ptr<const kubernetes::kubernetes_settings> kubernetes;
  // Where `kubernetes` came from, for the terminal.
  std::string kubernetes_source;
  engine_hooks hooks;
};

// Runs the engine; returns the process exit code. Errors the user can act on
// (port in use, unreadable database) are printed as one clear line.
int run_engine(const engine_options& options, console& out);

// The interpreter to use: $LEOFLOW_PYTHON, else `python3` on PATH resolved to
// its real executable once (version-manager shims are slow to start).
// Empty with `problem` set when there is none.
std::filesystem::path resolve_python(std::string& problem);

}  // namespace leoflow
