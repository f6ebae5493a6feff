// Local task processes: venv, spawn, log, timeout, result.
#include "executors/subprocess_executor.hpp"

#include <signal.h>

#include <fstream>
#include <sstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/paths.hpp"
#include "common/child_process.hpp"
#include "common/console.hpp"
#include "common/engine_features.hpp"
#include "common/json.hpp"
#include "executors/fork_server.hpp"
#include "executors/task_log.hpp"

namespace leoflow::executors {

namespace asio = boost::asio;
namespace bj = boost::json;
using namespace std::chrono_literals;

struct subprocess_executor::running_try {
  explicit running_try(asio::any_io_executor ex) : timer(ex) {}
  std::function<void(int)> signal_group;  // the try's whole process group
  bool alive = false;
  std::string kill_reason;
  bool killed = false;
  asio::steady_timer timer;  // the execution timeout, then the SIGKILL grace
};

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

bool allowed_in_task(std::string_view key) {
  static const char* exact[] = {"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE",
                                "TZ", "TMPDIR", "TERM", "http_proxy", "https_proxy", "no_proxy",
                                "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "SSL_CERT_FILE",
                                "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE"};
  for (auto e : exact)
    if (key == e) return true;
  for (auto prefix : {"LC_", "AIRFLOW_CONN_", "AIRFLOW_VAR_", "PIP_", "UV_"})
    if (key.rfind(prefix, 0) == 0) return true;
  return false;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

asio::awaitable<void> pump(asio::readable_pipe& pipe, std::string_view stream, task_log_writer& log) {
  char buf[16384];
  for (;;) {
    auto [ec, n] = co_await pipe.async_read_some(asio::buffer(buf), tuple_awaitable);
    if (n > 0) log.chunk(stream, std::string_view(buf, n));
    if (ec) co_return;
  }
}

asio::awaitable<void> feed(asio::writable_pipe& pipe, const std::string& data) {
  co_await asio::async_write(pipe, asio::buffer(data), tuple_awaitable);
  boost::system::error_code ignored;
  pipe.close(ignored);
}

}  // namespace

std::vector<std::string> subprocess_executor::task_environment(const std::vector<std::string>& server_env) {
  std::vector<std::string> out;
  for (const auto& e : server_env) {
    const auto eq = e.find('=');
    if (eq != std::string::npos && allowed_in_task(std::string_view(e).substr(0, eq))) out.push_back(e);
  }
  out.push_back(std::string("LEOFLOW_FEATURES=") + engine_features);
  return out;
}

subprocess_executor::subprocess_executor(asio::any_io_executor ex, venv_manager& venvs, console& out,
                                         subprocess_options options)
    : strand_(asio::make_strand(ex)), venvs_(venvs), console_(out), options_(std::move(options)),
      task_env_(task_environment(options_.environment)) {
  std::error_code ec;
  create_private_directories(options_.scratch_dir, ec);
  set_env(task_env_, "LEOFLOW_HOME", options_.home.string());
  set_env(task_env_, "PYTHONUNBUFFERED", "1");
  set_env(task_env_, "PYTHONIOENCODING", "utf-8");
}

subprocess_executor::~subprocess_executor() = default;

void subprocess_executor::launch(task_request request, std::function<void(long long)> started,
                                 std::function<void(task_result)> finished) {
  ++running_;
  auto job = run(std::move(request), std::move(started), finished);
  asio::co_spawn(strand_, std::move(job), [this, finished](std::exception_ptr e) {
    --running_;
    if (!e) return;
    std::string what = "unknown error";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    }
    console_.failure("executor: a task try failed to run", what);
  });
}

void subprocess_executor::kill(std::int64_t ti_id, std::string reason) {
  asio::post(strand_, [this, ti_id, reason = std::move(reason)] {
    auto it = tries_.find(ti_id);
    if (it == tries_.end() || !it->second->alive || it->second->killed) return;
    it->second->killed = true;
    it->second->kill_reason = reason;
    it->second->signal_group(SIGTERM);
    it->second->timer.expires_after(options_.kill_grace);
  });
}

asio::awaitable<void> subprocess_executor::shutdown(std::chrono::milliseconds grace) {
  auto wait_then_kill = [this, grace]() -> asio::awaitable<void> {
    stopping_ = true;
    const auto deadline = std::chrono::steady_clock::now() + grace;
    asio::steady_timer poll(strand_);
    while (!tries_.empty() && std::chrono::steady_clock::now() < deadline) {
      poll.expires_after(20ms);
      co_await poll.async_wait(tuple_awaitable);
    }
    for (auto& [id, t] : tries_) {
      if (t->alive) t->signal_group(SIGKILL);
    }
    for (auto& [python, server] : servers_) server->stop();
    while (!tries_.empty()) {
      poll.expires_after(10ms);
      co_await poll.async_wait(tuple_awaitable);
    }
  };
  co_await asio::co_spawn(strand_, wait_then_kill(), asio::use_awaitable);
}

asio::awaitable<void> subprocess_executor::run(task_request request,
                                               std::function<void(long long)> started,
                                               std::function<void(task_result)> finished) {
  using namespace asio::experimental::awaitable_operators;
  task_result result;
  result.ti_id = request.ti_id;
  result.try_number = request.try_number;
  task_log_writer log(request.log_file, request.secrets);
  const auto label = request.map_index >= 0
                         ? fmt::format("{}[{}]", request.task_id, request.map_index)
                         : request.task_id;

  auto venv = co_await venvs_.for_task(request.venv_name.empty() ? request.dag_id : request.venv_name,
                                       request.dependencies);
  if (!venv.ok) {
    log.line("executor", "The DAG's virtualenv could not be prepared, so the task cannot run:");
    std::istringstream lines(venv.error);
    for (std::string l; std::getline(lines, l);) log.line("executor", l);
    result.error = "the DAG's dependencies could not be installed";
    result.no_retry = true;
    finished(std::move(result));
    co_return;
  }

  const auto result_file =
      options_.scratch_dir / fmt::format("{}-{}.json", request.ti_id, request.try_number);
  std::error_code ec;
  fs::remove(result_file, ec);
  spawn_options opts;
  opts.executable = venv.python;
  opts.args = {"-m", "leoflow_runtime", "--result", result_file.string()};
  opts.env = task_env_;
  set_env(opts.env, "PYTHONPATH", options_.sdk_dir.string());
  // Each venv keeps its byte-code cache: a reinstalled package (same path,
  // size and timestamp from its wheel) must never meet a stale cache.
  set_env(opts.env, "PYTHONPYCACHEPREFIX", (venv.python.parent_path().parent_path() / "pycache").string());
  opts.working_dir = request.project_dir;
  opts.pipe_stdin = true;

  // A fork of the venv's warm fork server when there is one, else a fresh
  // interpreter: the task cannot tell the difference.
  std::unique_ptr<fork_server::job> forked;
  std::optional<child_process> child;
  if (options_.use_fork_server) {
    bj::object env;
    for (const auto& e : opts.env)
      if (auto eq = e.find('='); eq != std::string::npos) env[e.substr(0, eq)] = e.substr(eq + 1);
    auto context = json::try_parse(request.context_json);
    bj::object job{{"kind", "task"},
                   {"cwd", request.project_dir.string()},
                   {"env", std::move(env)},
                   {"result", result_file.string()},
                   {"context", context ? *context : bj::value(bj::object{})}};
    forked = co_await server_for(venv.python, opts.env).fork(std::move(job));
  }
  if (!forked) {
    try {
      child.emplace(child_process::spawn(strand_, opts));
    } catch (const std::system_error& e) {
      log.line("executor", fmt::format("Could not start the task process: {}", e.what()));
      result.error = e.what();
      finished(std::move(result));
      co_return;
    }
  }
  auto entry = std::make_shared<running_try>(strand_);
  entry->alive = true;
  if (forked)
    entry->signal_group = [j = forked.get()](int sig) { j->signal_group(sig); };
  else
    entry->signal_group = [c = &*child](int sig) { c->signal_group(sig); };
  tries_[request.ti_id] = entry;
  result.pid = forked ? forked->pid() : child->pid();
  asio::readable_pipe& out = forked ? forked->out() : child->stdout_pipe();
  asio::readable_pipe& err = forked ? forked->err() : child->stderr_pipe();
  const auto begun = std::chrono::steady_clock::now();
  log.line("executor", fmt::format("Starting try {} of {} (pid {}, {}{})", request.try_number, label, result.pid,
                                   venv.python.string(), forked ? ", forked from a warm interpreter" : ""));
  started(result.pid);

  // The execution timeout: SIGTERM to the group, SIGKILL after the grace.
  bool timed_out = false;
  entry->timer.expires_after(request.timeout ? *request.timeout : std::chrono::hours(24 * 365));
  auto watchdog = [&]() -> asio::awaitable<void> {
    for (;;) {
      auto [tec] = co_await entry->timer.async_wait(tuple_awaitable);
      if (!entry->alive) co_return;
      if (tec) {
        if (entry->killed) continue;  // re-armed by kill(): wait out the grace
        co_return;                    // the try ended
      }
      if (!entry->killed) {
        entry->killed = true;
        timed_out = request.timeout.has_value();
        entry->kill_reason = timed_out
                                 ? fmt::format("execution_timeout of {:.1f} s exceeded",
                                               std::chrono::duration<double>(*request.timeout).count())
                                 : "stopped";
        entry->signal_group(SIGTERM);
        entry->timer.expires_after(options_.kill_grace);
        continue;
      }
      entry->signal_group(SIGKILL);
      co_return;
    }
  };
  auto io = [&]() -> asio::awaitable<void> {
    exit_status status;
    if (forked) {
      auto ended = [&]() -> asio::awaitable<void> { status = co_await forked->wait(); };
      co_await (pump(out, "stdout", log) && pump(err, "stderr", log) && ended());
    } else {
      co_await (feed(child->stdin_pipe(), request.context_json) && pump(out, "stdout", log) &&
                pump(err, "stderr", log));
      status = co_await child->wait();
    }
    log.flush_partial();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begun).count();
    // Anything the task left behind in its group goes with it.
    entry->signal_group(SIGKILL);
    entry->alive = false;
    entry->timer.cancel();
    if (entry->killed)
      log.line("executor", fmt::format("The task was killed: {}", entry->kill_reason));
    log.line("executor", fmt::format("Task process ended with {} after {:.2f} s",
                                     forked && status.code == -1 && status.signal == 0 ? "an unknown status"
                                                                                       : status.describe(),
                                     seconds));
    if (entry->killed) {
      result.state = "failed";
      result.timed_out = timed_out;
      result.error = timed_out ? fmt::format("Task timed out ({})", entry->kill_reason)
                               : fmt::format("Task was killed ({})", entry->kill_reason);
      co_return;
    }
    read_task_result(read_file(result_file), result);
    if (result.state == "failed" && result.error.empty())
      result.error = fmt::format("the task process ended with {}", status.describe());
  };
  auto io_op = io();
  auto watchdog_op = watchdog();
  co_await (std::move(io_op) && std::move(watchdog_op));
  tries_.erase(request.ti_id);
  fs::remove(result_file, ec);
  log.line("executor", fmt::format("Task {} ended: {}", label, result.state));
  finished(std::move(result));
}

fork_server& subprocess_executor::server_for(const fs::path& python, const std::vector<std::string>& env) {
  auto& slot = servers_[python.string()];
  if (!slot) {
    fork_server::options o;
    o.python = python;
    o.environment = env;
    o.working_dir = options_.home;
    o.fifo_dir = options_.scratch_dir / "fifo";
    slot = std::make_unique<fork_server>(strand_, std::move(o), console_);
  }
  return *slot;
}

asio::awaitable<std::optional<captured_output>> subprocess_executor::fork_parse(spawn_options parse,
                                                                                std::chrono::milliseconds timeout,
                                                                                std::size_t limit) {
  auto job = [this, parse = std::move(parse), timeout, limit]() -> asio::awaitable<std::optional<captured_output>> {
    if (!options_.use_fork_server || parse.args.size() < 3 || stopping_) co_return std::nullopt;
    bj::object env;
    for (const auto& e : parse.env)
      if (auto eq = e.find('='); eq != std::string::npos) env[e.substr(0, eq)] = e.substr(eq + 1);
    bj::object request{{"kind", "parse"},
                       {"cwd", parse.working_dir.string()},
                       {"env", std::move(env)},
                       {"dag_file", parse.args.back()}};
    // The parse's server is the one tasks of the same interpreter use; it
    // starts with the tasks' clean environment, the request brings the rest.
    std::vector<std::string> server_env = task_env_;
    if (auto path = get_env(parse.env, "PYTHONPATH")) set_env(server_env, "PYTHONPATH", *path);
    if (auto cache = get_env(parse.env, "PYTHONPYCACHEPREFIX")) set_env(server_env, "PYTHONPYCACHEPREFIX", *cache);
    co_return co_await server_for(parse.executable, server_env).run_captured(std::move(request), timeout, limit);
  };
  co_return co_await asio::co_spawn(strand_, job(), asio::use_awaitable);
}

}  // namespace leoflow::executors
