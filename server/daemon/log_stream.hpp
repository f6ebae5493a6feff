// A FILE* that passes lines to stderr unless muted. The daemon's console
// writes its info and debug lines through it, so that log_level (and a
// SIGHUP that changes it) can silence them while warnings and failures,
// written to stderr directly, always pass. Thread-safe.
#pragma once

#include <atomic>
#include <cstdio>

namespace leoflow::daemon {

class log_stream {
 public:
  log_stream();
  ~log_stream();
  log_stream(const log_stream&) = delete;
  log_stream& operator=(const log_stream&) = delete;

  std::FILE* file() const { return file_; }
  void set_muted(bool muted) { muted_ = muted; }

 private:
  std::FILE* file_ = nullptr;
  std::atomic<bool> muted_{false};
};

}  // namespace leoflow::daemon
