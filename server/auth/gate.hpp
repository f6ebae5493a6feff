// The login in front of the HTTP server. Every request must name this server
// in its Host (no DNS rebinding). When config.yaml has an admin, every route
// but the login endpoints, /api/v2/monitor/health and /api/v2/version needs a
// valid token (Authorization: Bearer, or the browser's HttpOnly cookie plus a
// CSRF header for state changes); without one it is no-auth, bound to
// loopback, and state changes must be same-origin JSON. The config is re-read
// when it changes on disk, so a reset password is accepted (and older tokens
// refused) at once; a sign-out ends its token through the deny-list.
// Thread-safe: the filter runs on every session's strand, on the headers
// alone (before the body is read).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <boost/asio/thread_pool.hpp>

#include "server/auth/auth_config.hpp"
#include "server/auth/host_policy.hpp"
#include "server/auth/jwt.hpp"
#include "server/auth/login_throttle.hpp"
#include "server/auth/token_revocations.hpp"
#include "server/http/message.hpp"
#include "server/http/router.hpp"

namespace leoflow {
class console;
}

namespace leoflow::auth {

// config.yaml cannot be used; the message names the key at fault.
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::string_view session_cookie = "leoflow_session";
inline constexpr std::string_view csrf_cookie = "leoflow_csrf";
inline constexpr std::string_view csrf_header = "X-CSRF-Token";
// Set by the gate on every request that reaches a handler: who it is (empty
// with no-auth). A client's own value is always dropped.
inline constexpr std::string_view user_header = "X-Leoflow-User";

// Who a request comes from, when its credentials hold.
struct identity {
  std::string username;
  role user_role = role::viewer;
  token_claims claims;
  bool from_cookie = false;
};

class gate {
 public:
  // Reads `config_file` (absent: no-auth). Throws config_error.
  gate(std::filesystem::path config_file, console& out);
  ~gate();

  gate(const gate&) = delete;
  gate& operator=(const gate&) = delete;

  // Whether a login is required now.
  bool enabled();

  // The address to listen on for `requested`: loopback unless an admin is
  // configured (printing a warning when it overrides the request). Once a
  // non-loopback address is chosen, the login stays required even if the
  // config later loses its admin.
  std::string binding_host(const std::string& requested);

  // Names (besides loopback ones) a client may use in Host with a login:
  // normalized --allowed-host entries (see normalize_allowed_host).
  void allow_hosts(std::vector<std::string> hosts);

  // The deny-list sign-outs feed and every token is checked against; without
  // one a sign-out only clears the browser's cookies.
  void use_revocations(token_revocations& revocations);

  // After listening: records the port and addresses the Host check accepts,
  // then prints the reachable URLs for a wildcard address and the
  // trusted-network warning, or the no-auth warning.
  void announce(const std::string& address, unsigned short port);

  // /auth/token, /auth/login, /auth/logout, /auth/me and Airflow's
  // /api/v2/auth/login|logout.
  void add_routes(http::router& r);

  // For http::server::set_filter: a response (401/403/429) instead of the
  // handler, or nullopt to go on.
  std::optional<http::response> filter(http::request& req);

  // The identity behind the request's credentials; nullopt with `problem`
  // set when there are none or they do not hold.
  std::optional<identity> authenticate(const http::request& req, std::string& problem);

 private:
  struct snapshot {
    std::optional<auth_config> config;  // nullopt: no config file
    std::string key;                    // the signing key (binary)
  };
  struct file_stamp {
    bool exists = false;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    timespec mtime{}, ctime{};
    bool operator==(const file_stamp& o) const;
  };

  std::shared_ptr<const snapshot> current();
  std::shared_ptr<const host_rules> rules();
  static std::shared_ptr<const snapshot> load(const std::filesystem::path& file);

  boost::asio::awaitable<http::response> login(http::request& req, bool browser);
  http::response logout(const http::request& req, bool json);
  http::response issue_cookies(http::response res, const http::request& req, const identity& who,
                               const std::string& token);

  std::filesystem::path config_file_;
  console& out_;
  std::mutex mutex_;
  file_stamp stamp_;
  std::shared_ptr<const snapshot> snapshot_;
  bool always_enforce_ = false;
  std::vector<std::string> allowed_hosts_;
  std::shared_ptr<const host_rules> rules_ = std::make_shared<host_rules>();
  token_revocations* revocations_ = nullptr;
  login_throttle throttle_;
  boost::asio::thread_pool hashing_{1};  // argon2id checks, one at a time (64 MiB each)
};

}  // namespace leoflow::auth
