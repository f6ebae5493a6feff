// Tests server/auth/gate.hpp in process, on a real config.yaml in a
// temporary home and real argon2id hashes: what passes the filter and what
// gets 401/403/429, tokens from POST /auth/token, cookies with CSRF, the
// config re-read on change (a reset revokes older tokens), host binding, and
// that no password or token reaches the log; the Host allow-list, the
// same-origin JSON rule without a login, sign-out revocation and concurrent
// guesses. Real HTTP is in test/integration/test_auth.py and test_security.py.
#include "server/auth/gate.hpp"

#include <cstdio>
#include <fstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include "common/console.hpp"
#include "server/auth/login_page.hpp"
#include "server/auth/password.hpp"
#include "test/support/temp_home.hpp"

using namespace leoflow;
using namespace leoflow::auth;
namespace lt = leoflow::test;
namespace fs = std::filesystem;

namespace {

const std::string admin_password = "admin-pass-1234";
const std::string viewer_password = "viewer-pass-5678";

// Hashing is slow on purpose: hash once for the whole suite.
const auth_config& base_config() {
  static const auth_config c = [] {
    auth_config c;
    c.secret_key = new_secret_key();
    c.users["admin"] = {role::admin, hash_password(admin_password), 1};
    c.users["viewer"] = {role::viewer, hash_password(viewer_password), 1};
    c.throttle.free_attempts = 2;
    c.throttle.base_delay = std::chrono::seconds(60);
    c.throttle.max_delay = std::chrono::seconds(600);
    return c;
  }();
  return c;
}

std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  return out;
}

struct fixture {
  lt::temp_dir home;
  fs::path config_file = home.path() / "config.yaml";
  std::FILE* log = std::tmpfile();
  console out{console::style::terminal, log, log};
  std::unique_ptr<gate> g;
  http::router routes;

  explicit fixture(bool with_config = true) {
    if (with_config) write_auth_config(config_file, base_config());
    g = std::make_unique<gate>(config_file, out);
    g->add_routes(routes);
  }
  ~fixture() {
    g.reset();
    std::fclose(log);
  }

  std::string logged() { return read_all(log); }

  http::request make(std::string method, std::string path) {
    http::request r;
    r.method = std::move(method);
    r.path = path;
    r.target = path;
    r.remote_address = "192.0.2.7";
    r.headers["Host"] = "127.0.0.1:8088";
    return r;
  }

  // The filter, then the route, as the server does.
  http::response send(http::request req) {
    if (auto stopped = g->filter(req)) return *stopped;
    boost::asio::io_context io;
    auto fut = boost::asio::co_spawn(io, routes.dispatch(req), boost::asio::use_future);
    io.run();
    return fut.get();
  }

  http::response login(const std::string& user, const std::string& password, const std::string& address = "192.0.2.7") {
    auto r = make("POST", "/auth/token");
    r.headers["Content-Type"] = "application/json";
    r.body = boost::json::serialize(boost::json::object{{"username", user}, {"password", password}});
    r.remote_address = address;
    return send(r);
  }

  std::string token_for(const std::string& user, const std::string& password) {
    auto res = login(user, password);
    BOOST_REQUIRE_EQUAL(res.status, 201);
    return std::string(boost::json::parse(res.body).at("access_token").as_string());
  }

  // Rewrites the config the way reset-password does (a new file renamed in).
  void bump_generation(const std::string& user) {
    auto read = read_auth_config(config_file);
    auto c = *std::get<std::optional<auth_config>>(read);
    ++c.users.at(user).generation;
    write_auth_config(config_file, c);
  }
};

std::string header(const http::response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

std::vector<std::string> cookies_set(const http::response& r) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers)
    if (k == "Set-Cookie") out.push_back(v);
  return out;
}

std::string detail(const http::response& r) {
  return std::string(boost::json::parse(r.body).at("detail").as_string());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_gate)

BOOST_AUTO_TEST_CASE(without_credentials_every_guarded_family_is_401) {
  fixture f;
  for (const char* path : {"/api/v2/dags", "/api/v2/dags/x/dagRuns", "/api/v2/importErrors",
                           "/api/v2/ide/files", "/ui/grid/x", "/ide", "/", "/dags/x/grid", "/assets/app.js"}) {
    auto res = f.send(f.make("GET", path));
    BOOST_TEST(res.status == 401, path);
    BOOST_TEST(header(res, "WWW-Authenticate") == "Bearer", path);
    BOOST_TEST(!detail(res).empty(), path);
  }
  for (const char* method : {"POST", "PATCH", "PUT", "DELETE"}) {
    auto res = f.send(f.make(method, "/api/v2/dags/x"));
    BOOST_TEST(res.status == 401, method);
  }
}

BOOST_AUTO_TEST_CASE(health_version_and_login_stay_public) {
  fixture f;
  for (const char* path : {"/api/v2/monitor/health", "/api/v2/version", "/auth/login"}) {
    auto req = f.make("GET", path);
    BOOST_TEST(!f.g->filter(req).has_value(), path);
  }
  // Near misses are guarded.
  for (const char* path : {"/api/v2/monitor/health/", "/api/v2/versions", "//api/v2/version", "/auth/tokens"}) {
    auto req = f.make("GET", path);
    auto stopped = f.g->filter(req);
    BOOST_TEST((stopped && stopped->status == 401), path);
  }
}

BOOST_AUTO_TEST_CASE(a_browser_gets_the_sign_in_page) {
  fixture f;
  auto req = f.make("GET", "/dags/etl/grid");
  req.target = "/dags/etl/grid?tab=1";
  req.headers["Accept"] = "text/html,application/xhtml+xml";
  auto res = f.send(req);
  BOOST_TEST(res.status == 401);
  BOOST_TEST(res.content_type.rfind("text/html", 0) == 0u);
  BOOST_TEST(res.body.find(R"(action="/auth/login")") != std::string::npos);
  BOOST_TEST(res.body.find(R"(value="/dags/etl/grid?tab=1")") != std::string::npos);
  BOOST_TEST(header(res, "Content-Security-Policy").find("default-src 'none'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_token_opens_the_api) {
  fixture f;
  const auto token = f.token_for("admin", admin_password);
  auto req = f.make("GET", "/api/v2/dags");
  req.headers["Authorization"] = "Bearer " + token;
  req.headers["X-Leoflow-User"] = "someone-else";
  BOOST_TEST(!f.g->filter(req).has_value());
  BOOST_TEST(req.headers.at("X-Leoflow-User") == "admin");  // the client's value was replaced
  auto write = f.make("DELETE", "/api/v2/dags/x");
  write.headers["Authorization"] = "Bearer " + token;
  BOOST_TEST(!f.g->filter(write).has_value());  // bearer tokens need no CSRF token
}

BOOST_AUTO_TEST_CASE(form_bodies_log_in_too) {
  fixture f;
  auto req = f.make("POST", "/auth/token");
  req.headers["Content-Type"] = "application/x-www-form-urlencoded";
  req.body = "username=admin&password=" + admin_password;
  auto res = f.send(req);
  BOOST_TEST(res.status == 201);
  BOOST_TEST(boost::json::parse(res.body).as_object().contains("access_token"));
}

BOOST_AUTO_TEST_CASE(missing_fields_are_422_without_echoing_the_password) {
  fixture f;
  auto req = f.make("POST", "/auth/token");
  req.headers["Content-Type"] = "application/json";
  req.body = R"({"password": "hunter2-hunter2"})";
  auto res = f.send(req);
  BOOST_TEST(res.status == 422);
  BOOST_TEST(res.body.find("username") != std::string::npos);
  BOOST_TEST(res.body.find("hunter2") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(wrong_password_and_unknown_user_are_401_and_never_logged) {
  fixture f;
  auto wrong = f.login("admin", "not-the-password-42");
  BOOST_TEST(wrong.status == 401);
  BOOST_TEST(detail(wrong) == "Invalid username or password");
  auto unknown = f.login("nobody-xyz", "another-secret-99");
  BOOST_TEST(unknown.status == 401);
  BOOST_TEST(detail(unknown) == detail(wrong));  // the same answer: no user enumeration
  const auto token = f.token_for("admin", admin_password);
  const auto log = f.logged();
  BOOST_TEST(log.find("failed sign-in for user \"admin\" from 192.0.2.7") != std::string::npos, log);
  BOOST_TEST(log.find("nobody-xyz") == std::string::npos);  // may be a mistyped password
  for (const auto& secret : {std::string("not-the-password-42"), std::string("another-secret-99"), admin_password, token})
    BOOST_TEST(log.find(secret) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(repeated_failures_are_throttled_even_for_the_right_password) {
  fixture f;  // 2 free attempts, then 60 s, 120 s, ...
  BOOST_TEST(f.login("admin", "wrong-wrong-1").status == 401);
  BOOST_TEST(f.login("admin", "wrong-wrong-2").status == 401);
  auto third = f.login("admin", "wrong-wrong-3");
  BOOST_TEST(third.status == 401);
  BOOST_TEST(header(third, "Retry-After") == "60");
  auto locked = f.login("admin", admin_password);
  BOOST_TEST(locked.status == 429);
  const auto wait = std::stoi(header(locked, "Retry-After"));
  BOOST_TEST((wait > 0 && wait <= 60));
  BOOST_TEST(detail(locked).find("try again in") != std::string::npos);
  // Another address is not affected.
  BOOST_TEST(f.login("admin", admin_password, "198.51.100.1").status == 201);
}

BOOST_AUTO_TEST_CASE(viewers_read_but_cannot_change_anything) {
  fixture f;
  const auto token = f.token_for("viewer", viewer_password);
  for (const char* path : {"/api/v2/dags", "/api/v2/ide/files", "/ui/grid/x", "/ide"}) {
    auto req = f.make("GET", path);
    req.headers["Authorization"] = "Bearer " + token;
    BOOST_TEST(!f.g->filter(req).has_value(), path);
  }
  for (const char* path : {"/api/v2/dags/x", "/api/v2/dags/x/dagRuns", "/api/v2/ide/files/x/dag.py", "/ui/anything"}) {
    for (const char* method : {"POST", "PATCH", "PUT", "DELETE"}) {
      auto req = f.make(method, path);
      req.headers["Authorization"] = "Bearer " + token;
      auto stopped = f.g->filter(req);
      BOOST_REQUIRE(stopped);
      BOOST_TEST(stopped->status == 403, method << ' ' << path);
      BOOST_TEST(detail(*stopped).find("viewer") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(browser_login_sets_httponly_strict_cookies_and_csrf_guards_writes) {
  fixture f;
  auto req = f.make("POST", "/auth/login");
  req.headers["Content-Type"] = "application/x-www-form-urlencoded";
  req.body = "username=admin&password=" + admin_password + "&next=%2Fdags%2Fetl";
  auto res = f.send(req);
  BOOST_TEST(res.status == 303);
  BOOST_TEST(header(res, "Location") == "/dags/etl");
  const auto set = cookies_set(res);
  BOOST_REQUIRE_EQUAL(set.size(), 2u);
  std::string session, csrf;
  for (const auto& c : set) {
    const auto value = c.substr(c.find('=') + 1, c.find(';') - c.find('=') - 1);
    if (c.rfind("leoflow_session=", 0) == 0) {
      session = value;
      BOOST_TEST(c.find("HttpOnly") != std::string::npos);
      BOOST_TEST(c.find("SameSite=Strict") != std::string::npos);
      BOOST_TEST(c.find("Path=/") != std::string::npos);
    } else {
      BOOST_TEST(c.rfind("leoflow_csrf=", 0) == 0u);
      csrf = value;
      BOOST_TEST(c.find("HttpOnly") == std::string::npos);  // the page's script reads it
      BOOST_TEST(c.find("SameSite=Strict") != std::string::npos);
    }
  }
  BOOST_REQUIRE(!session.empty());
  BOOST_REQUIRE(!csrf.empty());
  const std::string cookie = "leoflow_session=" + session + "; leoflow_csrf=" + csrf;

  auto read = f.make("GET", "/api/v2/dags");
  read.headers["Cookie"] = cookie;
  BOOST_TEST(!f.g->filter(read).has_value());

  // A cross-site form: the browser sends the cookies, but not the header.
  auto forged = f.make("POST", "/api/v2/dags/etl/dagRuns");
  forged.headers["Cookie"] = cookie;
  auto refused = f.g->filter(forged);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == 403);
  BOOST_TEST(detail(*refused).find("CSRF") != std::string::npos);

  auto wrong = f.make("POST", "/api/v2/dags/etl/dagRuns");
  wrong.headers["Cookie"] = cookie;
  wrong.headers["X-CSRF-Token"] = csrf.substr(1) + "A";
  BOOST_TEST(f.g->filter(wrong)->status == 403);

  auto cross = f.make("POST", "/api/v2/dags/etl/dagRuns");
  cross.headers["Cookie"] = cookie;
  cross.headers["X-CSRF-Token"] = csrf;
  cross.headers["Sec-Fetch-Site"] = "cross-site";
  BOOST_TEST(f.g->filter(cross)->status == 403);

  auto ours = f.make("POST", "/api/v2/dags/etl/dagRuns");
  ours.headers["Cookie"] = cookie;
  ours.headers["X-CSRF-Token"] = csrf;
  ours.headers["Sec-Fetch-Site"] = "same-origin";
  BOOST_TEST(!f.g->filter(ours).has_value());

  // Another session's CSRF token does not fit this session.
  auto again = f.send(req);
  std::string other_csrf;
  for (const auto& c : cookies_set(again))
    if (c.rfind("leoflow_csrf=", 0) == 0) other_csrf = c.substr(13, c.find(';') - 13);
  BOOST_REQUIRE(!other_csrf.empty());
  BOOST_TEST(other_csrf != csrf);
  auto mixed = f.make("POST", "/api/v2/dags/etl/dagRuns");
  mixed.headers["Cookie"] = cookie;
  mixed.headers["X-CSRF-Token"] = other_csrf;
  BOOST_TEST(f.g->filter(mixed)->status == 403);
}

BOOST_AUTO_TEST_CASE(open_redirects_are_refused) {
  for (const char* next : {"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
                           "/auth/logout", "/ok\r\nSet-Cookie: x=1"})
    BOOST_TEST(safe_next(next) == "/", next);
  BOOST_TEST(safe_next("/dags/etl?tab=grid") == "/dags/etl?tab=grid");
  fixture f;
  auto req = f.make("POST", "/auth/login");
  req.headers["Content-Type"] = "application/x-www-form-urlencoded";
  req.body = "username=admin&password=" + admin_password + "&next=%2F%2Fevil.example%2Fx";
  auto res = f.send(req);
  BOOST_TEST(res.status == 303);
  BOOST_TEST(header(res, "Location") == "/");
}

BOOST_AUTO_TEST_CASE(a_password_reset_revokes_older_tokens_at_once) {
  fixture f;
  const auto token = f.token_for("admin", admin_password);
  auto req = f.make("GET", "/api/v2/dags");
  req.headers["Authorization"] = "Bearer " + token;
  BOOST_TEST(!f.g->filter(req).has_value());
  f.bump_generation("admin");
  auto stopped = f.g->filter(req);
  BOOST_REQUIRE(stopped);
  BOOST_TEST(stopped->status == 401);
  BOOST_TEST(detail(*stopped).find("password was changed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_removed_user_loses_access) {
  fixture f;
  const auto token = f.token_for("viewer", viewer_password);
  auto c = base_config();
  c.users.erase("viewer");
  write_auth_config(f.config_file, c);
  auto req = f.make("GET", "/api/v2/dags");
  req.headers["Authorization"] = "Bearer " + token;
  BOOST_TEST(f.g->filter(req)->status == 401);
}

BOOST_AUTO_TEST_CASE(a_broken_config_keeps_the_last_good_settings) {
  fixture f;
  const auto token = f.token_for("admin", admin_password);
  lt::write_file(f.config_file, "auth: {token_ttl: never}\n");
  auto req = f.make("GET", "/api/v2/dags");
  req.headers["Authorization"] = "Bearer " + token;
  BOOST_TEST(!f.g->filter(req).has_value());
  BOOST_TEST(f.logged().find("auth.token_ttl") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(other_schemes_and_junk_tokens_are_401) {
  fixture f;
  for (const char* value : {"Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer abc.def.ghi", "Token x"}) {
    auto req = f.make("GET", "/api/v2/dags");
    req.headers["Authorization"] = value;
    auto stopped = f.g->filter(req);
    BOOST_TEST((stopped && stopped->status == 401), value);
  }
}

BOOST_AUTO_TEST_CASE(no_config_means_no_auth_and_loopback_only) {
  fixture f(false);
  BOOST_TEST(!f.g->enabled());
  auto req = f.make("DELETE", "/api/v2/dags/x");
  BOOST_TEST(!f.g->filter(req).has_value());
  BOOST_TEST(f.g->binding_host("0.0.0.0") == "127.0.0.1");
  BOOST_TEST(f.g->binding_host("192.0.2.1") == "127.0.0.1");
  BOOST_TEST(f.g->binding_host("127.0.0.1") == "127.0.0.1");
  BOOST_TEST(f.g->binding_host("localhost") == "127.0.0.1");
  BOOST_TEST(f.logged().find("was changed to 127.0.0.1") != std::string::npos);
  BOOST_TEST(f.login("admin", "whatever-123").status == 404);
}

BOOST_AUTO_TEST_CASE(an_admin_allows_any_address_and_keeps_the_login_on) {
  fixture f;
  BOOST_TEST(f.g->binding_host("0.0.0.0") == "0.0.0.0");
  // Bound beyond loopback: losing the config must not open the server.
  fs::remove(f.config_file);
  BOOST_TEST(f.g->enabled());
  auto req = f.make("GET", "/api/v2/dags");
  BOOST_TEST(f.g->filter(req)->status == 401);
}

BOOST_AUTO_TEST_CASE(me_says_who_is_signed_in) {
  fixture f;
  const auto token = f.token_for("viewer", viewer_password);
  auto req = f.make("GET", "/auth/me");
  req.headers["Authorization"] = "Bearer " + token;
  auto res = f.send(req);
  BOOST_TEST(res.status == 200);
  auto body = boost::json::parse(res.body).as_object();
  BOOST_TEST(body.at("username").as_string() == "viewer");
  BOOST_TEST(body.at("role").as_string() == "viewer");
  BOOST_TEST(f.send(f.make("GET", "/auth/me")).status == 401);
}

BOOST_AUTO_TEST_CASE(without_a_login_only_loopback_names_on_our_port_pass) {
  fixture f(false);
  f.g->announce("127.0.0.1", 8088);
  for (const char* host : {"localhost", "localhost:8088", "127.0.0.1", "127.0.0.1:8088", "127.1.2.3:8088",
                           "127.255.255.254", "[::1]:8088", "[::1]", "LOCALHOST:8088"}) {
    auto req = f.make("GET", "/api/v2/dags");
    req.headers["Host"] = host;
    BOOST_TEST(!f.g->filter(req).has_value(), host);
  }
  // DNS rebinding names, other ports, odd spellings of 127.0.0.1.
  for (const char* host : {"127.1.attacker.example:8088", "localhost.attacker.example:8088", "evil.example",
                           "127.0.0.1:9999", "localhost:80", "0x7f.0.0.1:8088", "127.0.0.01:8088",
                           "2130706433:8088", "127.1:8088", "[::ffff:127.0.0.1]:8088", "192.168.1.2:8088",
                           "127.0.0.1.:8088"}) {
    for (const char* method : {"GET", "POST"}) {
      auto req = f.make(method, "/api/v2/variables");
      req.headers["Host"] = host;
      auto stopped = f.g->filter(req);
      BOOST_TEST((stopped && stopped->status == 403), host << " " << method);
      if (stopped) BOOST_TEST(detail(*stopped).find("does not name this server") != std::string::npos, host);
    }
  }
  for (const char* host : {"", "a b", "127.0.0.1:99999", "[::1"}) {
    auto req = f.make("GET", "/api/v2/dags");
    if (*host) req.headers["Host"] = host;
    else req.headers.erase("Host");
    auto stopped = f.g->filter(req);
    BOOST_TEST((stopped && stopped->status == 400), host);
  }
}

BOOST_AUTO_TEST_CASE(a_rebinding_page_cannot_reach_the_ide_or_the_api) {
  // What the issue sent: a name that resolves to 127.0.0.1, with the
  // matching Origin and Sec-Fetch-Site: same-origin.
  fixture f(false);
  f.g->announce("127.0.0.1", 8088);
  for (const char* host : {"127.1.attacker.example:8088", "localhost.attacker.example:8088"}) {
    for (const char* path : {"/api/v2/ide/folder", "/api/v2/ide/file", "/api/v2/variables", "/api/v2/connections",
                             "/api/v2/dags/etl/dagRuns"}) {
      auto req = f.make("POST", path);
      req.headers["Host"] = host;
      req.headers["Origin"] = std::string("http://") + host;
      req.headers["Sec-Fetch-Site"] = "same-origin";
      req.headers["Content-Type"] = "application/json";
      req.headers["Content-Length"] = "20";
      auto stopped = f.g->filter(req);
      BOOST_TEST((stopped && stopped->status == 403), host << path);
    }
    for (const char* path : {"/ui/events", "/api/v2/connections", "/api/v2/dags"}) {
      auto req = f.make("GET", path);
      req.headers["Host"] = host;
      auto stopped = f.g->filter(req);
      BOOST_TEST((stopped && stopped->status == 403), host << path);
    }
  }
}

BOOST_AUTO_TEST_CASE(without_a_login_changes_must_be_same_origin_json) {
  fixture f(false);
  f.g->announce("127.0.0.1", 8088);
  auto post = [&](std::map<std::string, std::string> headers) {
    auto req = f.make("POST", "/api/v2/connections");
    req.headers["Content-Length"] = "40";
    for (auto& [k, v] : headers) req.headers[k] = v;
    return f.g->filter(req);
  };
  // Cross-site posts a page can send without a preflight.
  auto text = post({{"Content-Type", "text/plain"}, {"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}});
  BOOST_TEST((text && text->status == 403));
  auto form = post({{"Content-Type", "application/x-www-form-urlencoded"}, {"Origin", "https://evil.example"}});
  BOOST_TEST((form && form->status == 403));
  auto same_site = post({{"Content-Type", "application/json"}, {"Sec-Fetch-Site", "same-site"}});
  BOOST_TEST((same_site && same_site->status == 403));
  auto null_origin = post({{"Content-Type", "application/json"}, {"Origin", "null"}});
  BOOST_TEST((null_origin && null_origin->status == 403));
  auto other_port = post({{"Content-Type", "application/json"}, {"Origin", "http://127.0.0.1:3000"}});
  BOOST_TEST((other_port && other_port->status == 403));
  // Without Origin (old clients, scripts) the body type still decides.
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                           "application/jsonp", "text/json"}) {
    auto stopped = post({{"Content-Type", type}});
    BOOST_TEST((stopped && stopped->status == 415), type);
  }
  auto untyped = post({});
  BOOST_TEST((untyped && untyped->status == 415));
  // The UI's own request, and a script's.
  BOOST_TEST(!post({{"Content-Type", "application/json"}, {"Origin", "http://127.0.0.1:8088"},
                    {"Sec-Fetch-Site", "same-origin"}}).has_value());
  BOOST_TEST(!post({{"Content-Type", "Application/JSON; charset=utf-8"}}).has_value());
  // No body and no type (DELETE, a bare POST): nothing to declare.
  auto del = f.make("DELETE", "/api/v2/variables/x");
  BOOST_TEST(!f.g->filter(del).has_value());
  // Reads stay open to the loopback (no CORS header ever lets a page read them).
  auto read = f.make("GET", "/api/v2/connections");
  read.headers["Origin"] = "https://evil.example";
  BOOST_TEST(!f.g->filter(read).has_value());
}

BOOST_AUTO_TEST_CASE(with_a_login_allowed_hosts_name_the_server) {
  fixture f;
  f.g->allow_hosts({"leoflow.example.com", "*.corp.example", "proxy.example:8443"});
  f.g->announce("0.0.0.0", 8088);
  auto status = [&](const char* host) {
    auto req = f.make("GET", "/api/v2/dags");
    req.headers["Host"] = host;
    auto stopped = f.g->filter(req);
    return stopped ? stopped->status : 200;
  };
  // Past the Host check, a request without credentials is 401.
  for (const char* host : {"leoflow.example.com", "leoflow.example.com:443", "ci.corp.example:8088",
                           "proxy.example:8443", "127.0.0.1:8088", "localhost"})
    BOOST_TEST(status(host) == 401, host);
  for (const char* host : {"evil.example", "corp.example", "xcorp.example", "proxy.example:8444",
                           "leoflow.example.com.evil.example", "127.0.0.1:9"})
    BOOST_TEST(status(host) == 403, host);
  BOOST_TEST(normalize_allowed_host("Leoflow.Example.com").value_or("") == "leoflow.example.com");
  BOOST_TEST(normalize_allowed_host("*.corp.example:8443").value_or("") == "*.corp.example:8443");
  for (const char* bad : {"", "a b", "http://x", "x:0x1", "*.", "x/y"})
    BOOST_TEST(!normalize_allowed_host(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(signing_out_ends_the_token_everywhere) {
  fixture f;
  token_revocations revoked;
  std::vector<std::string> persisted;
  revoked.on_revoke([&](const std::string& id, long long) { persisted.push_back(id); });
  f.g->use_revocations(revoked);
  const auto token = f.token_for("admin", admin_password);
  auto req = f.make("GET", "/api/v2/dags");
  req.headers["Authorization"] = "Bearer " + token;
  BOOST_TEST(!f.g->filter(req).has_value());
  auto out = f.make("POST", "/auth/logout");
  out.headers["Authorization"] = "Bearer " + token;
  BOOST_TEST(f.send(out).status == 204);
  BOOST_TEST(persisted.size() == 1u);
  auto again = f.make("GET", "/api/v2/dags");
  again.headers["Authorization"] = "Bearer " + token;
  auto stopped = f.g->filter(again);
  BOOST_REQUIRE(stopped);
  BOOST_TEST(stopped->status == 401);
  BOOST_TEST(detail(*stopped).find("signing out") != std::string::npos);
  // A restart loads the list from the store and still refuses the token.
  token_revocations reloaded;
  reloaded.load({{persisted.front(), std::numeric_limits<long long>::max()}, {"expired-id", 5}}, 10);
  BOOST_TEST(reloaded.size() == 1u);
  f.g->use_revocations(reloaded);
  auto after_restart = f.make("GET", "/api/v2/dags");
  after_restart.headers["Authorization"] = "Bearer " + token;
  BOOST_TEST(f.g->filter(after_restart)->status == 401);
  // Other tokens of the same user keep working.
  const auto other = f.token_for("admin", admin_password);
  auto fine = f.make("GET", "/api/v2/dags");
  fine.headers["Authorization"] = "Bearer " + other;
  BOOST_TEST(!f.g->filter(fine).has_value());
}

BOOST_AUTO_TEST_CASE(concurrent_wrong_passwords_each_cost_an_attempt) {
  // The race the issue found: 20 guesses at once were all checked.
  fixture f;  // 2 free attempts
  boost::asio::io_context io;
  std::vector<int> statuses;
  for (int i = 0; i < 20; ++i) {
    auto r = f.make("POST", "/auth/token");
    r.headers["Content-Type"] = "application/json";
    r.body = boost::json::serialize(boost::json::object{{"username", "admin"}, {"password", "guess-" + std::to_string(i)}});
    // No captures: the coroutine outlives this lambda.
    auto attempt = [](http::router& routes, std::vector<int>& out, http::request req) -> boost::asio::awaitable<void> {
      auto dispatching = routes.dispatch(req);
      auto res = co_await std::move(dispatching);
      out.push_back(res.status);
    };
    boost::asio::co_spawn(io, attempt(f.routes, statuses, std::move(r)), boost::asio::detached);
  }
  io.run();
  BOOST_REQUIRE_EQUAL(statuses.size(), 20u);
  const auto checked = std::count(statuses.begin(), statuses.end(), 401);
  const auto refused = std::count(statuses.begin(), statuses.end(), 429);
  BOOST_TEST(checked + refused == 20);
  BOOST_TEST(checked <= 3);  // the free attempts and the one that starts the lock-out
  BOOST_TEST(checked >= 1);
}

BOOST_AUTO_TEST_SUITE_END()
