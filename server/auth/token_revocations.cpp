// The sign-out deny-list.
#include "server/auth/token_revocations.hpp"

namespace leoflow::auth {

void token_revocations::load(const std::vector<std::pair<std::string, long long>>& rows, long long now) {
  std::lock_guard lock(mutex_);
  for (const auto& [id, expires_at] : rows)
    if (expires_at > now) ids_[id] = expires_at;
}

void token_revocations::on_revoke(persist_fn persist) {
  std::lock_guard lock(mutex_);
  persist_ = std::move(persist);
}

void token_revocations::revoke(const std::string& token_id, long long expires_at, long long now) {
  persist_fn persist;
  {
    std::lock_guard lock(mutex_);
    if (token_id.empty() || expires_at <= now || ids_.count(token_id)) return;
    prune(now);
    ids_[token_id] = expires_at;
    persist = persist_;
  }
  if (persist) persist(token_id, expires_at);
}

bool token_revocations::revoked(std::string_view token_id) const {
  std::lock_guard lock(mutex_);
  return ids_.count(std::string(token_id)) > 0;
}

std::size_t token_revocations::size() const {
  std::lock_guard lock(mutex_);
  return ids_.size();
}

void token_revocations::prune(long long now) {
  std::erase_if(ids_, [now](const auto& entry) { return entry.second <= now; });
}

}  // namespace leoflow::auth
