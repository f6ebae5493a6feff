// Runs each task try as a local process: `<venv>/bin/python -m
// leoflow_runtime` in the DAG's virtualenv, the task context on stdin, the
// result in a file, output timestamped into the try's log, the whole process
// group killed on execution_timeout or when asked. The environment is a
// clean allow-list, so tasks never see the server's secrets.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>

#include "common/child_process.hpp"
#include "executors/executor.hpp"
#include "executors/fork_server.hpp"
#include "executors/venv_manager.hpp"

namespace leoflow {
class console;
}

namespace leoflow::executors {

struct subprocess_options {
  fs::path sdk_dir;
  fs::path home;                          // LEOFLOW_HOME
  fs::path scratch_dir;                   // result files
  std::vector<std::string> environment;   // the server's; filtered per task
  std::chrono::milliseconds kill_grace{5000};  // SIGTERM → SIGKILL
  // Fork tries and parses from a warm interpreter per venv (falls back to a
  // fresh process whenever the fork server is not usable).
  bool use_fork_server = true;
};

class subprocess_executor : public executor {
 public:
  subprocess_executor(boost::asio::any_io_executor ex, venv_manager& venvs, console& out,
                      subprocess_options options);
  ~subprocess_executor() override;

  void launch(task_request request, std::function<void(long long pid)> started,
              std::function<void(task_result)> finished) override;
  void kill(std::int64_t ti_id, std::string reason) override;
  boost::asio::awaitable<void> shutdown(std::chrono::milliseconds grace) override;
  std::size_t running() const override { return running_.load(); }
  std::string name() const override { return "subprocess"; }

  // Runs a parse (the parser's spawn options) as a fork of the interpreter's
  // warm fork server; nullopt when that is not possible. Thread-safe.
  boost::asio::awaitable<std::optional<captured_output>> fork_parse(spawn_options parse,
                                                                    std::chrono::milliseconds timeout,
                                                                    std::size_t limit);

  // The environment a task gets, from the server's: an allow-list plus
  // AIRFLOW_CONN_*, AIRFLOW_VAR_* and pip's settings.
  static std::vector<std::string> task_environment(const std::vector<std::string>& server_env);

 private:
  struct running_try;
  boost::asio::awaitable<void> run(task_request request, std::function<void(long long)> started,
                                   std::function<void(task_result)> finished);
  fork_server& server_for(const fs::path& python, const std::vector<std::string>& env);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  venv_manager& venvs_;
  console& console_;
  subprocess_options options_;
  std::vector<std::string> task_env_;
  std::map<std::int64_t, std::shared_ptr<running_try>> tries_;  // on strand_
  std::map<std::string, std::unique_ptr<fork_server>> servers_;  // by interpreter, on strand_
  std::atomic<std::size_t> running_{0};
  bool stopping_ = false;
};

}  // namespace leoflow::executors
