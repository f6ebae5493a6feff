// The parser subprocess and how its failures are described.
#include "watcher/parser_runner.hpp"

#include <fmt/format.h>

#include "common/child_process.hpp"

namespace leoflow::watcher {

std::string parser_command_label(const fs::path& python) {
  return fmt::format("{} -m leoflow_parser", python.filename().string());
}

boost::asio::awaitable<parse_outcome> run_parser(const parser_config& config,
                                                 const fs::path& dag_file,
                                                 const fs::path& project_dir,
                                                 const fs::path& python,
                                                 const fs::path& pycache,
                                                 bool hide_site_packages) {
  const fs::path interpreter = python.empty() ? config.python : python;
  spawn_options options;
  options.executable = interpreter;
  options.args = {"-m", "leoflow_parser", dag_file.string()};
  options.env = config.environment;
  set_env(options.env, "PYTHONPATH", config.sdk_dir.string());
  set_env(options.env, "LEOFLOW_HOME", config.home.string());
  // Byte-code caches go to Lite's home, not into the user's project folders
  // (where they would also wake the watcher).
  set_env(options.env, "PYTHONPYCACHEPREFIX",
          (pycache.empty() ? config.home / "dev" / "pycache" : pycache).string());
  set_env(options.env, "PYTHONUNBUFFERED", "1");
  unset_env(options.env, "PYTHONHOME");
  if (hide_site_packages) set_env(options.env, "LEOFLOW_PARSER_HIDE_SITE_PACKAGES", "1");
  options.working_dir = project_dir;

  parse_outcome outcome;
  const std::string label = parser_command_label(interpreter);
  captured_output run;
  std::string spawn_error;
  std::optional<captured_output> forked;
  if (config.fork) forked = co_await config.fork(options, config.timeout, config.output_limit);
  if (forked) {
    run = std::move(*forked);
  } else {
    try {
      run = co_await run_captured(options, {}, config.timeout, config.output_limit);
    } catch (const std::system_error& e) {
      spawn_error = e.what();
    }
  }
  if (!spawn_error.empty()) {
    outcome.headline = fmt::format("running parser \"{}\": {}", label, spawn_error);
    outcome.detail = outcome.headline;
    co_return outcome;
  }
  outcome.seconds = std::chrono::duration<double>(run.elapsed).count();
  if (run.timed_out) {
    outcome.headline = fmt::format("running parser \"{}\": timed out after {:.0f} s (killed)", label,
                                   std::chrono::duration<double>(config.timeout).count());
    outcome.detail = fmt::format(
        "Parsing {} took longer than {:.0f} s and was stopped. Does the file do slow work at import "
        "time (network calls, sleeps, big loops)? Move it into a task.\n{}",
        dag_file.string(), std::chrono::duration<double>(config.timeout).count(), run.err);
  } else if (run.output_limit_exceeded) {
    outcome.headline = fmt::format("running parser \"{}\": output exceeded {} MiB (killed)", label,
                                   config.output_limit / (1024 * 1024));
    outcome.detail = fmt::format("Parsing {} printed more than {} MiB and was stopped.\n{}",
                                 dag_file.string(), config.output_limit / (1024 * 1024),
                                 run.err.substr(0, 64 * 1024));
  } else if (!run.status.success()) {
    outcome.headline = fmt::format("running parser \"{}\": {}", label, run.status.describe());
    outcome.detail = run.err.empty() ? outcome.headline : run.err;
    if (run.status.signal != 0)
      outcome.detail = fmt::format("The parser was {} while importing {}.\n{}",
                                   run.status.describe(), dag_file.string(), run.err);
  } else {
    outcome.ok = true;
    outcome.output = std::move(run.out);
  }
  while (!outcome.detail.empty() && outcome.detail.back() == '\n') outcome.detail.pop_back();
  co_return outcome;
}

}  // namespace leoflow::watcher
