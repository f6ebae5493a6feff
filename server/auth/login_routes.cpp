// The sign-in endpoints: POST /auth/token (Airflow's simple auth manager),
// the browser's /auth/login and /auth/logout, /auth/me for the UI, and
// Airflow's /api/v2/auth/login|logout redirects.
#include <boost/json/object.hpp>
#include <fmt/format.h>
#include <sodium.h>

#include "common/console.hpp"
#include "common/offload.hpp"
#include "server/auth/detail/forms.hpp"
#include "server/auth/gate.hpp"
#include "server/auth/login_page.hpp"
#include "server/auth/password.hpp"

namespace leoflow::auth {

namespace asio = boost::asio;
namespace bj = boost::json;
using http::request;
using http::response;

namespace {

bool behind_https(const request& req) {
  const auto* proto = req.header("X-Forwarded-Proto");
  return proto && *proto == "https";
}

response redirect(int status, std::string location) {
  response res;
  res.status = status;
  res.content_type.clear();
  res.headers.emplace_back("Location", std::move(location));
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

std::string query_value(const request& req, std::string_view name) {
  for (const auto& [k, v] : req.query)
    if (k == name) return v;
  return {};
}

void wipe(std::string& secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
  secret.clear();
}

long long seconds_up(std::chrono::milliseconds ms) { return (ms.count() + 999) / 1000; }

}  // namespace

response gate::issue_cookies(response res, const request& req, const identity& who, const std::string& token) {
  const bool secure = behind_https(req);
  const long long max_age = std::max<long long>(0, who.claims.expires_at - who.claims.issued_at);
  const auto csrf = hmac_base64url(current()->key, "csrf:" + who.claims.token_id);
  res.headers.emplace_back("Set-Cookie", detail::cookie(session_cookie, token, max_age, true, secure));
  res.headers.emplace_back("Set-Cookie", detail::cookie(csrf_cookie, csrf, max_age, false, secure));
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

response gate::logout(const request& req, bool json) {
  // The token ends here, not only the cookie: a copy of it (another tab, a
  // script, a stolen cookie) is refused from now on.
  std::string problem;
  if (auto who = authenticate(req, problem)) {
    token_revocations* revocations = nullptr;
    {
      std::lock_guard lock(mutex_);
      revocations = revocations_;
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    if (revocations) revocations->revoke(who->claims.token_id, who->claims.expires_at, now);
    out_.info(fmt::format("signed out: {}", who->username));
  }
  const bool secure = behind_https(req);
  response res = json ? http::no_content() : redirect(303, "/auth/login");
  res.headers.emplace_back("Set-Cookie", detail::cookie(session_cookie, "", 0, true, secure));
  res.headers.emplace_back("Set-Cookie", detail::cookie(csrf_cookie, "", 0, false, secure));
  return res;
}

asio::awaitable<response> gate::login(request& req, bool browser) {
  std::optional<response> problem;
  auto creds = detail::read_credentials(req, problem);
  if (!creds) {
    if (browser && problem && problem->status != 422) co_return login_page(400, "/", "The form could not be read.");
    co_return std::move(*problem);
  }
  const bool page = browser && !creds->json;  // a form post from the sign-in page
  const std::string next = safe_next(creds->next);
  if (!enabled()) {
    wipe(creds->password);
    if (page) co_return redirect(303, next);
    co_return http::error(404, "No login is configured on this server (run `leoflow setup`); "
                               "requests need no token");
  }
  if (browser) {
    if (const auto* site = req.header("Sec-Fetch-Site"); site && *site == "cross-site") {
      wipe(creds->password);
      co_return http::error(403, "Forbidden: cross-site sign-in");
    }
  }
  const std::string address = req.remote_address;
  auto s = current();
  std::string hash;
  const user_entry* user = nullptr;
  if (s->config) {
    if (auto it = s->config->users.find(creds->username); it != s->config->users.end()) {
      user = &it->second;
      hash = user->password_hash;
    }
  }
  // The attempt counts before the hash runs: concurrent guesses cannot all
  // slip in while the first one is still being checked.
  const auto settings = s->config ? s->config->throttle : throttle_settings{};
  const auto admitted = throttle_.admit(address, creds->username, user != nullptr, settings,
                                        login_throttle::clock::now());
  if (!admitted.admitted) {
    wipe(creds->password);
    const auto secs = std::max<long long>(1, seconds_up(admitted.retry_after));
    const auto message =
        admitted.retry_after.count() > 0
            ? fmt::format("Too many failed sign-ins; try again in {} s", secs)
            : std::string("Sign-ins for this user are already being checked; try again in a moment");
    response res = page ? login_page(429, next, message) : http::error(429, message);
    res.headers.emplace_back("Retry-After", std::to_string(secs));
    co_return res;
  }

  auto check = [hash, password = creds->password]() mutable {
    const bool ok = verify_password(hash, password);
    wipe(password);
    return ok;
  };
  wipe(creds->password);
  auto verifying = offload(hashing_, std::move(check));
  bool ok = false;
  std::exception_ptr failure;
  try {
    ok = co_await std::move(verifying);
  } catch (...) {
    failure = std::current_exception();
  }
  ok = ok && user;
  throttle_.finished(address, creds->username, user != nullptr, ok);
  if (failure) std::rethrow_exception(failure);

  if (!ok) {
    const int count = throttle_.address_attempts(address);
    out_.warning(user ? fmt::format("failed sign-in for user \"{}\" from {} ({} in a row)", creds->username,
                                    address, count)
                      : fmt::format("failed sign-in for an unknown user from {} ({} in a row)", address, count));
    const std::string message = "Invalid username or password";
    response res = page ? login_page(401, next, message) : http::error(401, message);
    // The next attempt waits this long (the lock-out this one started).
    const auto wait = throttle_.admit_wait(address, creds->username, login_throttle::clock::now());
    if (wait.count() > 0) res.headers.emplace_back("Retry-After", std::to_string(seconds_up(wait)));
    co_return res;
  }
  identity who;
  who.username = creds->username;
  who.user_role = user->user_role;
  who.claims = new_claims(creds->username, std::string(role_name(user->user_role)), user->generation,
                          std::chrono::system_clock::now(), s->config->token_ttl);
  const std::string token = sign_token(who.claims, s->key);
  out_.info(fmt::format("signed in: {} from {}{}", who.username, address, browser ? "" : " (API token)"));
  if (!browser) co_return http::json(201, bj::object{{"access_token", token}});
  if (page) co_return issue_cookies(redirect(303, next), req, who, token);
  co_return issue_cookies(http::json(bj::object{{"username", who.username},
                                                {"role", std::string(role_name(who.user_role))},
                                                {"expires_at", who.claims.expires_at},
                                                {"csrf_token", hmac_base64url(s->key, "csrf:" + who.claims.token_id)}}),
                          req, who, token);
}

void gate::add_routes(http::router& r) {
  r.add("POST", "/auth/token",
        {.body = "LoginBody", .auth = http::access::open},
        [this](request& req) -> asio::awaitable<response> {
    auto signing_in = login(req, false);
    co_return co_await std::move(signing_in);
  });
  r.add("POST", "/auth/login",
        {.body = "LoginBody", .auth = http::access::open},
        [this](request& req) -> asio::awaitable<response> {
    auto signing_in = login(req, true);
    co_return co_await std::move(signing_in);
  });
  r.add("GET", "/auth/login",
        {.query = http::query_of(http::param::text("next")), .auth = http::access::open},
        [this](request& req) -> asio::awaitable<response> {
    const std::string next = safe_next(query_value(req, "next"));
    if (!enabled()) co_return redirect(303, next);
    std::string problem;
    if (authenticate(req, problem)) co_return redirect(303, next);
    co_return login_page(200, next, "");
  });
  r.add("POST", "/auth/logout", {.auth = http::access::open}, [this](request& req) -> asio::awaitable<response> {
    const auto* type = req.header("Content-Type");
    const bool form = type && type->rfind("application/x-www-form-urlencoded", 0) == 0;
    co_return logout(req, !form);
  });
  r.add("GET", "/auth/logout", {.auth = http::access::open}, [this](request& req) -> asio::awaitable<response> {
    co_return logout(req, false);
  });
  r.add("GET", "/auth/me", {.auth = http::access::open}, [this](request& req) -> asio::awaitable<response> {
    if (!enabled())
      co_return http::json(bj::object{{"auth_enabled", false}, {"username", nullptr}, {"role", "admin"}});
    std::string problem;
    auto who = authenticate(req, problem);
    if (!who) {
      auto res = http::error(401, problem);
      res.headers.emplace_back("WWW-Authenticate", "Bearer");
      co_return res;
    }
    bj::object body{{"auth_enabled", true},
                    {"username", who->username},
                    {"role", std::string(role_name(who->user_role))},
                    {"expires_at", who->claims.expires_at}};
    if (who->from_cookie) body["csrf_token"] = hmac_base64url(current()->key, "csrf:" + who->claims.token_id);
    auto res = http::json(body);
    res.headers.emplace_back("Cache-Control", "no-store");
    co_return res;
  });
  // Airflow's own entry points send the browser to our pages.
  r.add("GET", "/api/v2/auth/login",
        {.query = http::query_of(http::param::text("next")), .auth = http::access::open},
        [](request& req) -> asio::awaitable<response> {
    co_return redirect(307, "/auth/login?next=" + detail::url_encode(safe_next(query_value(req, "next"))));
  });
  r.add("GET", "/api/v2/auth/logout", {.auth = http::access::open}, [this](request& req) -> asio::awaitable<response> {
    auto res = logout(req, false);
    res.status = 307;
    co_return res;
  });
}

}  // namespace leoflow::auth
