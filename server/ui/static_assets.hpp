// The embedded UI bundle as servable assets: content types, ETags, the
// precompressed .gz twin of a file, and the caching policy (hashed files
// under assets/ are immutable, index.html is never stored).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "common/embedded.hpp"
#include "server/http/message.hpp"

namespace leoflow::ui {

struct asset {
  std::string_view data;
  std::string_view gzip_data;  // empty when the build made no .gz twin
  std::string content_type;
  std::string etag;
  bool immutable = false;  // a content-hashed name: cache forever
  bool html = false;
};

class static_assets {
 public:
  explicit static_assets(std::span<const embedded::file> files);

  // `path` relative to the bundle root, without a leading '/'.
  const asset* find(std::string_view path) const;
  const asset* index() const { return find("index.html"); }
  bool empty() const { return assets_.empty(); }

  // The response for a GET or HEAD of `a`: 304 when the ETag matches, the
  // gzip twin when the client accepts it.
  http::response serve(const http::request& req, const asset& a) const;

 private:
  std::map<std::string, asset, std::less<>> assets_;
};

std::string content_type_for(std::string_view path);

// True when an Accept-Encoding value allows gzip (q=0 refuses it).
bool accepts_gzip(std::string_view accept_encoding);

// Headers every UI page carries: a strict Content-Security-Policy (no inline
// scripts, nothing from other origins) and its companions.
void add_page_security_headers(http::response& res);

}  // namespace leoflow::ui
