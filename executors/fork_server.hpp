// A warm Python process (sdk/leoflow_forkserver) that forks parses and task
// tries instead of starting a fresh interpreter for each: requests go to its
// stdin, replies come from its stdout, one JSON object per line
// (docs/contracts.md). Each fork writes its stdout/stderr into FIFOs this
// side reads. One server per interpreter; started on first use and again
// after it died. Not thread-safe: use it from one strand.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include "common/child_process.hpp"

namespace leoflow {
class console;
}

namespace leoflow::executors {

namespace fs = std::filesystem;

class fork_server {
 public:
  struct options {
    fs::path python;
    std::vector<std::string> environment;  // the server's own (PYTHONPATH=sdk included)
    fs::path working_dir;                  // neutral: not a project folder
    fs::path fifo_dir;                     // where the per-fork FIFOs are made
    std::chrono::milliseconds start_timeout{60000};
  };

  // One forked child: its output streams and its end.
  class job {
   public:
    ~job();
    job(const job&) = delete;
    job& operator=(const job&) = delete;
    long long pid() const { return pid_; }
    boost::asio::readable_pipe& out() { return out_; }
    boost::asio::readable_pipe& err() { return err_; }
    // Sends a signal to the child's process group.
    void signal_group(int sig) const;
    // Completes when the server reports the child's end (or the server died:
    // then the status is unknown, code -1). Closes the FIFOs' write ends so the
    // readers reach EOF once the child's own descendants are done too.
    boost::asio::awaitable<exit_status> wait();

   private:
    friend class fork_server;
    struct state;
    job(boost::asio::any_io_executor ex, std::shared_ptr<state> st);
    std::shared_ptr<state> state_;
    boost::asio::readable_pipe out_;
    boost::asio::readable_pipe err_;
    long long pid_ = 0;
  };

  fork_server(boost::asio::any_io_executor strand, options o, console& out);
  ~fork_server();

  // Forks a child for `request` (kind, cwd, env, result/context or dag_file;
  // the id and stream paths are filled in here). nullptr when the server
  // cannot be used or refused the request: the caller starts a fresh process.
  boost::asio::awaitable<std::unique_ptr<job>> fork(boost::json::object request);

  // Runs a forked child to completion with its output captured (up to `limit`
  // bytes a stream), killed with its group after `timeout`; nullopt when the
  // server cannot be used.
  boost::asio::awaitable<std::optional<captured_output>> run_captured(boost::json::object request,
                                                                      std::chrono::milliseconds timeout,
                                                                      std::size_t limit);

  void stop();

 private:
  struct pending;
  boost::asio::awaitable<bool> ensure_started();
  boost::asio::awaitable<void> read_replies(std::shared_ptr<child_process> process);
  boost::asio::awaitable<void> drain_stderr(std::shared_ptr<child_process> process);
  boost::asio::awaitable<void> write_requests();
  void server_gone(const std::string& why);

  boost::asio::any_io_executor strand_;
  options options_;
  console& console_;
  std::shared_ptr<child_process> process_;
  bool ready_ = false;
  bool starting_ = false;
  bool stopped_ = false;
  std::optional<std::chrono::steady_clock::time_point> retry_after_;
  boost::asio::steady_timer ready_signal_;
  std::deque<std::string> outbox_;
  bool writing_ = false;
  std::map<std::string, std::shared_ptr<pending>> pending_;
};

}  // namespace leoflow::executors
