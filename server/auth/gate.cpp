// The gate: config cache keyed on the file's identity and times, the request
// filter, and the host-binding rules.
#include "server/auth/gate.hpp"


#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>

#include "common/console.hpp"
#include "server/auth/detail/forms.hpp"
#include "server/auth/login_page.hpp"

namespace leoflow::auth {

namespace fs = std::filesystem;

namespace {

// Reachable without a token, as in Airflow (health checks, version probes),
// plus the sign-in machinery. Exact paths only: anything else is guarded.
bool is_public(std::string_view path) {
  static constexpr std::string_view open[] = {
      "/auth/token",         "/auth/login",         "/auth/logout",
      "/auth/me",            "/api/v2/auth/login",  "/api/v2/auth/logout",
      "/api/v2/monitor/health", "/api/v2/version",
  };
  for (auto p : open)
    if (path == p) return true;
  return false;
}

bool is_safe_method(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

// A listen address that only this machine can reach.
bool is_loopback(const std::string& host) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return host == "localhost" || (!ec && address.is_loopback());
}

// The machine's own name, as a Host header would carry it.
std::string machine_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  std::string out(name);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_wildcard(const std::string& host) { return host == "0.0.0.0" || host == "::"; }

bool contains_icase(std::string_view text, std::string_view needle) {
  if (needle.size() > text.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    bool same = true;
    for (std::size_t j = 0; same && j < needle.size(); ++j)
      same = std::tolower(static_cast<unsigned char>(text[i + j])) ==
             std::tolower(static_cast<unsigned char>(needle[j]));
    if (same) return true;
  }
  return false;
}

// A page load in a browser (as opposed to a script or the UI's fetches):
// answered with the sign-in page rather than JSON.
bool is_navigation(const http::request& req) {
  if (req.method != "GET" && req.method != "HEAD") return false;
  for (std::string_view api : {"/api/", "/ui/", "/auth/"})
    if (req.path.rfind(api, 0) == 0) return false;
  const auto* accept = req.header("Accept");
  return accept && contains_icase(*accept, "text/html");
}

// Addresses of this machine's interfaces that are up, for the URLs printed
// when listening on a wildcard address.
std::vector<std::string> interface_addresses(bool include_v6) {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (auto* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || !(a->ifa_flags & IFF_UP) || (a->ifa_flags & IFF_LOOPBACK)) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (a->ifa_addr->sa_family == AF_INET) {
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof text);
      out.emplace_back(text);
    } else if (include_v6 && a->ifa_addr->sa_family == AF_INET6) {
      const auto* in6 = &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr;
      if (IN6_IS_ADDR_LINKLOCAL(in6)) continue;
      ::inet_ntop(AF_INET6, in6, text, sizeof text);
      out.push_back(fmt::format("[{}]", text));
    }
  }
  ::freeifaddrs(list);
  return out;
}

}  // namespace

bool gate::file_stamp::operator==(const file_stamp& o) const {
  return exists == o.exists && dev == o.dev && ino == o.ino && size == o.size &&
         mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec &&
         ctime.tv_sec == o.ctime.tv_sec && ctime.tv_nsec == o.ctime.tv_nsec;
}

gate::gate(fs::path config_file, console& out) : config_file_(std::move(config_file)), out_(out) {
  struct stat st {};
  if (::stat(config_file_.c_str(), &st) == 0) {
    stamp_ = {true, st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
    if (st.st_mode & 077)
      out_.warning(fmt::format("{} can be read by other users (mode {:04o}); it holds password hashes "
                               "and the token secret: chmod 600 {}",
                               config_file_.string(), st.st_mode & 07777, config_file_.string()));
  }
  snapshot_ = load(config_file_);
}

gate::~gate() { hashing_.join(); }

std::shared_ptr<const gate::snapshot> gate::load(const fs::path& file) {
  auto read = read_auth_config(file);
  if (auto* problem = std::get_if<config_problem>(&read)) throw config_error(problem->message);
  auto s = std::make_shared<snapshot>();
  s->config = std::get<std::optional<auth_config>>(std::move(read));
  if (s->config) s->key = key_from_hex(s->config->secret_key);
  return s;
}

std::shared_ptr<const gate::snapshot> gate::current() {
  file_stamp now;
  struct stat st {};
  if (::stat(config_file_.c_str(), &st) == 0) now = {true, st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
  std::lock_guard lock(mutex_);
  if (now == stamp_) return snapshot_;
  stamp_ = now;
  try {
    snapshot_ = load(config_file_);
    out_.info(fmt::format("login settings re-read from {}", config_file_.string()));
  } catch (const config_error& e) {
    // Keep serving with what was last good; say why once per change.
    out_.failure("the changed login settings cannot be used; keeping the previous ones", e.what());
  }
  return snapshot_;
}

bool gate::enabled() {
  auto s = current();
  std::lock_guard lock(mutex_);
  return always_enforce_ || (s->config && s->config->has_admin());
}

std::string gate::binding_host(const std::string& requested) {
  const std::string host = requested == "localhost" ? "127.0.0.1" : requested;
  if (is_loopback(host)) return host;
  if (enabled()) {
    std::lock_guard lock(mutex_);
    always_enforce_ = true;
    return host;
  }
  out_.warning(fmt::format(
      "no login is configured, so Lite stays on this machine: --host {} was changed to 127.0.0.1 "
      "(run `leoflow setup` to create an admin, or use `ssh -L 8088:localhost:8088 <host>`)",
      requested));
  return "127.0.0.1";
}

void gate::allow_hosts(std::vector<std::string> hosts) {
  std::lock_guard lock(mutex_);
  allowed_hosts_ = std::move(hosts);
  auto rules = std::make_shared<host_rules>(*rules_);
  rules->allowed = allowed_hosts_;
  rules_ = std::move(rules);
}

void gate::use_revocations(token_revocations& revocations) {
  std::lock_guard lock(mutex_);
  revocations_ = &revocations;
}

std::shared_ptr<const host_rules> gate::rules() {
  std::lock_guard lock(mutex_);
  return rules_;
}

void gate::announce(const std::string& address, unsigned short port) {
  {
    auto rules = std::make_shared<host_rules>();
    rules->port = port;
    rules->own_names.push_back(address.find(':') != std::string::npos ? "[" + address + "]" : address);
    if (is_wildcard(address))
      for (const auto& a : interface_addresses(address == "::")) rules->own_names.push_back(a);
    if (auto name = machine_name(); !name.empty()) rules->own_names.push_back(name);
    std::lock_guard lock(mutex_);
    rules->allowed = allowed_hosts_;
    rules_ = std::move(rules);
  }
  if (!enabled()) {
    if (!rules()->allowed.empty())
      out_.warning("--allowed-host is ignored without a login: only localhost, 127.0.0.1 and [::1] reach "
                   "Lite then (run `leoflow setup` to create an admin)");
    out_.warning("no login configured: the API and UI are open to anyone on this machine "
                 "(run `leoflow setup` to create an admin)");
    return;
  }
  auto s = current();
  std::size_t users = s->config ? s->config->users.size() : 0;
  out_.info(fmt::format("login required ({} user{} in {})", users, users == 1 ? "" : "s",
                        config_file_.string()));
  if (is_loopback(address)) return;
  if (is_wildcard(address)) {
    std::string urls = fmt::format("http://127.0.0.1:{}/", port);
    for (const auto& a : interface_addresses(address == "::")) urls += fmt::format("  http://{}:{}/", a, port);
    out_.info("reachable at " + urls);
  }
  out_.warning(fmt::format(
      "listening on {} beyond this machine: use this only on a trusted network, or keep 127.0.0.1 "
      "and tunnel with `ssh -L {}:localhost:{} <host>`",
      address, port, port));
}

std::optional<identity> gate::authenticate(const http::request& req, std::string& problem) {
  auto s = current();
  std::string token;
  bool from_cookie = false;
  if (const auto* authz = req.header("Authorization")) {
    std::string_view v = *authz;
    if (v.size() < 7 || !contains_icase(v.substr(0, 7), "bearer ")) {
      problem = "Unsupported Authorization scheme: send `Authorization: Bearer <token>` from POST /auth/token";
      return std::nullopt;
    }
    v.remove_prefix(7);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    token = std::string(v);
  } else {
    auto cookies = detail::parse_cookies(req);
    if (auto it = cookies.find(std::string(session_cookie)); it != cookies.end()) {
      token = it->second;
      from_cookie = true;
    }
  }
  if (token.empty()) {
    problem = "Not authenticated";
    return std::nullopt;
  }
  auto checked = verify_token(token, s->key, std::chrono::system_clock::now());
  if (auto* e = std::get_if<token_error>(&checked)) {
    problem = fmt::format("Invalid token: {}", describe(*e));
    return std::nullopt;
  }
  auto& claims = std::get<token_claims>(checked);
  token_revocations* revocations = nullptr;
  {
    std::lock_guard lock(mutex_);
    revocations = revocations_;
  }
  if (revocations && revocations->revoked(claims.token_id)) {
    problem = "Invalid token: it was ended by signing out; sign in again";
    return std::nullopt;
  }
  if (!s->config || !s->config->users.count(claims.subject)) {
    problem = "Invalid token: the user no longer exists";
    return std::nullopt;
  }
  const auto user = s->config->users.find(claims.subject);
  if (user->second.generation != claims.generation) {
    problem = "Invalid token: it was issued before the password was changed; sign in again";
    return std::nullopt;
  }
  identity who;
  who.username = claims.subject;
  who.user_role = user->second.user_role;
  who.claims = std::move(claims);
  who.from_cookie = from_cookie;
  return who;
}

std::optional<http::response> gate::filter(http::request& req) {
  req.headers.erase(std::string(user_header));
  const bool login = enabled();
  if (auto refused = check_host(req, *rules(), login)) return refused;
  if (!login) {
    // Only this machine reaches us, but any page in its browser can send
    // requests: a change must come from our own pages, as JSON.
    if (!is_safe_method(req.method)) return check_same_origin_json(req);
    return std::nullopt;
  }
  if (is_public(req.path)) return std::nullopt;
  std::string problem;
  auto who = authenticate(req, problem);
  if (!who) {
    if (is_navigation(req)) {
      const bool had_cookie = detail::parse_cookies(req).count(std::string(session_cookie)) > 0;
      auto page = login_page(401, req.target, had_cookie ? "Your session has ended; sign in again." : "");
      if (had_cookie) {
        page.headers.emplace_back("Set-Cookie", detail::cookie(session_cookie, "", 0, true, false));
        page.headers.emplace_back("Set-Cookie", detail::cookie(csrf_cookie, "", 0, false, false));
      }
      return page;
    }
    auto res = http::error(401, problem);
    res.headers.emplace_back("WWW-Authenticate", "Bearer");
    return res;
  }
  req.headers[std::string(user_header)] = who->username;
  if (is_safe_method(req.method)) return std::nullopt;
  if (who->user_role != role::admin)
    return http::error(403, fmt::format("Forbidden: user '{}' has the {} role, which cannot change anything",
                                        who->username, role_name(who->user_role)));
  if (who->from_cookie) {
    // Browsers attach cookies to cross-site requests too; a state change on
    // the strength of a cookie needs proof the page is ours.
    if (const auto* site = req.header("Sec-Fetch-Site"); site && *site == "cross-site")
      return http::error(403, "Forbidden: cross-site request");
    const auto* sent = req.header(csrf_header);
    const auto key = current()->key;
    const auto expected = hmac_base64url(key, "csrf:" + who->claims.token_id);
    if (!sent || !equal_constant_time(*sent, expected))
      return http::error(403, "CSRF token missing or incorrect: send the leoflow_csrf cookie's value "
                              "in the X-CSRF-Token header");
  }
  return std::nullopt;
}

}  // namespace leoflow::auth
