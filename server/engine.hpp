// The engine behind both front doors (`leoflow lite` and `leoflow-server`):
// the store, the watcher, the HTTP API, wired together on one io_context and
// run until SIGINT/SIGTERM (a second signal stops at once).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/console.hpp"

namespace leoflow {

struct engine_options {
  std::vector<std::filesystem::path> dag_folders;
  std::string host = "127.0.0.1";
  unsigned short port = 8088;
  std::filesystem::path home;            // LEOFLOW_HOME
  std::filesystem::path python;          // resolved interpreter
  std::filesystem::path sdk_dir;
  bool paused_at_creation = false;
  std::size_t threads = 2;
  std::chrono::milliseconds parse_timeout{30000};
  std::chrono::milliseconds tick{2000};
};

// Runs the engine; returns the process exit code. Errors the user can act on
// (port in use, unreadable database) are printed as one clear line.
int run_engine(const engine_options& options, console& out);

// The interpreter to use: $LEOFLOW_PYTHON, else `python3` on PATH resolved to
// its real executable once (version-manager shims are slow to start).
// Empty with `problem` set when there is none.
std::filesystem::path resolve_python(std::string& problem);

}  // namespace leoflow
