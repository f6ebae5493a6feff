// The watcher service: finds DAG projects under the folders it is given,
// notices changes (inotify, plus a periodic set-diff tick for whatever inotify
// missed and for vanished folders), debounces bursts of writes, runs the
// parser (at most one parse per project, the latest save wins, projects in
// parallel up to a limit), and registers versions, import errors and
// deletions in the store. All state lives on one strand (every coroutine here
// runs on it and resumes on it); disk scans run on a small blocking pool.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "watcher/inotify.hpp"
#include "watcher/parser_runner.hpp"
#include "watcher/project.hpp"

namespace leoflow {
class console;
class secret_registry;
namespace schema {
class database;
}
}  // namespace leoflow

namespace leoflow::watcher {

// The interpreter to parse a project with (its virtualenv once ready), and
// why its dependencies could not be installed, if they could not.
struct parse_environment {
  fs::path python;
  std::optional<std::string> install_error;
  fs::path pycache;  // PYTHONPYCACHEPREFIX; empty for Lite's shared one
};

struct watcher_options {
  std::vector<fs::path> roots;
  std::chrono::milliseconds tick{2000};
  std::chrono::milliseconds settle{8};    // after a completed write
  std::chrono::milliseconds quiet{120};   // after a change that may still be in progress
  std::size_t max_parallel = 2;
  bool paused_at_creation = false;
  parser_config parser;
  fs::path logs_dir;
  // Masks import errors before they are stored, printed or published. Optional.
  secret_registry* secrets = nullptr;
  // Prepares a project's virtualenv before its parse; unset means parse
  // with parser.python. A project without dependencies parses with
  // parser.python at once (its site-packages hidden, as an empty virtualenv
  // would) and its virtualenv is prepared after, when no parse waits.
  std::function<boost::asio::awaitable<parse_environment>(const project&)> prepare_environment;
  // After a good parse, before registering: what the project's tries need
  // besides the spec (the Kubernetes executor's image). An error is the
  // file's import error and nothing registers. Unset: nothing to prepare.
  std::function<boost::asio::awaitable<std::optional<std::string>>(const project&)> prepare_image;
};

// What the rest of the engine hears from the watcher. Called on the
// watcher's strand: keep them short and thread-safe.
struct watcher_listener {
  std::function<void(const std::string& dag_id, int version_number, const std::string& fileloc)> dag_registered;
  std::function<void(const std::string& dag_id)> dag_removed;
  // error is empty when the file's import error was cleared.
  std::function<void(const std::string& fileloc, const std::string& error)> import_status;
};

class watcher {
 public:
  watcher(boost::asio::any_io_executor ex, schema::database& db, console& out,
          watcher_options options, watcher_listener listener = {});
  ~watcher();

  // Discovers projects, reconciles the store with them, starts watching and
  // queues every project for parsing. Completes once the first round of
  // parses is registered.
  boost::asio::awaitable<void> start();
  void stop();

  // Queues a project (or the project holding a path) as if it changed.
  void touch(const fs::path& path);

  // Projects the watcher knows, for the IDE and tests (thread-safe copy).
  boost::asio::awaitable<std::vector<project>> projects();

 private:
  struct project_state {
    project info;
    std::chrono::steady_clock::time_point due{};
    bool debouncing = false;
    bool queued = false;
    bool parsing = false;
    bool dirty = false;
    bool announced = false;  // printed "change detected" for the pending change
    bool environment_queued = false;
    std::string parsed_fingerprint;
  };

  boost::asio::awaitable<void> initial_round();
  boost::asio::awaitable<void> inotify_loop();
  boost::asio::awaitable<void> tick_loop();
  boost::asio::awaitable<void> debounce(fs::path dir);
  boost::asio::awaitable<void> rescan();
  boost::asio::awaitable<void> parse(fs::path dir);
  boost::asio::awaitable<void> parse_project(fs::path dir);
  boost::asio::awaitable<void> prepare_later(fs::path dir);
  boost::asio::awaitable<void> report_progress(std::size_t total);
  boost::asio::awaitable<void> remove_project(fs::path dir, std::string reason);
  boost::asio::awaitable<void> record_error(const project& p, const fs::path& file,
                                            std::string headline, std::string detail);

  void on_event(const fs_event& ev);
  void note_change(project_state& st, std::chrono::milliseconds delay, bool announce);
  void enqueue(const fs::path& dir);
  void pump();
  void watch_tree(const fs::path& dir);
  void add_project(const project& p);
  project_state* project_for(const fs::path& path);
  bool under_root(const fs::path& path) const;
  void schedule_rescan();
  template <typename Awaitable>
  void spawn(Awaitable a, const char* what);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  schema::database& db_;
  console& console_;
  watcher_options options_;
  watcher_listener listener_;
  inotify inotify_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer idle_timer_;  // wakes start() when the first round is done
  boost::asio::steady_timer progress_timer_;
  boost::asio::thread_pool disk_pool_{1};
  std::map<fs::path, project_state> projects_;
  std::vector<fs::path> queue_;
  // Virtualenvs to prepare once no parse is waiting (see prepare_environment).
  std::vector<fs::path> environment_queue_;
  std::size_t running_ = 0;    // parses and preparations, up to max_parallel
  std::size_t preparing_ = 0;  // of which preparations
  std::size_t parsed_ = 0;     // parses finished, for the first round's progress
  bool rescan_pending_ = false;
  bool stopping_ = false;
};

}  // namespace leoflow::watcher
