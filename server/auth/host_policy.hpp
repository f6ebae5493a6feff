// What a web page in the developer's browser must not be able to do: reach
// this server under a name that is not its own (DNS rebinding), and, with no
// login, change anything from another origin or with a body a cross-site form
// can send. The gate applies these before any handler runs. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/message.hpp"

namespace leoflow::auth {

// A Host header split into its name (lowercase; IPv6 keeps its brackets) and
// port; nullopt when it is not a well-formed host[:port].
struct host_port {
  std::string name;
  std::optional<unsigned short> port;
};
std::optional<host_port> split_host(std::string_view host);

// localhost, any dotted-quad address in 127.0.0.0/8, or [::1].
bool is_loopback_name(std::string_view name);

// The names this server answers to.
struct host_rules {
  unsigned short port = 0;  // the server's own port (0: not listening yet, any port)
  // With a login: the bound address, the machine's interface addresses when
  // bound to a wildcard, and its host name, with the server's port or none.
  std::vector<std::string> own_names;
  // With a login: `--allowed-host` entries, "name" (any port) or "name:port";
  // "*.example.com" matches every sub-domain.
  std::vector<std::string> allowed;
};

// 400 without a Host, 403 for one that does not name this server. With no
// login only loopback names pass.
std::optional<http::response> check_host(const http::request& req, const host_rules& rules, bool login);

// For state changes with no login: 403 when Origin or Sec-Fetch-Site says
// another site sent it, 415 when a body is not declared as JSON (routes under
// /auth/ read forms and are left to their own checks).
std::optional<http::response> check_same_origin_json(const http::request& req);

// An --allowed-host value as stored ("name" or "name:port", lowercase);
// nullopt when it is not a host name, an address or a "*." pattern.
std::optional<std::string> normalize_allowed_host(std::string_view entry);

}  // namespace leoflow::auth
