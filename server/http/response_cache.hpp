// GET answers of /api/v2 kept per store generation: a repeated read is served
// from memory until a commit changes the store, and `If-None-Match` with the
// answer's ETag gets 304. Bounded by bytes, least recently used first out.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "server/http/message.hpp"
#include "server/http/router.hpp"

namespace leoflow::http {

// What an answer was built from. Two stamps are the same when nothing a
// handler reads has changed between them.
struct cache_stamp {
  std::uint64_t store_generation = 0;
  // A snapshot of other inputs (the secret masker); entries hold it so its
  // address cannot be reused by a newer one while they live.
  std::shared_ptr<const void> pinned;

  bool operator==(const cache_stamp& o) const {
    return store_generation == o.store_generation && pinned.get() == o.pinned.get();
  }
};

// Whether an ETag header value (a list, or "*") names `etag`; weak tags match.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

// Thread-safe: sessions on every strand share one cache.
class response_cache {
 public:
  // `vary`: request headers whose value changes the answer (who asks, what
  // it accepts); each is part of the key.
  response_cache(std::function<cache_stamp()> stamp, std::size_t capacity_bytes,
                 std::vector<std::string> vary);

  // Whether answers to this request may be kept: GET under /api/v2, except
  // what changes without a commit (health, logs, the IDE's files) and the
  // sign-in endpoints.
  static bool cacheable(const request& req);

  // The handler's answer, or the kept one when the stamp has not moved;
  // 304 when If-None-Match names its ETag.
  boost::asio::awaitable<response> serve(request& req, const handler& h);

  std::size_t size_bytes() const;
  std::size_t entries() const;

 private:
  struct entry {
    std::string key;
    std::string etag;
    std::string content_type;
    std::shared_ptr<const std::string> body;  // copied out after the lock
    std::vector<std::pair<std::string, std::string>> headers;
    std::size_t bytes = 0;
  };
  using lru_list = std::list<entry>;

  std::string key_of(const request& req) const;
  bool find(const std::string& key, const cache_stamp& stamp, response& out);
  void keep(const std::string& key, const cache_stamp& built_at, const response& res, const std::string& etag);
  void drop(lru_list::iterator it);

  std::function<cache_stamp()> stamp_;
  std::size_t capacity_;
  std::vector<std::string> vary_;
  mutable std::mutex mutex_;
  cache_stamp newest_;  // every entry was built at this stamp
  lru_list lru_;  // most recently used first
  std::unordered_map<std::string_view, lru_list::iterator> index_;
  std::size_t bytes_ = 0;
};

}  // namespace leoflow::http
