// Where things live on disk: LEOFLOW_HOME and its layout, the running
// executable, and the Python packages (sdk/) found relative to it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace leoflow {

namespace fs = std::filesystem;

// $LEOFLOW_HOME, else ~/.leoflow.
fs::path leoflow_home();

// The layout under a home; `dev` is Lite's isolated state.
struct home_layout {
  fs::path home;
  fs::path config_file;  // home/config.yaml
  fs::path dev;          // home/dev
  fs::path database;     // home/dev/lite.db
  fs::path logs;         // home/dev/logs
  fs::path venvs;        // home/dev/venvs
  fs::path pycache;      // home/dev/pycache (PYTHONPYCACHEPREFIX of child processes)

  static home_layout under(const fs::path& home);
  // Creates the folders (not the files), each 0700 whatever the umask (the
  // home itself only when it is new: it may hold DAG folders shared with
  // others); throws fs::filesystem_error.
  void create_directories() const;
  // Takes from other users what they could read or write of Lite's state:
  // dev/ and every folder under it become 0700, config.yaml and the files
  // Lite writes (the database with its -wal/-shm, logs) 0600. Virtualenvs
  // are protected by their folder, not file by file. Returns how many
  // entries were changed.
  std::size_t tighten_permissions() const;
};

// Creates `dir` and its missing parents with mode 0700.
void create_private_directories(const fs::path& dir, std::error_code& ec);

fs::path executable_path();

// $LEOFLOW_SDK, else <exe>/../sdk (build tree), else
// <exe>/../share/leoflow/sdk (installed). nullopt when none holds
// leoflow_parser.
std::optional<fs::path> find_sdk_dir();

// A name (dag_id, run_id, task_id) as one safe path segment: '/', '%' and
// NUL are percent-encoded, and "", "." or ".." can never name a parent.
std::string safe_path_segment(std::string_view name);

}  // namespace leoflow
