// Attempt counting before the hash, doubling lock-outs, in-flight slots.
#include "server/auth/login_throttle.hpp"

#include <algorithm>

namespace leoflow::auth {

namespace {

// A key that has not been tried for this long starts afresh.
constexpr auto forget_after = std::chrono::hours(1);
// A user's name is guessed from many addresses: it gets this many times the
// free attempts of one address before it locks.
constexpr int user_free_factor = 4;

std::string address_key(const std::string& address) { return "a:" + address; }
std::string user_key(const std::string& user) { return "u:" + user; }

}  // namespace

login_throttle::entry& login_throttle::slot(const std::string& key, clock::time_point now) {
  auto& e = entries_[key];
  if (e.attempts > 0 && now - e.last_attempt > forget_after) e = entry{};
  return e;
}

void login_throttle::count(entry& e, int free_attempts, const throttle_settings& settings,
                           clock::time_point now) {
  ++e.attempts;
  e.last_attempt = now;
  const int over = e.attempts - free_attempts;
  if (over <= 0) return;
  // base * 2^(over-1), capped; the shift is bounded so it cannot overflow.
  const auto factor = 1LL << std::min(over - 1, 30);
  const auto delay = std::min<std::chrono::milliseconds>(settings.max_delay, settings.base_delay * factor);
  e.locked_until = std::max(e.locked_until, now + delay);
}

login_throttle::decision login_throttle::admit(const std::string& address, const std::string& user,
                                               bool known_user, const throttle_settings& settings,
                                               clock::time_point now) {
  std::lock_guard lock(mutex_);
  // Room for both keys first: pruning later could drop an entry in use.
  if (entries_.size() + 2 > max_keys_) prune(now);
  auto& by_address = slot(address_key(address), now);
  auto& by_user = slot(user_key(user), now);
  const auto until = std::max(by_address.locked_until, by_user.locked_until);
  if (until > now) return {false, std::chrono::ceil<std::chrono::milliseconds>(until - now)};
  auto& running = in_flight_[known_user ? user : std::string()];
  if (running >= max_in_flight_) return {false, std::chrono::milliseconds(0)};
  ++running;
  count(by_address, settings.free_attempts, settings, now);
  count(by_user, settings.free_attempts * user_free_factor, settings, now);
  return {true, {}};
}

void login_throttle::finished(const std::string& address, const std::string& user, bool known_user,
                              bool success) {
  std::lock_guard lock(mutex_);
  const std::string slot_key = known_user ? user : std::string();
  if (auto it = in_flight_.find(slot_key); it != in_flight_.end() && --it->second <= 0) in_flight_.erase(it);
  if (!success) return;
  entries_.erase(address_key(address));
  entries_.erase(user_key(user));
}

std::chrono::milliseconds login_throttle::admit_wait(const std::string& address, const std::string& user,
                                                     clock::time_point now) {
  std::lock_guard lock(mutex_);
  clock::time_point until{};
  for (const auto& key : {address_key(address), user_key(user)})
    if (auto it = entries_.find(key); it != entries_.end()) until = std::max(until, it->second.locked_until);
  if (until <= now) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(until - now);
}

int login_throttle::address_attempts(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(address_key(address));
  return it == entries_.end() ? 0 : it->second.attempts;
}

int login_throttle::user_attempts(const std::string& user) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(user_key(user));
  return it == entries_.end() ? 0 : it->second.attempts;
}

void login_throttle::prune(clock::time_point now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.locked_until <= now && now - it->second.last_attempt > std::chrono::minutes(1))
      it = entries_.erase(it);
    else
      ++it;
  }
  // Still full (a flood from many addresses): drop the oldest.
  while (!entries_.empty() && entries_.size() + 2 > max_keys_) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      return a.second.last_attempt < b.second.last_attempt;
    });
    entries_.erase(oldest);
  }
}

}  // namespace leoflow::auth
