// Fan-out of live events to subscribers.
#include "common/event_bus.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

namespace leoflow {

event_subscription::event_subscription(boost::asio::any_io_executor ex, std::size_t capacity)
    : capacity_(capacity), wake_(ex) {}

void event_subscription::push(const live_event& e) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= capacity_) {
      queue_.pop_front();
      lost_ = true;
    }
    queue_.push_back(e);
  }
  // Wake the waiting reader on its own executor.
  boost::asio::post(wake_.get_executor(), [self = shared_from_this()] { self->wake_.cancel(); });
}

boost::asio::awaitable<std::vector<live_event>> event_subscription::next(
    std::chrono::milliseconds max_wait) {
  {
    std::lock_guard lock(mutex_);
    if (!queue_.empty()) {
      std::vector<live_event> out(queue_.begin(), queue_.end());
      queue_.clear();
      co_return out;
    }
  }
  wake_.expires_after(max_wait);
  co_await wake_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  std::lock_guard lock(mutex_);
  std::vector<live_event> out(queue_.begin(), queue_.end());
  queue_.clear();
  co_return out;
}

void event_bus::publish(live_event_type type, const boost::json::object& data) {
  std::vector<std::shared_ptr<event_subscription>> targets;
  live_event e;
  {
    std::lock_guard lock(mutex_);
    e.id = next_id_++;
    e.type = std::string(to_string(type));
    e.data = boost::json::serialize(data);
    std::erase_if(subscribers_, [&](const std::weak_ptr<event_subscription>& w) {
      auto s = w.lock();
      if (!s) return true;
      targets.push_back(std::move(s));
      return false;
    });
  }
  for (auto& s : targets) s->push(e);
}

std::shared_ptr<event_subscription> event_bus::subscribe(boost::asio::any_io_executor ex,
                                                         std::size_t capacity) {
  auto s = std::make_shared<event_subscription>(ex, capacity);
  std::lock_guard lock(mutex_);
  subscribers_.push_back(s);
  return s;
}

}  // namespace leoflow
