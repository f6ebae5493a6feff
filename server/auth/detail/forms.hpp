// Small HTTP pieces the login needs: cookies in and out, urlencoded forms,
// and credentials from a JSON or form body.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "server/http/message.hpp"

namespace leoflow::auth::detail {

// name → value of the Cookie header; the first of duplicate names wins.
std::map<std::string, std::string> parse_cookies(const http::request& req);

// application/x-www-form-urlencoded; nullopt for malformed escapes.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(std::string_view text);

struct credentials {
  std::string username;
  std::string password;
  std::string next;  // form logins: where to go afterwards
  bool json = false;
};

// Reads username/password from a JSON object or a form, as Airflow's simple
// auth manager does; nullopt with a 422 (or 400) in `problem` otherwise. The
// password is never echoed into the problem.
std::optional<credentials> read_credentials(const http::request& req, std::optional<http::response>& problem);

// `Set-Cookie` value; max_age 0 removes the cookie.
std::string cookie(std::string_view name, std::string_view value, long long max_age, bool http_only,
                   bool secure);

}  // namespace leoflow::auth::detail
