// The /ui/events Server-Sent Events endpoint.
#include "server/ui/event_stream.hpp"

#include <algorithm>

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "server/ui/ui.hpp"

namespace leoflow::ui {

namespace asio = boost::asio;

namespace {

constexpr auto keep_alive_interval = std::chrono::seconds(15);
// A browser opens at most six connections per server; this leaves room for
// a few browsers and scripts of one user, not for a flood.
constexpr std::size_t streams_per_user = 16;

bool cancelled(const asio::cancellation_state& state) {
  return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace

std::shared_ptr<const std::string> stream_slots::take(const std::string& user) {
  std::lock_guard lock(mutex_);
  auto& n = held_[user];
  if (n >= per_user_) return nullptr;
  ++n;
  auto self = shared_from_this();
  return std::shared_ptr<const std::string>(new std::string(user), [self](const std::string* held) {
    {
      std::lock_guard lock(self->mutex_);
      if (auto it = self->held_.find(*held); it != self->held_.end() && --it->second == 0) self->held_.erase(it);
    }
    delete held;
  });
}

std::size_t stream_slots::held(const std::string& user) {
  std::lock_guard lock(mutex_);
  auto it = held_.find(user);
  return it == held_.end() ? 0 : it->second;
}

std::string format_sse(const live_event& e) {
  // Event data is one line of JSON (Boost.JSON escapes newlines), so a single
  // `data:` field carries it.
  return fmt::format("id: {}\nevent: {}\ndata: {}\n\n", e.id, e.type, e.data);
}

asio::awaitable<void> stream_events(event_bus& bus, http::body_writer& out,
                                    std::chrono::milliseconds keep_alive) {
  // Shutdown cancels the session: this loop sees it and ends the stream as a
  // normal end instead of an exception.
  co_await asio::this_coro::throw_if_cancelled(false);
  auto executor = co_await asio::this_coro::executor;
  auto subscription = bus.subscribe(executor);

  // Ask the browser to reconnect quickly; the comment opens the stream at once.
  const std::string hello = "retry: 2000\n: connected\n\n";
  bool open = co_await out.write(hello);
  std::uint64_t last_id = 0;
  while (open) {
    auto batch = co_await subscription->next(keep_alive);
    auto state = co_await asio::this_coro::cancellation_state;
    if (cancelled(state)) co_return;
    std::string chunk;
    for (const auto& e : batch) {
      // Every subscriber sees every id, so once the queue overflowed a gap
      // in the ids says what this client missed.
      if (subscription->lost_events() && last_id != 0 && e.id > last_id + 1)
        chunk += fmt::format("event: {}\ndata: {{}}\n\n", to_string(live_event_type::resync));
      last_id = std::max(last_id, e.id);
      chunk += format_sse(e);
    }
    if (chunk.empty()) chunk = ": keep-alive\n\n";
    open = co_await out.write(chunk);
  }
}

void add_event_routes(http::router& r, api::api_context& ctx) {
  auto slots = std::make_shared<stream_slots>(streams_per_user);
  r.add("GET", "/ui/events", {}, [&ctx, slots](http::request& req) -> asio::awaitable<http::response> {
    // The gate names the signed-in user; with no login, the client address.
    const auto* user = req.header("X-Leoflow-User");
    auto slot = slots->take(user ? "user:" + *user : "address:" + req.remote_address);
    if (!slot)
      co_return http::error(429, fmt::format("Too many open event streams for this user (at most {}); "
                                             "close other Lite tabs",
                                             streams_per_user));
    http::response res;
    res.content_type = "text/event-stream";
    res.headers.emplace_back("Cache-Control", "no-cache");
    res.headers.emplace_back("X-Accel-Buffering", "no");
    res.stream = [&bus = ctx.events, slot](http::body_writer& out) {
      return stream_events(bus, out, keep_alive_interval);
    };
    co_return res;
  });
}

}  // namespace leoflow::ui
