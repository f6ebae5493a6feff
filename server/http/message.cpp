// Response helpers and percent-decoding.
#include "server/http/message.hpp"

#include <strings.h>

#include <boost/json/serialize.hpp>

namespace leoflow::http {

namespace {

// Well-formed UTF-8 (RFC 3629): no overlong forms, surrogates or code points
// past U+10FFFF. Decoded text is echoed into JSON, which must be UTF-8.
bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    unsigned char low = 0x80, high = 0xBF;  // bounds of the second byte
    if (c < 0x80) extra = 0;
    else if (c >= 0xC2 && c <= 0xDF) extra = 1;
    else if (c == 0xE0) extra = 2, low = 0xA0;
    else if (c == 0xED) extra = 2, high = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF) extra = 2;
    else if (c == 0xF0) extra = 3, low = 0x90;
    else if (c == 0xF4) extra = 3, high = 0x8F;
    else if (c >= 0xF1 && c <= 0xF3) extra = 3;
    else return false;
    if (i + extra >= text.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if (k == 1 ? (b < low || b > high) : (b < 0x80 || b > 0xBF)) return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace

bool header_less::operator()(std::string_view a, std::string_view b) const {
  const auto n = std::min(a.size(), b.size());
  const int c = ::strncasecmp(a.data(), b.data(), n);
  return c < 0 || (c == 0 && a.size() < b.size());
}

const std::string* request::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? nullptr : &it->second;
}

response error(int status, std::string_view detail) {
  boost::json::object body;
  body["detail"] = detail;
  return json(status, body);
}

response json(int status, const boost::json::value& body) {
  response r;
  r.status = status;
  r.body = boost::json::serialize(body);
  return r;
}

response json(const boost::json::value& body) { return json(200, body); }

response no_content() {
  response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  if (!is_utf8(out)) return std::nullopt;
  return out;
}

}  // namespace leoflow::http
