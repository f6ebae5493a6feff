// Server-Sent Events over the engine's event bus: GET /ui/events streams
// `id: N / event: <type> / data: <json>` records, a keep-alive comment when
// nothing happened for a while, and a `resync` event when this client missed
// events (its queue overflowed), so the page refetches what it shows.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "common/event_bus.hpp"
#include "server/http/message.hpp"

namespace leoflow::ui {

// One event in the SSE wire format, blank line included.
std::string format_sse(const live_event& e);

// Writes events from `bus` to `out` until the client goes away or the
// session is cancelled (server shutdown).
boost::asio::awaitable<void> stream_events(event_bus& bus, http::body_writer& out,
                                           std::chrono::milliseconds keep_alive);

}  // namespace leoflow::ui
