// Sign-in attempts per client address and per user name: each attempt is
// counted when it is admitted, before its password is checked, so N
// concurrent guesses cost N attempts. The first few are free, then each
// attempt locks the key out for a delay that doubles up to a cap; a user's
// name gets four times the free attempts of one address (it is guessed from
// many). At most `max_in_flight` checks per user (unknown names share one
// slot group) queue for the hashing thread, so a flood aimed at one name, or
// at names that do not exist, cannot starve other users' sign-ins.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "server/auth/auth_config.hpp"

namespace leoflow::auth {

class login_throttle {
 public:
  using clock = std::chrono::steady_clock;

  struct decision {
    bool admitted = false;
    // When refused: how long to wait (zero: checks are already running for
    // this user; try again in a moment).
    std::chrono::milliseconds retry_after{0};
  };

  explicit login_throttle(std::size_t max_keys = 10000, int max_in_flight = 2)
      : max_keys_(max_keys), max_in_flight_(max_in_flight) {}

  // Admits an attempt by `address` for `user` (counting it) or refuses it.
  // `known_user` says whether the name exists: unknown names share their
  // in-flight slots. Every admitted attempt must be followed by finished().
  decision admit(const std::string& address, const std::string& user, bool known_user,
                 const throttle_settings& settings, clock::time_point now);

  // The admitted attempt's check is over; a success forgets the failures of
  // its address and user.
  void finished(const std::string& address, const std::string& user, bool known_user, bool success);

  // How long the next attempt by `address` for `user` would have to wait
  // (zero when it would be admitted as far as lock-outs go).
  std::chrono::milliseconds admit_wait(const std::string& address, const std::string& user,
                                       clock::time_point now);

  // Attempts counted against an address or a user name since the last
  // success (for tests and the log line).
  int address_attempts(const std::string& address);
  int user_attempts(const std::string& user);

 private:
  struct entry {
    int attempts = 0;
    clock::time_point locked_until{};
    clock::time_point last_attempt{};
  };
  void count(entry& e, int free_attempts, const throttle_settings& settings, clock::time_point now);
  void prune(clock::time_point now);
  entry& slot(const std::string& key, clock::time_point now);

  std::mutex mutex_;
  std::map<std::string, entry> entries_;      // "a:<address>" and "u:<user>"
  std::map<std::string, int> in_flight_;      // per user, or "" for unknown names
  std::size_t max_keys_;
  int max_in_flight_;
};

}  // namespace leoflow::auth
