// Server-Sent Events over the engine's event bus: GET /ui/events streams
// `id: N / event: <type> / data: <json>` records, a keep-alive comment when
// nothing happened for a while, and a `resync` event when this client missed
// events (its queue overflowed), so the page refetches what it shows. Each
// user (or, with no login, each client address) holds a bounded number of
// streams at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "common/event_bus.hpp"
#include "server/http/message.hpp"

namespace leoflow::ui {

// Open streams per user; a slot is held as long as its returned handle lives.
// Thread-safe.
class stream_slots : public std::enable_shared_from_this<stream_slots> {
 public:
  explicit stream_slots(std::size_t per_user) : per_user_(per_user) {}
  // nullptr when `user` already holds every slot.
  std::shared_ptr<const std::string> take(const std::string& user);
  std::size_t held(const std::string& user);

 private:
  std::mutex mutex_;
  std::map<std::string, std::size_t> held_;
  std::size_t per_user_;
};

// One event in the SSE wire format, blank line included.
std::string format_sse(const live_event& e);

// Writes events from `bus` to `out` until the client goes away or the
// session is cancelled (server shutdown).
boost::asio::awaitable<void> stream_events(event_bus& bus, http::body_writer& out,
                                           std::chrono::milliseconds keep_alive);

}  // namespace leoflow::ui
