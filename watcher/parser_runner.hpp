// Runs `python -m leoflow_parser <file>` for one project: the sdk on
// PYTHONPATH, the project folder as working directory, a time limit that
// kills the whole process group, and a bound on what it may print.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/child_process.hpp"

namespace leoflow::watcher {

namespace fs = std::filesystem;

// Runs a parse as a fork of a warm interpreter; nullopt when it cannot (then
// a fresh interpreter runs it).
using parse_forker = std::function<boost::asio::awaitable<std::optional<captured_output>>(
    spawn_options, std::chrono::milliseconds, std::size_t)>;

struct parser_config {
  fs::path python;       // the interpreter, resolved once at start
  fs::path sdk_dir;      // holds leoflow_parser and the airflow layer
  fs::path home;         // LEOFLOW_HOME for the child
  std::vector<std::string> environment;  // base environment of the child
  std::chrono::milliseconds timeout{30000};
  std::size_t output_limit = 32 * 1024 * 1024;
  parse_forker fork;  // optional
};

struct parse_outcome {
  bool ok = false;
  std::string output;    // the spec document when ok
  std::string headline;  // one line when not ok: `running parser "...": exit status 1`
  std::string detail;    // the traceback (stderr) when not ok
  double seconds = 0;
};

// `python` overrides config.python (a DAG's own virtualenv), `pycache` the
// shared byte-code cache folder (a venv keeps its own, so a reinstalled
// package never meets a stale cache). `hide_site_packages`: the file sees
// only the standard library and the sdk, as in a virtualenv with nothing
// installed (a project without dependencies parsed by config.python).
boost::asio::awaitable<parse_outcome> run_parser(const parser_config& config,
                                                 const fs::path& dag_file,
                                                 const fs::path& project_dir,
                                                 const fs::path& python = {},
                                                 const fs::path& pycache = {},
                                                 bool hide_site_packages = false);

// How the parser command reads in messages: "python3 -m leoflow_parser".
std::string parser_command_label(const fs::path& python);

}  // namespace leoflow::watcher
