// Growing delays after failed logins.
#include "server/auth/login_throttle.hpp"

#include <algorithm>

namespace leoflow::auth {

namespace {

// An address that has not failed for this long starts afresh.
constexpr auto forget_after = std::chrono::hours(1);

}  // namespace

std::optional<std::chrono::milliseconds> login_throttle::retry_after(const std::string& address,
                                                                      clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(address);
  if (it == entries_.end() || it->second.locked_until <= now) return std::nullopt;
  return std::chrono::ceil<std::chrono::milliseconds>(it->second.locked_until - now);
}

std::chrono::milliseconds login_throttle::failed(const std::string& address,
                                                 const throttle_settings& settings,
                                                 clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!entries_.count(address) && entries_.size() >= max_addresses_) prune(now);
  auto& e = entries_[address];
  if (e.failures > 0 && now - e.last_failure > forget_after) e.failures = 0;
  ++e.failures;
  e.last_failure = now;
  const int over = e.failures - settings.free_attempts;
  if (over <= 0) return std::chrono::milliseconds(0);
  // base * 2^(over-1), capped; the shift is bounded so it cannot overflow.
  const auto factor = 1LL << std::min(over - 1, 30);
  const auto delay = std::min<std::chrono::milliseconds>(settings.max_delay, settings.base_delay * factor);
  e.locked_until = now + delay;
  return delay;
}

void login_throttle::succeeded(const std::string& address) {
  std::lock_guard lock(mutex_);
  entries_.erase(address);
}

int login_throttle::failures(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(address);
  return it == entries_.end() ? 0 : it->second.failures;
}

void login_throttle::prune(clock::time_point now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.locked_until <= now && now - it->second.last_failure > std::chrono::minutes(1))
      it = entries_.erase(it);
    else
      ++it;
  }
  // Still full (a flood from many addresses): drop the oldest failures.
  while (entries_.size() >= max_addresses_) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      return a.second.last_failure < b.second.last_failure;
    });
    entries_.erase(oldest);
  }
}

}  // namespace leoflow::auth
