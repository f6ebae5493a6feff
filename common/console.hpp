// What the user reads in the terminal (or journald for the daemon): short
// timestamped lines, ✓ for success and ✗ with indented detail for failure.
// Colour only on a TTY. Thread-safe: lines from different services never
// interleave.
#pragma once

#include <cstdio>
#include <mutex>
#include <string_view>

namespace leoflow {

class console {
 public:
  enum class style { terminal, journal };

  // Writes to stdout/stderr; `journal` prefixes syslog priorities (<6>, <4>,
  // <3>) so journald keeps levels, and drops colour and timestamps.
  explicit console(style s = style::terminal, std::FILE* out = stdout, std::FILE* err = stderr);

  void info(std::string_view line);
  void success(std::string_view line);
  void warning(std::string_view line);
  // The headline on stderr, then each line of detail indented by two spaces.
  void failure(std::string_view headline, std::string_view detail = {});
  // Debug lines are dropped unless verbose.
  void debug(std::string_view line);

  void set_verbose(bool v) { verbose_ = v; }
  bool colour() const { return colour_out_; }

 private:
  void write(std::FILE* f, int priority, std::string_view mark, const char* colour,
             std::string_view line, bool with_time, bool colour_on);

  style style_;
  std::FILE* out_;
  std::FILE* err_;
  bool colour_out_;
  bool colour_err_;
  bool verbose_ = false;
  std::mutex mutex_;
};

}  // namespace leoflow
