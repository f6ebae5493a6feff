// Serving the embedded bundle: types, ETags, gzip negotiation, caching.
#include "server/ui/static_assets.hpp"

#include <algorithm>
#include <cctype>

#include "common/hash.hpp"

namespace leoflow::ui {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The q value of one Accept-Encoding element ("gzip;q=0.5" → 0.5).
double quality(std::string_view params) {
  auto q = params.find("q=");
  if (q == std::string_view::npos) return 1.0;
  try {
    return std::stod(std::string(params.substr(q + 2)));
  } catch (const std::exception&) {
    return 0.0;
  }
}

bool etag_matches(const std::string* if_none_match, const std::string& etag) {
  if (!if_none_match) return false;
  std::string_view rest = *if_none_match;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = trim(rest.substr(0, comma));
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::string content_type_for(std::string_view path) {
  static const std::pair<std::string_view, std::string_view> types[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  const auto name = lower(path);
  for (const auto& [suffix, type] : types)
    if (ends_with(name, suffix)) return std::string(type);
  return "application/octet-stream";
}

bool accepts_gzip(std::string_view accept_encoding) {
  std::optional<double> gzip, any;
  std::string_view rest = accept_encoding;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = trim(rest.substr(0, comma));
    auto semi = item.find(';');
    auto coding = lower(trim(item.substr(0, semi)));
    const double q = semi == std::string_view::npos ? 1.0 : quality(item.substr(semi + 1));
    if (coding == "gzip" || coding == "x-gzip") gzip = q;
    if (coding == "*") any = q;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (gzip) return *gzip > 0;
  return any && *any > 0;
}

void add_page_security_headers(http::response& res) {
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("Referrer-Policy", "same-origin");
}

static_assets::static_assets(std::span<const embedded::file> files) {
  std::map<std::string, std::string_view, std::less<>> gz;
  for (const auto& f : files) {
    if (ends_with(f.path, ".gz")) gz.emplace(f.path.substr(0, f.path.size() - 3), f.data);
  }
  for (const auto& f : files) {
    if (ends_with(f.path, ".gz")) continue;
    asset a;
    a.data = f.data;
    if (auto it = gz.find(f.path); it != gz.end()) a.gzip_data = it->second;
    a.content_type = content_type_for(f.path);
    a.etag = "\"" + sha256_hex(f.data).substr(0, 32) + "\"";
    a.immutable = f.path.substr(0, 7) == "assets/";
    a.html = ends_with(f.path, ".html");
    assets_.emplace(std::string(f.path), std::move(a));
  }
}

const asset* static_assets::find(std::string_view path) const {
  auto it = assets_.find(path);
  return it == assets_.end() ? nullptr : &it->second;
}

http::response static_assets::serve(const http::request& req, const asset& a) const {
  http::response res;
  res.content_type = a.content_type;
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Cache-Control", a.immutable ? "public, max-age=31536000, immutable"
                                            : a.html    ? "no-store"
                                                        : "no-cache");
  if (!a.html) res.headers.emplace_back("ETag", a.etag);
  if (!a.gzip_data.empty()) res.headers.emplace_back("Vary", "Accept-Encoding");
  if (a.html) add_page_security_headers(res);

  if (!a.html && etag_matches(req.header("If-None-Match"), a.etag)) {
    res.status = 304;
    return res;
  }
  const auto* accept = req.header("Accept-Encoding");
  if (!a.gzip_data.empty() && accept && accepts_gzip(*accept)) {
    res.headers.emplace_back("Content-Encoding", "gzip");
    res.body = std::string(a.gzip_data);
  } else {
    res.body = std::string(a.data);
  }
  return res;
}

}  // namespace leoflow::ui
