// Live events from the engine to whoever listens (the UI's Server-Sent Events
// channel, the IDE, benchmarks): a DAG version registered, an import error
// appearing or clearing, a run or task instance changing state. Publishing is
// thread-safe and never blocks; each subscriber has a bounded queue (a slow
// client loses the oldest events and is told so, it never grows our memory).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include "common/live_events.hpp"

namespace leoflow {

struct live_event {
  std::uint64_t id = 0;
  std::string type;  // a name from live_events
  std::string data;  // JSON object text
};

class event_bus;

class event_subscription : public std::enable_shared_from_this<event_subscription> {
 public:
  event_subscription(boost::asio::any_io_executor ex, std::size_t capacity);

  // Events published since the last call; waits up to `max_wait` when there
  // are none (then returns empty). Call from the executor given to subscribe.
  boost::asio::awaitable<std::vector<live_event>> next(std::chrono::milliseconds max_wait);

  // True once events were dropped because the subscriber fell behind.
  bool lost_events() const { return lost_; }

 private:
  friend class event_bus;
  void push(const live_event& e);

  std::mutex mutex_;
  std::deque<live_event> queue_;
  std::size_t capacity_;
  bool lost_ = false;
  boost::asio::steady_timer wake_;
};

class event_bus {
 public:
  void publish(live_event_type type, const boost::json::object& data);
  // The subscription lasts as long as the returned pointer.
  std::shared_ptr<event_subscription> subscribe(boost::asio::any_io_executor ex,
                                                std::size_t capacity = 1024);

 private:
  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::vector<std::weak_ptr<event_subscription>> subscribers_;
};

}  // namespace leoflow
