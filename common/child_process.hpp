// Child processes: started with posix_spawn (no fork of this multi-threaded
// process), each leading its own process group so that a kill reaches its
// grandchildren too; the exit is awaited through Boost.Process v2 (pidfd).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/writable_pipe.hpp>

namespace leoflow {

struct spawn_options {
  std::filesystem::path executable;  // absolute path; PATH is not searched
  std::vector<std::string> args;     // argv[1..]
  std::vector<std::string> env;      // the complete environment, KEY=VALUE
  std::filesystem::path working_dir; // empty: inherit ours
  bool pipe_stdin = false;           // otherwise /dev/null
};

struct exit_status {
  int code = -1;   // exit code when the process exited
  int signal = 0;  // signal number when it was killed by one
  bool success() const { return signal == 0 && code == 0; }
  // "exit status 1", "killed by signal 9 (SIGKILL)"
  std::string describe() const;
};

class child_process {
 public:
  // Throws std::system_error naming the executable when it cannot start.
  static child_process spawn(boost::asio::any_io_executor ex, const spawn_options& options);

  child_process(child_process&&) noexcept;
  child_process& operator=(child_process&&) noexcept;
  ~child_process();

  pid_t pid() const;
  boost::asio::writable_pipe& stdin_pipe();
  boost::asio::readable_pipe& stdout_pipe();
  boost::asio::readable_pipe& stderr_pipe();

  // Completes when the process has exited (and reaps it).
  boost::asio::awaitable<exit_status> wait();

  // Sends a signal to the process group; harmless after the group is gone.
  void signal_group(int sig);

 private:
  struct state;
  explicit child_process(std::unique_ptr<state> s);
  std::unique_ptr<state> state_;
};

// The current environment as KEY=VALUE strings, and helpers to edit one.
std::vector<std::string> current_environment();
void set_env(std::vector<std::string>& env, std::string_view key, std::string_view value);
void unset_env(std::vector<std::string>& env, std::string_view key);
std::optional<std::string> get_env(const std::vector<std::string>& env, std::string_view key);

// Finds a program on $PATH (or returns it when it holds a slash).
std::optional<std::filesystem::path> find_program(std::string_view name);

struct captured_output {
  exit_status status;
  std::string out;
  std::string err;
  bool timed_out = false;
  bool output_limit_exceeded = false;
  std::chrono::microseconds elapsed{};
};

// Runs a child to completion: writes stdin_data, captures stdout and stderr
// up to `output_limit` bytes each (beyond it the group is killed), and kills
// the group after `timeout`. Never throws for the child's behaviour; a child
// that cannot start throws std::system_error.
boost::asio::awaitable<captured_output> run_captured(spawn_options options, std::string stdin_data,
                                                     std::chrono::milliseconds timeout,
                                                     std::size_t output_limit);

}  // namespace leoflow
