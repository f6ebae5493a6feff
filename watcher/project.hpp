// DAG projects on disk: which folders are projects, what their leoflow.yaml
// says, which names the watcher ignores, and a cheap fingerprint of a
// project's files (the periodic tick compares them to catch missed events).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leoflow::watcher {

namespace fs = std::filesystem;

struct project {
  fs::path root;      // the folder given on the command line
  fs::path dir;       // the project folder (absolute, normalised)
  fs::path dag_file;  // the entry file (may not exist yet)
  std::string bundle_name;
  std::vector<std::string> dependencies;  // leoflow.yaml `dependencies:` or requirements.txt
  std::string venv_name;                  // leoflow.yaml dag_id, else the folder name
  fs::path config_file;                   // leoflow.yaml when present
  std::optional<std::string> config_error;  // leoflow.yaml that cannot be used
};

// A folder holding dag.py or leoflow.yaml is a project; otherwise each
// sub-folder that does is one. Roots that do not exist give nothing.
std::vector<project> discover_projects(const std::vector<fs::path>& roots);

// Reads one project folder (leoflow.yaml, requirements.txt).
project read_project(const fs::path& root, const fs::path& dir);

bool is_project_dir(const fs::path& dir);

// Caches, VCS folders, hidden files and editor temporaries never trigger a
// reload and are never scanned.
bool is_ignored_name(std::string_view name);

// Names, sizes and modification times of the project's files, hashed.
std::string fingerprint(const fs::path& dir);

}  // namespace leoflow::watcher
