// `leoflow compile DIR...`: parses DAG projects exactly as the watcher does
// (the same discovery, leoflow.yaml reading, the project's virtualenv with
// its dependencies, the parser subprocess and the spec checks), prints the
// specs or the tracebacks, and exits 1 on any error: the CI gate for DAG
// repositories.
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/child_process.hpp"
#include "common/paths.hpp"
#include "executors/venv_manager.hpp"
#include "server/cli/args.hpp"
#include "server/cli/commands.hpp"
#include "server/engine.hpp"
#include "watcher/parser_runner.hpp"
#include "watcher/project.hpp"
#include "watcher/spec_reader.hpp"

namespace leoflow::cli {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr const char* compile_help = R"(Usage: leoflow compile DIR... [--quiet] [--parse-timeout SECS]

Parses the DAG projects under each DIR exactly as `leoflow lite` does and
prints what it registered would be: the DAG spec JSON on stdout (one
document for one project, an array for several), a ✓ or ✗ line per project
on stderr, with the real Python traceback for a file that does not load.

A folder holding dag.py or leoflow.yaml is one project; otherwise each of its
sub-folders that does is one. Each is parsed in its own virtualenv under
$LEOFLOW_HOME/dev/venvs with its dependencies (leoflow.yaml or
requirements.txt), as Lite does; a dependency that cannot be installed is an
error too.

Options:
  --quiet                only the ✓/✗ lines, no spec on stdout
  --parse-timeout SECS   kill a parse that runs longer (default 30)

Exit status: 0 when every project parses, 1 on any error (import error,
invalid leoflow.yaml, dependencies that do not install, invalid spec,
duplicate dag_id, no project found),
2 for a usage error. Made for CI: `leoflow compile dags/ --quiet`.
)";

std::optional<std::string> read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct project_parse {
  watcher::parse_outcome outcome;
  std::optional<std::string> install_error;
};

// The project's own virtualenv first (its dependencies installed), then the
// parser in it: what the engine's watcher does before every parse.
asio::awaitable<project_parse> prepare_and_parse(executors::venv_manager& venvs,
                                                 const watcher::parser_config& config, watcher::project p) {
  project_parse out;
  auto ensuring = venvs.ensure(p.venv_name, p.dependencies);
  const auto status = co_await std::move(ensuring);
  fs::path python = config.python;
  fs::path pycache;
  if (status.ok) {
    python = status.python;
    pycache = venvs.venv_dir(p.venv_name) / "pycache";
  } else {
    out.install_error = status.error;
  }
  auto parsing = watcher::run_parser(config, p.dag_file, p.dir, python, pycache);
  out.outcome = co_await std::move(parsing);
  co_return out;
}

}  // namespace

int compile_command(const std::vector<std::string>& argv, console& terminal) {
  // stdout carries the specs; every message goes to stderr.
  console out(console::style::terminal, stderr, stderr);
  out.set_verbose(false);
  arg_spec spec;
  spec.flags = {"--quiet"};
  spec.options = {"--parse-timeout"};
  std::string error;
  auto args = parse_args(argv, spec, error);
  if (!args) {
    out.failure(fmt::format("leoflow compile: {}", error), "Run `leoflow compile --help` for usage.");
    return 2;
  }
  if (args->help) {
    std::fputs(compile_help, stdout);
    return 0;
  }
  if (args->positional.empty()) {
    out.failure("leoflow compile: give at least one folder", "Usage: leoflow compile DIR... (e.g. leoflow compile dags/)");
    return 2;
  }
  watcher::parser_config config;
  if (auto t = args->value("--parse-timeout")) {
    long secs = 0;
    try {
      std::size_t used = 0;
      secs = std::stol(*t, &used);
      if (used != t->size()) secs = 0;
    } catch (const std::exception&) {
    }
    if (secs <= 0) {
      out.failure(fmt::format("leoflow compile: --parse-timeout {} is not a positive number of seconds", *t));
      return 2;
    }
    config.timeout = std::chrono::seconds(secs);
  }
  std::vector<fs::path> roots;
  for (const auto& d : args->positional) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) {
      out.failure(fmt::format("leoflow compile: {} is not a folder", d));
      return 1;
    }
    roots.push_back(fs::canonical(d));
  }
  auto sdk = find_sdk_dir();
  if (!sdk) {
    out.failure("leoflow compile: cannot find the Leoflow Python packages (sdk/)",
                fmt::format("Looked next to {}; set LEOFLOW_SDK to the sdk folder.", executable_path().string()));
    return 1;
  }
  std::string problem;
  config.python = resolve_python(problem);
  if (config.python.empty()) {
    out.failure("leoflow compile: no Python interpreter", problem);
    return 1;
  }
  config.sdk_dir = *sdk;
  config.home = leoflow_home();
  config.environment = current_environment();

  const auto found = watcher::discover_projects(roots);
  if (found.empty()) {
    std::string dirs;
    for (const auto& r : roots) dirs += (dirs.empty() ? "" : ", ") + r.string();
    out.failure(fmt::format("leoflow compile: no DAG project under {}", dirs),
                "A project is a folder holding dag.py or leoflow.yaml (create one with `leoflow init DIR`).");
    return 1;
  }

  const auto layout = home_layout::under(config.home);
  asio::io_context io;
  executors::venv_manager venvs(io.get_executor(), layout.venvs, config.python, out, config.environment);

  int errors = 0;
  boost::json::array documents;
  std::map<std::string, std::string> owner;  // dag_id → file that defines it
  for (const auto& discovered : found) {
    // What the watcher does for one project, step by step.
    const auto p = watcher::read_project(discovered.root, discovered.dir);
    if (p.config_error) {
      out.failure(fmt::format("{}: reading {}", p.dir.string(), p.config_file.filename().string()), *p.config_error);
      ++errors;
      continue;
    }
    const auto source = read_text(p.dag_file);
    if (!source) {
      out.failure(fmt::format("no DAG file: {} not found in {}", p.dag_file.filename().string(), p.dir.string()),
                  fmt::format("FileNotFoundError: {} does not exist", p.dag_file.string()));
      ++errors;
      continue;
    }
    auto fut = asio::co_spawn(io, prepare_and_parse(venvs, config, p), asio::use_future);
    io.restart();
    io.run();
    const auto parsed_project = fut.get();
    const auto& outcome = parsed_project.outcome;
    if (!outcome.ok) {
      out.failure(fmt::format("{}: {}", p.dag_file.string(), outcome.headline), outcome.detail);
      ++errors;
      continue;
    }
    auto read = watcher::read_parser_output(outcome.output, *source);
    if (auto* bad = std::get_if<std::string>(&read)) {
      out.failure(fmt::format("reading the parser's output for {}", p.dag_file.string()), *bad);
      ++errors;
      continue;
    }
    const auto& parsed = std::get<watcher::parsed_file>(read);
    bool duplicate = false;
    for (const auto& d : parsed.dags) {
      auto [it, fresh] = owner.emplace(d.dag_id, p.dag_file.string());
      if (!fresh) {
        out.failure(fmt::format("duplicate dag_id '{}'", d.dag_id),
                    fmt::format("{} defines it, and so does {}", it->second, p.dag_file.string()));
        duplicate = true;
      }
    }
    if (duplicate) {
      ++errors;
      continue;
    }
    if (parsed_project.install_error) {
      // The parse worked, the dependencies did not: Lite shows an import error.
      out.failure(fmt::format("{}: installing the project's dependencies failed", p.dag_file.string()),
                  *parsed_project.install_error);
      ++errors;
    }
    if (parsed.dags.empty()) out.warning(fmt::format("{}: defines no DAG", p.dag_file.string()));
    for (std::size_t i = 0; i < parsed.dags.size(); ++i) {
      const int tasks = parsed.task_counts[i];
      out.success(fmt::format("{}: {} task{} ({}, {:.2f} s)", parsed.dags[i].dag_id, tasks, tasks == 1 ? "" : "s",
                              p.dag_file.string(), outcome.seconds));
      for (const auto& w : parsed.dags[i].warnings) out.warning(fmt::format("{}: {}", parsed.dags[i].dag_id, w.message));
    }
    boost::system::error_code ec;
    auto doc = boost::json::parse(outcome.output, ec);
    if (!ec) documents.push_back(std::move(doc));
  }

  if (!args->has("--quiet") && !documents.empty()) {
    const std::string text = documents.size() == 1 && found.size() == 1
                                 ? boost::json::serialize(documents[0])
                                 : boost::json::serialize(documents);
    std::fputs((text + "\n").c_str(), stdout);
    std::fflush(stdout);
  }
  if (errors) {
    out.failure(fmt::format("leoflow compile: {} of {} project{} failed", errors, found.size(),
                            found.size() == 1 ? "" : "s"));
    return 1;
  }
  return 0;
}

}  // namespace leoflow::cli
