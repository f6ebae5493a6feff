// posix_spawn-based child processes with pipes and group kill.
#include "common/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <system_error>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/process/v2/process.hpp>
#include <fmt/format.h>

extern char** environ;

namespace leoflow {

namespace asio = boost::asio;
namespace bp = boost::process::v2;

struct child_process::state {
  state(asio::any_io_executor ex, pid_t p)
      : pid(p), process(ex, p), in(ex), out(ex), err(ex) {}
  pid_t pid;
  bp::basic_process<asio::any_io_executor> process;
  asio::writable_pipe in;
  asio::readable_pipe out;
  asio::readable_pipe err;
  bool exited = false;
};

namespace {

struct fd_pair {
  int fds[2] = {-1, -1};
  ~fd_pair() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  int release(int i) {
    int fd = fds[i];
    fds[i] = -1;
    return fd;
  }
};

void make_pipe(fd_pair& p) {
  if (::pipe2(p.fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::system_category(), "pipe2");
}

struct spawn_attrs {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  spawn_attrs() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~spawn_attrs() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

const char* signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? abbrev : "?";
}

}  // namespace

std::string exit_status::describe() const {
  if (signal != 0) return fmt::format("killed by signal {} (SIG{})", signal, signal_name(signal));
  return fmt::format("exit status {}", code);
}

child_process::child_process(std::unique_ptr<state> s) : state_(std::move(s)) {}
child_process::child_process(child_process&&) noexcept = default;
child_process& child_process::operator=(child_process&&) noexcept = default;
child_process::~child_process() {
  // A child nobody waits for is killed rather than left behind.
  if (state_ && !state_->exited) {
    signal_group(SIGKILL);
  }
}

child_process child_process::spawn(asio::any_io_executor ex, const spawn_options& options) {
  fd_pair in, out, err;
  if (options.pipe_stdin) make_pipe(in);
  make_pipe(out);
  make_pipe(err);

  spawn_attrs sa;
  if (options.pipe_stdin)
    posix_spawn_file_actions_adddup2(&sa.actions, in.fds[0], 0);
  else
    posix_spawn_file_actions_addopen(&sa.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&sa.actions, out.fds[1], 1);
  posix_spawn_file_actions_adddup2(&sa.actions, err.fds[1], 2);
  // Nothing of ours (sockets, the database) leaks into user code.
  posix_spawn_file_actions_addclosefrom_np(&sa.actions, 3);
  if (!options.working_dir.empty())
    posix_spawn_file_actions_addchdir_np(&sa.actions, options.working_dir.c_str());
  posix_spawnattr_setpgroup(&sa.attr, 0);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&sa.attr, &none);
  posix_spawnattr_setsigdefault(&sa.attr, &all);
  posix_spawnattr_setflags(&sa.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                         POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_USEVFORK);

  std::vector<char*> argv;
  const std::string exe = options.executable.string();
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const auto& a : options.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : options.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, exe.c_str(), &sa.actions, &sa.attr, argv.data(), envp.data());
  if (rc != 0) throw std::system_error(rc, std::system_category(), fmt::format("cannot start {}", exe));

  auto s = std::make_unique<state>(ex, pid);
  if (options.pipe_stdin) s->in.assign(in.release(1));
  s->out.assign(out.release(0));
  s->err.assign(err.release(0));
  return child_process(std::move(s));
}

pid_t child_process::pid() const { return state_->pid; }
asio::writable_pipe& child_process::stdin_pipe() { return state_->in; }
asio::readable_pipe& child_process::stdout_pipe() { return state_->out; }
asio::readable_pipe& child_process::stderr_pipe() { return state_->err; }

asio::awaitable<exit_status> child_process::wait() {
  auto [ec, code] = co_await state_->process.async_wait(asio::as_tuple(asio::use_awaitable));
  state_->exited = true;
  exit_status status;
  const int native = state_->process.native_exit_code();
  if (ec) {
    status.code = -1;
  } else if (WIFSIGNALED(native)) {
    status.signal = WTERMSIG(native);
  } else if (WIFEXITED(native)) {
    status.code = WEXITSTATUS(native);
  }
  co_return status;
}

void child_process::signal_group(int sig) {
  if (state_ && state_->pid > 0) ::kill(-state_->pid, sig);
}

std::vector<std::string> current_environment() {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  return env;
}

void set_env(std::vector<std::string>& env, std::string_view key, std::string_view value) {
  unset_env(env, key);
  env.push_back(fmt::format("{}={}", key, value));
}

void unset_env(std::vector<std::string>& env, std::string_view key) {
  std::erase_if(env, [&](const std::string& e) {
    return e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=';
  });
}

std::optional<std::string> get_env(const std::vector<std::string>& env, std::string_view key) {
  for (const auto& e : env)
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=')
      return e.substr(key.size() + 1);
  return std::nullopt;
}

std::optional<std::filesystem::path> find_program(std::string_view name) {
  if (name.find('/') != std::string_view::npos) {
    if (::access(std::string(name).c_str(), X_OK) == 0) return std::filesystem::absolute(name);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    auto colon = dirs.find(':');
    auto dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    if (dir.empty()) continue;
    auto candidate = std::filesystem::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

namespace {

// Reads a pipe to its end, keeping at most `limit` bytes; past the limit it
// kills the group (a child printing megabytes must not grow our memory).
asio::awaitable<void> drain(asio::readable_pipe& pipe, std::string& into, std::size_t limit,
                            child_process& child, bool& limit_hit) {
  char buf[16384];
  for (;;) {
    auto [ec, n] = co_await pipe.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (n > 0) {
      const std::size_t room = limit > into.size() ? limit - into.size() : 0;
      into.append(buf, std::min(n, room));
      if (n > room && !limit_hit) {
        limit_hit = true;
        child.signal_group(SIGKILL);
      }
    }
    if (ec) co_return;
  }
}

asio::awaitable<void> feed(asio::writable_pipe& pipe, const std::string& data) {
  if (!data.empty())
    co_await asio::async_write(pipe, asio::buffer(data), asio::as_tuple(asio::use_awaitable));
  boost::system::error_code ignored;
  pipe.close(ignored);
}

}  // namespace

asio::awaitable<captured_output> run_captured(spawn_options options, std::string stdin_data,
                                              std::chrono::milliseconds timeout,
                                              std::size_t output_limit) {
  using namespace asio::experimental::awaitable_operators;
  auto ex = co_await asio::this_coro::executor;
  const auto started = std::chrono::steady_clock::now();
  options.pipe_stdin = true;
  auto child = child_process::spawn(ex, options);

  captured_output result;
  asio::steady_timer deadline(ex, timeout);
  bool limit_hit = false;

  auto io = [&]() -> asio::awaitable<void> {
    co_await (feed(child.stdin_pipe(), stdin_data) &&
              drain(child.stdout_pipe(), result.out, output_limit, child, limit_hit) &&
              drain(child.stderr_pipe(), result.err, output_limit, child, limit_hit));
    result.status = co_await child.wait();
    deadline.cancel();
  };
  auto watchdog = [&]() -> asio::awaitable<void> {
    auto [ec] = co_await deadline.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!ec) {
      result.timed_out = true;
      child.signal_group(SIGKILL);
    }
  };
  auto io_op = io();
  auto watchdog_op = watchdog();
  co_await (std::move(io_op) && std::move(watchdog_op));
  // Grandchildren that outlive the leader are not ours to keep.
  child.signal_group(SIGKILL);
  result.output_limit_exceeded = limit_hit;
  result.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  co_return result;
}

}  // namespace leoflow
