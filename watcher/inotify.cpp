// inotify descriptor, watches and event decoding.
#include "watcher/inotify.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace leoflow::watcher {

namespace {
constexpr std::uint32_t watch_mask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE |
                                     IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF |
                                     IN_MOVE_SELF | IN_ATTRIB | IN_ONLYDIR;
}

bool fs_event::overflow() const { return mask & IN_Q_OVERFLOW; }
bool fs_event::is_dir() const { return mask & IN_ISDIR; }
bool fs_event::completes_write() const { return mask & (IN_CLOSE_WRITE | IN_MOVED_TO); }
bool fs_event::removes_watched_dir() const {
  return mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED);
}

inotify::inotify(boost::asio::any_io_executor ex)
    : fd_(ex, ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}

inotify::~inotify() { close(); }

bool inotify::watch(const fs::path& dir) {
  if (wds_.count(dir)) return true;
  const int wd = ::inotify_add_watch(fd_.native_handle(), dir.c_str(), watch_mask);
  if (wd < 0) return false;
  dirs_[wd] = dir;
  wds_[dir] = wd;
  return true;
}

void inotify::forget(const fs::path& dir) {
  auto it = wds_.find(dir);
  if (it == wds_.end()) return;
  ::inotify_rm_watch(fd_.native_handle(), it->second);
  dirs_.erase(it->second);
  wds_.erase(it);
}

bool inotify::watching(const fs::path& dir) const { return wds_.count(dir) > 0; }

boost::asio::awaitable<std::vector<fs_event>> inotify::next(boost::system::error_code& ec) {
  alignas(inotify_event) char buf[64 * 1024];
  auto [err, n] = co_await fd_.async_read_some(boost::asio::buffer(buf),
                                               boost::asio::as_tuple(boost::asio::use_awaitable));
  ec = err;
  std::vector<fs_event> events;
  for (std::size_t off = 0; !err && off + sizeof(inotify_event) <= n;) {
    const auto* e = reinterpret_cast<const inotify_event*>(buf + off);
    off += sizeof(inotify_event) + e->len;
    fs_event ev{{}, e->mask};
    if (e->mask & IN_Q_OVERFLOW) {
      events.push_back(ev);
      continue;
    }
    auto it = dirs_.find(e->wd);
    if (it == dirs_.end()) continue;
    ev.path = it->second;
    if (e->len > 0) ev.path /= std::string(e->name);
    if (e->mask & IN_IGNORED) {
      wds_.erase(it->second);
      dirs_.erase(it);
    }
    events.push_back(std::move(ev));
  }
  co_return events;
}

void inotify::close() {
  boost::system::error_code ignored;
  fd_.close(ignored);
}

}  // namespace leoflow::watcher
