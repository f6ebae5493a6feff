// Host allow-list, same-origin and JSON-only rules for requests a browser
// page could forge.
#include "server/auth/host_policy.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace leoflow::auth {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && lower(a) == lower(b);
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// A client-chosen value quoted in a detail: bounded and printable.
std::string quoted(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 100)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  if (text.size() > 100) out += "…";
  return out;
}

std::optional<unsigned short> parse_port(std::string_view digits) {
  if (digits.empty() || digits.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return static_cast<unsigned short>(value);
}

bool has_body(const http::request& req) {
  if (req.header("Transfer-Encoding")) return true;
  const auto* length = req.header("Content-Length");
  return length && *length != "0";
}

bool is_json_type(std::string_view type) {
  const auto semi = type.find(';');
  auto media = type.substr(0, semi);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  return iequals(media, "application/json");
}

// "name" matches itself; "*.example.com" matches any name ending in
// ".example.com". A port in the entry must match too.
bool matches_allowed(const host_port& h, std::string_view entry) {
  auto wanted = split_host(entry.starts_with("*.") ? entry.substr(2) : entry);
  if (!wanted) return false;
  if (wanted->port && h.port != wanted->port) return false;
  if (entry.starts_with("*."))
    return h.name.size() > wanted->name.size() + 1 && h.name.ends_with("." + wanted->name);
  return h.name == wanted->name;
}

}  // namespace

std::optional<host_port> split_host(std::string_view host) {
  host_port out;
  std::string_view rest;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos || close < 2) return std::nullopt;
    for (char c : host.substr(1, close - 1))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return std::nullopt;
    out.name = lower(host.substr(0, close + 1));
    rest = host.substr(close + 1);
  } else {
    const auto colon = host.find(':');
    const auto name = host.substr(0, colon);
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_name_char)) return std::nullopt;
    out.name = lower(name);
    rest = colon == std::string_view::npos ? std::string_view{} : host.substr(colon);
  }
  if (rest.empty()) return out;
  if (rest.front() != ':') return std::nullopt;
  out.port = parse_port(rest.substr(1));
  if (!out.port) return std::nullopt;
  return out;
}

bool is_loopback_name(std::string_view name) {
  if (name == "localhost" || name == "[::1]") return true;
  // Four decimal octets without leading zeros (some resolvers read those as
  // octal), the first one 127.
  int octets = 0;
  int first = -1;
  std::size_t start = 0;
  while (start <= name.size()) {
    auto dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    const auto part = name.substr(start, dot - start);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part.front() == '0')) return false;
    int value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    if (octets == 0) first = value;
    ++octets;
    start = dot + 1;
    if (dot == name.size()) break;
  }
  return octets == 4 && first == 127;
}

std::optional<http::response> check_host(const http::request& req, const host_rules& rules, bool login) {
  const auto* host = req.header("Host");
  if (!host || host->empty()) return http::error(400, "Bad Request: the Host header is required");
  const auto h = split_host(*host);
  if (!h) return http::error(400, fmt::format("Bad Request: Host '{}' is not a host name", quoted(*host)));
  const bool own_port = !h->port || rules.port == 0 || *h->port == rules.port;
  if (is_loopback_name(h->name) && own_port) return std::nullopt;
  if (login) {
    for (const auto& name : rules.own_names)
      if (h->name == name && own_port) return std::nullopt;
    for (const auto& entry : rules.allowed)
      if (matches_allowed(*h, entry)) return std::nullopt;
    return http::error(403, fmt::format("Forbidden: Host '{}' is not a name this server answers to; "
                                        "start it with --allowed-host {} (listen.allowed_hosts in server.yaml) "
                                        "if that is how it is reached",
                                        quoted(*host), quoted(h->name)));
  }
  return http::error(403, fmt::format(
      "Forbidden: Host '{}' does not name this server. Without a login Lite answers only requests "
      "addressed to localhost, 127.0.0.1 or [::1] on port {}, so a web page cannot reach it through "
      "DNS rebinding; run `leoflow setup` for a login and --allowed-host NAME to use another name",
      quoted(*host), rules.port));
}

std::optional<http::response> check_same_origin_json(const http::request& req) {
  if (const auto* site = req.header("Sec-Fetch-Site"); site && *site != "same-origin" && *site != "none")
    return http::error(403, fmt::format("Forbidden: without a login, changes are accepted only from Lite's "
                                        "own pages (Sec-Fetch-Site: {})",
                                        quoted(*site)));
  if (const auto* origin = req.header("Origin")) {
    const std::string_view o = *origin;
    const auto* host = req.header("Host");
    const auto scheme_end = o.find("://");
    const bool same = host && scheme_end != std::string_view::npos &&
                      (iequals(o.substr(0, scheme_end), "http") || iequals(o.substr(0, scheme_end), "https")) &&
                      iequals(o.substr(scheme_end + 3), *host);
    if (!same)
      return http::error(403, fmt::format("Forbidden: without a login, changes are accepted only from Lite's "
                                          "own pages (Origin: {})",
                                          quoted(o)));
  }
  if (req.path.starts_with("/auth/")) return std::nullopt;
  const auto* type = req.header("Content-Type");
  if ((has_body(req) || type) && !(type && is_json_type(*type)))
    return http::error(415, "Unsupported Media Type: send the request body as JSON "
                            "(Content-Type: application/json)");
  return std::nullopt;
}

std::optional<std::string> normalize_allowed_host(std::string_view entry) {
  const bool wildcard = entry.starts_with("*.");
  auto h = split_host(wildcard ? entry.substr(2) : entry);
  if (!h || h->name.empty() || h->name.front() == '.' || h->name.back() == '.') return std::nullopt;
  std::string out = (wildcard ? "*." : "") + h->name;
  if (h->port) out += ":" + std::to_string(*h->port);
  return out;
}

}  // namespace leoflow::auth
