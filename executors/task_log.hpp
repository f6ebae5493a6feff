// One try's log file: NDJSON lines in Airflow's structured shape
// ({"timestamp", "event", "level", "logger"}), stdout and stderr told apart by
// logger, with start and end lines from the executor, every line passed
// through the try's secret masker. Files are 0600 in 0700 folders. Reading
// supports continuation offsets so a client can tail a running try.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace leoflow {
class secret_masker;
}

namespace leoflow::executors {

namespace fs = std::filesystem;

class task_log_writer {
 public:
  // Opens (appends to) the file, creating its folders. `secrets` (may be
  // null) masks what the try prints.
  explicit task_log_writer(const fs::path& file, std::shared_ptr<const secret_masker> secrets = nullptr);
  ~task_log_writer();
  task_log_writer(const task_log_writer&) = delete;
  task_log_writer& operator=(const task_log_writer&) = delete;

  // `stream` is "stdout", "stderr" or "executor".
  void line(std::string_view stream, std::string_view text);
  // Splits a chunk of process output into lines; a partial last line waits
  // for the rest (or for flush_partial).
  void chunk(std::string_view stream, std::string_view data);
  void flush_partial();
  bool ok() const { return file_ != nullptr; }

 private:
  void write_line(std::string_view stream, std::string_view masked_text);

  std::FILE* file_ = nullptr;
  std::shared_ptr<const secret_masker> secrets_;
  std::string partial_out_;
  std::string partial_err_;
};

struct log_page {
  boost::json::array lines;  // structured lines
  std::uint64_t next_offset = 0;
  bool found = false;
};

// Reads structured lines from byte `offset` (0 for the start), at most
// `max_bytes` at a time; only whole lines are returned.
log_page read_task_log(const fs::path& file, std::uint64_t offset, std::size_t max_bytes = 1 << 20);

// $LEOFLOW_HOME/dev/logs/<dag>/<run>/<task>/<try>.log (each part a
// safe_path_segment); a mapped instance's tries live in <task>/map_<index>/.
fs::path task_log_path(const fs::path& logs_dir, const std::string& dag_id, const std::string& run_id,
                       const std::string& task_id, int map_index, int try_number);

// Replaces invalid UTF-8 with U+FFFD so any output can be stored as JSON.
std::string sanitize_utf8(std::string_view text);

}  // namespace leoflow::executors
