// Linux inotify through Asio: watches folders (not recursively; the watcher
// adds sub-folders itself) and delivers batches of events with full paths.
// Not thread-safe: use it from one strand.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace leoflow::watcher {

namespace fs = std::filesystem;

struct fs_event {
  fs::path path;       // the folder watched, plus the entry name if any
  std::uint32_t mask;  // IN_* bits
  bool overflow() const;
  bool is_dir() const;
  bool completes_write() const;  // close-after-write or a rename into place
  bool removes_watched_dir() const;
};

class inotify {
 public:
  explicit inotify(boost::asio::any_io_executor ex);
  ~inotify();

  // Watches one folder; adding it again is harmless. false when it cannot be
  // watched (gone, permission, watch limit).
  bool watch(const fs::path& dir);
  void forget(const fs::path& dir);
  bool watching(const fs::path& dir) const;

  // The next batch of events; empty with `ec` set when the descriptor was
  // closed or the read was cancelled.
  boost::asio::awaitable<std::vector<fs_event>> next(boost::system::error_code& ec);

  void close();

 private:
  boost::asio::posix::stream_descriptor fd_;
  std::map<int, fs::path> dirs_;
  std::map<fs::path, int> wds_;
};

}  // namespace leoflow::watcher
