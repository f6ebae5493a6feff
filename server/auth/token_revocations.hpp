// Tokens ended before they expire (sign-out): a deny-list of token ids kept
// in memory and written through to the store by the `persist` hook, so a
// restart still refuses them. Entries go once their token would have
// expired anyway. Thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace leoflow::auth {

class token_revocations {
 public:
  using persist_fn = std::function<void(const std::string& token_id, long long expires_at)>;

  // Starts from what the store holds ((token id, expires_at) pairs).
  void load(const std::vector<std::pair<std::string, long long>>& rows, long long now);
  // Called on every new revocation (the engine writes it to the store).
  void on_revoke(persist_fn persist);

  void revoke(const std::string& token_id, long long expires_at, long long now);
  bool revoked(std::string_view token_id) const;
  std::size_t size() const;

 private:
  void prune(long long now);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, long long> ids_;  // token id -> expires_at
  persist_fn persist_;
};

}  // namespace leoflow::auth
