// Per-DAG virtualenvs under $LEOFLOW_HOME/dev/venvs/<dag_id>/: created with
// `python -m venv`, dependencies installed with uv when it is on PATH, else
// the venv's own pip, and only re-installed when the DAG's dependency set
// changed (a marker file records what is installed). One install per DAG at a
// time; failures are remembered so a broken requirement is not retried on
// every task, until the set changes.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace leoflow {
class console;
}

namespace leoflow::executors {

namespace fs = std::filesystem;

struct venv_status {
  bool ok = false;
  fs::path python;    // the venv's interpreter when ok
  std::string error;  // pip's message when not
  bool installed_now = false;
};

class venv_manager {
 public:
  venv_manager(boost::asio::any_io_executor ex, fs::path venvs_dir, fs::path base_python,
               console& out, std::vector<std::string> environment);

  // Makes sure the venv holds exactly `dependencies` (the watcher calls it
  // before each parse, so the project's files decide). Thread-safe.
  boost::asio::awaitable<venv_status> ensure(std::string dag_id, std::vector<std::string> dependencies);

  // The venv a task runs in: as it is now (after any install in progress),
  // built with `dependencies` only when it does not exist at all. Tasks never
  // re-install: the store's dependency list may lag behind the files.
  boost::asio::awaitable<venv_status> for_task(std::string name, std::vector<std::string> dependencies);

  // The interpreter of the DAG's venv if it is ready for `dependencies`
  // (no install, no waiting); nullopt otherwise.
  std::optional<fs::path> ready_python(const std::string& dag_id,
                                       const std::vector<std::string>& dependencies) const;

  fs::path venv_dir(const std::string& dag_id) const { return venvs_dir_ / dag_id; }

 private:
  boost::asio::awaitable<venv_status> ensure_on_strand(std::string dag_id,
                                                       std::vector<std::string> dependencies,
                                                       bool keep_existing);
  boost::asio::awaitable<venv_status> build(const std::string& dag_id,
                                            const std::vector<std::string>& dependencies,
                                            const std::string& marker);
  std::string marker_for(const std::vector<std::string>& dependencies) const;

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  fs::path venvs_dir_;
  fs::path base_python_;
  console& console_;
  std::vector<std::string> environment_;
  std::map<std::string, std::shared_ptr<boost::asio::steady_timer>> building_;
};

}  // namespace leoflow::executors
