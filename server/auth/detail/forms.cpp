// Cookies, forms and credentials.
#include "server/auth/detail/forms.hpp"

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include "server/http/params.hpp"

namespace leoflow::auth::detail {

namespace bj = boost::json;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool starts_with_icase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

}  // namespace

std::map<std::string, std::string> parse_cookies(const http::request& req) {
  std::map<std::string, std::string> out;
  const auto* header = req.header("Cookie");
  if (!header) return out;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    auto pair = trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    auto value = trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    out.emplace(std::string(trim(pair.substr(0, eq))), std::string(value));
  }
  return out;
}

std::optional<std::map<std::string, std::string>> parse_form(std::string_view body) {
  std::map<std::string, std::string> out;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const auto pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = http::percent_decode(pair.substr(0, eq), true);
    auto value = http::percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key || !value) return std::nullopt;
    out.emplace(std::move(*key), std::move(*value));
  }
  return out;
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::optional<credentials> read_credentials(const http::request& req, std::optional<http::response>& problem) {
  credentials c;
  const auto* type = req.header("Content-Type");
  const bool form = type && starts_with_icase(*type, "application/x-www-form-urlencoded");
  if (!form) {
    c.json = true;
    boost::system::error_code ec;
    auto parsed = bj::parse(req.body, ec);
    if (ec || !parsed.is_object()) {
      http::validation v;
      v.add(ec ? "json_invalid" : "model_attributes_type", {"body"},
            ec ? "JSON decode error" : "Input should be a valid dictionary or object", nullptr);
      problem = v.error_response();
      return std::nullopt;
    }
    const auto& o = parsed.as_object();
    http::validation v;
    for (const char* field : {"username", "password"}) {
      auto it = o.find(field);
      if (it == o.end())
        v.add("missing", {"body", field}, "Field required", nullptr);
      else if (!it->value().is_string())
        v.add("string_type", {"body", field}, "Input should be a valid string", nullptr);
    }
    if (!v.ok()) {
      problem = v.error_response();
      return std::nullopt;
    }
    c.username = std::string(o.at("username").as_string());
    c.password = std::string(o.at("password").as_string());
    if (auto it = o.find("next"); it != o.end() && it->value().is_string()) c.next = std::string(it->value().as_string());
    return c;
  }
  auto fields = parse_form(req.body);
  if (!fields) {
    problem = http::error(400, "Malformed form body");
    return std::nullopt;
  }
  http::validation v;
  for (const char* field : {"username", "password"})
    if (!fields->count(field)) v.add("missing", {"body", field}, "Field required", nullptr);
  if (!v.ok()) {
    problem = v.error_response();
    return std::nullopt;
  }
  c.username = (*fields)["username"];
  c.password = (*fields)["password"];
  c.next = (*fields)["next"];
  return c;
}

std::string cookie(std::string_view name, std::string_view value, long long max_age, bool http_only,
                   bool secure) {
  return fmt::format("{}={}; Path=/; Max-Age={}; SameSite=Strict{}{}", name, value, max_age,
                     http_only ? "; HttpOnly" : "", secure ? "; Secure" : "");
}

}  // namespace leoflow::auth::detail
