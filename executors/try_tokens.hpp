// The tokens a try talks back to the execution API with: "<ti_id>.<try>.
// <expiry>.<mac>", an HMAC over the rest with a key kept in LEOFLOW_HOME
// (so the tries of pods adopted after a restart keep theirs). A token names
// one try and nothing else; whether that try is still running is for the
// executor to say.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace leoflow::executors {

struct try_identity {
  std::int64_t ti_id = 0;
  int try_number = 0;
};

class try_tokens {
 public:
  // Reads the key from `key_file`, creating it (0600) when missing; throws
  // std::runtime_error when it can do neither.
  explicit try_tokens(const std::filesystem::path& key_file);
  // A key given directly (tests); at least 32 bytes.
  static try_tokens from_key(std::string key);

  std::string issue(try_identity id, std::chrono::system_clock::time_point expires) const;
  // The try a token names, if its MAC is right and it has not expired.
  std::optional<try_identity> verify(std::string_view token,
                                     std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

 private:
  try_tokens() = default;
  std::string mac(std::string_view payload) const;
  std::string key_;
};

}  // namespace leoflow::executors
