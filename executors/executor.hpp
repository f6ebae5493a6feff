// The executor interface the scheduler talks to: launch one task try, kill
// it, hear how it ended. The subprocess executor runs tries as local Python
// processes; a Kubernetes executor (pod per task) fits the same interface.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace leoflow {
class secret_masker;
}

namespace leoflow::executors {

namespace fs = std::filesystem;

// Everything needed to run one try of one task instance.
struct task_request {
  std::int64_t ti_id = 0;
  std::string dag_id;
  std::string run_id;
  std::string task_id;
  int map_index = -1;
  int try_number = 1;
  std::string context_json;  // the runtime's stdin (docs/contracts.md)
  fs::path project_dir;
  fs::path log_file;
  std::optional<std::chrono::milliseconds> timeout;  // execution_timeout
  std::string venv_name;                             // the virtualenv's folder name
  std::vector<std::string> dependencies;             // for the DAG's virtualenv
  // What the try's log must not show (the connections and variables it got).
  std::shared_ptr<const secret_masker> secrets;
};

// How a try ended.
struct task_result {
  std::int64_t ti_id = 0;
  int try_number = 1;
  std::string state = "failed";  // success, skipped, failed
  bool no_retry = false;         // AirflowFailException
  bool timed_out = false;
  std::string error;             // one line for failures
  std::vector<std::pair<std::string, std::string>> xcoms;  // key, JSON value
  std::vector<std::string> skip_task_ids;
  std::vector<std::pair<std::string, std::string>> variables_set;
  std::optional<std::string> rendered_fields;  // JSON object text
  long long pid = 0;
};

class executor {
 public:
  virtual ~executor() = default;

  // Starts a try. `started` runs once the process exists, `finished` exactly
  // once when the try is over (also when it could not start). Both are called
  // from the executor's own threads: post to your strand.
  virtual void launch(task_request request, std::function<void(long long pid)> started,
                      std::function<void(task_result)> finished) = 0;

  // Stops a running try (its whole process group); its `finished` still comes.
  virtual void kill(std::int64_t ti_id, std::string reason) = 0;

  // Lets running tries finish for up to `grace`, then kills what remains.
  virtual boost::asio::awaitable<void> shutdown(std::chrono::milliseconds grace) = 0;

  virtual std::size_t running() const = 0;
  virtual std::string name() const = 0;
};

}  // namespace leoflow::executors
