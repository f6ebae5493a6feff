// Project discovery, leoflow.yaml, ignore rules and fingerprints.
#include "watcher/project.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/hash.hpp"

namespace leoflow::watcher {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::vector<std::string> read_requirements(const fs::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    auto first = line.find_first_not_of(" \t\r");
    auto last = line.find_last_not_of(" \t\r");
    if (first == std::string::npos) continue;
    out.push_back(line.substr(first, last - first + 1));
  }
  return out;
}

}  // namespace

bool is_ignored_name(std::string_view name) {
  static const std::set<std::string_view> ignored_dirs = {
      "__pycache__", "node_modules", "venv", ".venv", ".tox", ".mypy_cache",
      ".pytest_cache", ".ruff_cache", ".git", ".hg", ".svn", ".idea", ".vscode"};
  if (name.empty() || name.front() == '.' || ignored_dirs.count(name)) return true;
  return name.back() == '~' || ends_with(name, ".swp") || ends_with(name, ".swx") ||
         ends_with(name, ".tmp") || ends_with(name, ".pyc") || name == "4913" ||
         name.front() == '#';
}

bool is_project_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "dag.py", ec) || fs::is_regular_file(dir / "leoflow.yaml", ec);
}

project read_project(const fs::path& root, const fs::path& dir) {
  project p;
  p.root = root;
  p.dir = dir;
  p.bundle_name = root.filename().string();
  p.dag_file = dir / "dag.py";
  p.venv_name = dir.filename().string();
  std::error_code ec;
  if (fs::is_regular_file(dir / "leoflow.yaml", ec)) {
    p.config_file = dir / "leoflow.yaml";
    try {
      YAML::Node config = YAML::LoadFile(p.config_file.string());
      if (config && !config.IsNull() && !config.IsMap())
        throw YAML::Exception(YAML::Mark::null_mark(), "the file must hold a mapping");
      if (config["dag_file"]) {
        const auto name = config["dag_file"].as<std::string>();
        const fs::path rel(name);
        if (rel.is_absolute() || name.find("..") != std::string::npos || rel.extension() != ".py")
          throw YAML::Exception(YAML::Mark::null_mark(),
                                fmt::format("dag_file '{}' must be a .py file inside the project", name));
        p.dag_file = dir / rel;
      }
      if (config["dag_id"]) p.venv_name = config["dag_id"].as<std::string>();
      if (config["dependencies"]) {
        const auto deps = config["dependencies"];
        if (!deps.IsSequence())
          throw YAML::Exception(YAML::Mark::null_mark(), "dependencies must be a list of requirements");
        for (const auto& d : deps) p.dependencies.push_back(d.as<std::string>());
      }
    } catch (const YAML::Exception& e) {
      p.config_error = fmt::format("{}: {}", p.config_file.string(), e.what());
    }
  }
  if (p.dependencies.empty() && fs::is_regular_file(dir / "requirements.txt", ec))
    p.dependencies = read_requirements(dir / "requirements.txt");
  // The venv's folder name: only characters that are safe in a path.
  for (auto& c : p.venv_name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) c = '_';
  if (p.venv_name.empty() || p.venv_name[0] == '.') p.venv_name = "_" + p.venv_name;
  return p;
}

std::vector<project> discover_projects(const std::vector<fs::path>& roots) {
  std::vector<project> out;
  for (const auto& root : roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) continue;
    if (is_project_dir(root)) {
      out.push_back(read_project(root, root));
      continue;
    }
    std::vector<fs::path> dirs;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      const auto name = it->path().filename().string();
      if (is_ignored_name(name)) continue;
      std::error_code dec;
      if (it->is_directory(dec) && is_project_dir(it->path())) dirs.push_back(it->path());
    }
    std::sort(dirs.begin(), dirs.end());
    for (const auto& d : dirs) out.push_back(read_project(root, d));
  }
  return out;
}

std::string fingerprint(const fs::path& dir) {
  std::vector<std::string> entries;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (is_ignored_name(name)) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    std::error_code fec;
    if (!it->is_regular_file(fec)) continue;
    const auto size = it->file_size(fec);
    const auto mtime = it->last_write_time(fec).time_since_epoch().count();
    entries.push_back(fmt::format("{}\t{}\t{}", it->path().string(), size, mtime));
  }
  std::sort(entries.begin(), entries.end());
  std::string all;
  for (const auto& e : entries) all += e + "\n";
  return sha256_hex(all);
}

}  // namespace leoflow::watcher
