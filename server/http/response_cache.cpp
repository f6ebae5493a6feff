// The response cache: which requests qualify, the key, ETags, and the LRU.
#include "server/http/response_cache.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace leoflow::http {

namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Room an entry takes besides its strings (list node, index slot, headers).
constexpr std::size_t entry_overhead = 256;

std::string etag_for(std::string_view body) {
  // Content-addressed, so an answer rebuilt after an unrelated commit keeps
  // its tag and a polling client still gets 304.
  return fmt::format("\"{:016x}-{:x}\"", std::hash<std::string_view>{}(body), body.size());
}

response not_modified(std::string etag) {
  response res;
  res.status = 304;
  res.content_type.clear();
  res.headers.emplace_back("ETag", std::move(etag));
  res.headers.emplace_back("Cache-Control", "private, no-cache");
  return res;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    auto tag = trim(if_none_match.substr(0, comma));
    if_none_match = comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
    if (tag == "*") return true;
    if (starts_with(tag, "W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

response_cache::response_cache(std::function<cache_stamp()> stamp, std::size_t capacity_bytes,
                               std::vector<std::string> vary)
    : stamp_(std::move(stamp)), capacity_(capacity_bytes), vary_(std::move(vary)) {}

bool response_cache::cacheable(const request& req) {
  if (req.method != "GET" || !starts_with(req.path, "/api/v2/")) return false;
  // Live state read outside the store, or answers that must never be kept.
  static constexpr std::string_view bypass[] = {"/api/v2/ide/", "/api/v2/monitor/", "/api/v2/auth/",
                                                "/api/v2/version"};
  for (auto prefix : bypass)
    if (starts_with(req.path, prefix)) return false;
  // Task logs are files that grow while a try runs.
  return req.path.find("/logs/") == std::string::npos;
}

std::string response_cache::key_of(const request& req) const {
  std::string key = req.method;
  key += ' ';
  key += req.target;
  for (const auto& name : vary_) {
    key += '\n';
    if (const auto* value = req.header(name)) key += *value;
  }
  return key;
}

boost::asio::awaitable<response> response_cache::serve(request& req, const handler& h) {
  if (!cacheable(req)) {
    auto running = h(req);
    co_return co_await std::move(running);
  }
  // Taken before the handler reads: a commit while it runs makes the answer
  // older than the store, and it is then never served again.
  const auto built_at = stamp_();
  const auto key = key_of(req);
  const auto* if_none_match = req.header("If-None-Match");

  response res;
  if (find(key, built_at, res)) {
    const auto& etag = res.headers.back().second;
    if (if_none_match && etag_matches(*if_none_match, etag)) co_return not_modified(etag);
    co_return res;
  }

  auto running = h(req);
  res = co_await std::move(running);
  const bool sets_cookie = std::any_of(res.headers.begin(), res.headers.end(),
                                       [](const auto& f) { return f.first == "Set-Cookie"; });
  if (res.status != 200 || res.stream || sets_cookie) co_return res;

  auto etag = etag_for(res.body);
  if (if_none_match && etag_matches(*if_none_match, etag)) {
    keep(key, built_at, res, etag);
    co_return not_modified(std::move(etag));
  }
  keep(key, built_at, res, etag);
  res.headers.emplace_back("Cache-Control", "private, no-cache");
  res.headers.emplace_back("ETag", std::move(etag));
  co_return res;
}

bool response_cache::find(const std::string& key, const cache_stamp& stamp, response& out) {
  std::shared_ptr<const std::string> body;
  {
    std::lock_guard lock(mutex_);
    if (!(stamp == newest_)) return false;
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    lru_.splice(lru_.begin(), lru_, it->second);
    const auto& e = *it->second;
    out.content_type = e.content_type;
    out.headers = e.headers;
    body = e.body;
  }
  out.body = *body;
  return true;
}

void response_cache::keep(const std::string& key, const cache_stamp& built_at, const response& res,
                          const std::string& etag) {
  entry e;
  e.key = key;
  e.content_type = res.content_type;
  e.headers = res.headers;
  e.headers.emplace_back("Cache-Control", "private, no-cache");
  e.headers.emplace_back("ETag", etag);  // last: find() reads it from there
  e.bytes = key.size() + res.body.size() + res.content_type.size() + entry_overhead;
  for (const auto& [k, v] : e.headers) e.bytes += k.size() + v.size();
  if (e.bytes > capacity_ / 4) return;  // one answer must not flush all the others
  e.body = std::make_shared<const std::string>(res.body);

  const auto now = stamp_();
  if (!(built_at == now)) return;  // the store moved on while the handler ran
  std::lock_guard lock(mutex_);
  if (!(now == newest_)) {
    // Every kept answer predates this commit: none can be served again.
    index_.clear();
    lru_.clear();
    bytes_ = 0;
    newest_ = now;
  }
  if (auto old = index_.find(key); old != index_.end()) drop(old->second);
  lru_.push_front(std::move(e));
  index_.emplace(lru_.front().key, lru_.begin());
  bytes_ += lru_.front().bytes;
  while (bytes_ > capacity_ && !lru_.empty()) drop(std::prev(lru_.end()));
}

void response_cache::drop(lru_list::iterator it) {
  bytes_ -= it->bytes;
  index_.erase(it->key);
  lru_.erase(it);
}

std::size_t response_cache::size_bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t response_cache::entries() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

}  // namespace leoflow::http
