// Failed logins per client address: the first few are free, then each
// failure locks the address out for a delay that doubles up to a cap. A
// locked-out address is answered 429 without its password being checked.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "server/auth/auth_config.hpp"

namespace leoflow::auth {

class login_throttle {
 public:
  using clock = std::chrono::steady_clock;

  explicit login_throttle(std::size_t max_addresses = 10000) : max_addresses_(max_addresses) {}

  // How long `address` must still wait; nullopt when it may try now.
  std::optional<std::chrono::milliseconds> retry_after(const std::string& address, clock::time_point now);

  // Records a failure; returns the lock-out it starts (zero while the free
  // attempts last).
  std::chrono::milliseconds failed(const std::string& address, const throttle_settings& settings,
                                   clock::time_point now);

  // A successful login forgets the address's failures.
  void succeeded(const std::string& address);

  // How many failures in a row `address` has.
  int failures(const std::string& address);

 private:
  struct entry {
    int failures = 0;
    clock::time_point locked_until{};
    clock::time_point last_failure{};
  };
  void prune(clock::time_point now);

  std::mutex mutex_;
  std::map<std::string, entry> entries_;
  std::size_t max_addresses_;
};

}  // namespace leoflow::auth
