// A muteable stream over stderr through glibc's fopencookie.
#include "server/daemon/log_stream.hpp"

#include <stdexcept>

#include <unistd.h>

namespace leoflow::daemon {

namespace {

// The cookie is the stream's `muted_` flag.
ssize_t write_cookie(void* cookie, const char* data, size_t size) {
  if (static_cast<std::atomic<bool>*>(cookie)->load()) return static_cast<ssize_t>(size);
  size_t done = 0;
  while (done < size) {
    const auto n = ::write(STDERR_FILENO, data + done, size - done);
    if (n < 0) return done ? static_cast<ssize_t>(done) : -1;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(size);
}

int close_cookie(void*) { return 0; }

}  // namespace

log_stream::log_stream() {
  cookie_io_functions_t io{};
  io.write = write_cookie;
  io.close = close_cookie;
  file_ = ::fopencookie(&muted_, "w", io);
  if (!file_) throw std::runtime_error("fopencookie failed");
  // Line by line, like stderr, so lines from this stream and stderr keep their order.
  std::setvbuf(file_, nullptr, _IOLBF, 0);
}

log_stream::~log_stream() {
  if (file_) std::fclose(file_);
}

}  // namespace leoflow::daemon
