// The socket-free part of an HTTP exchange: Beast message to request, target
// parsing, filter, routing, and the 500 for a handler that throws.
#include "server/http/exchange.hpp"

#include <exception>
#include <string_view>

#include <fmt/format.h>

#include "common/console.hpp"
#include "common/error.hpp"
#include "server/http/error_response.hpp"

namespace leoflow::http {

request to_request(beast_request&& msg, std::string remote_address) {
  request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.remote_address = std::move(remote_address);
  for (const auto& field : msg) req.headers[std::string(field.name_string())] = std::string(field.value());
  req.body = std::move(msg.body());
  return req;
}

request header_request(const beast_request& msg, std::string remote_address) {
  request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.remote_address = std::move(remote_address);
  for (const auto& field : msg) req.headers[std::string(field.name_string())] = std::string(field.value());
  return req;
}

bool parse_target(request& req) {
  const std::string_view target = req.target;
  const auto q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (req.path.empty() || req.path[0] != '/') return false;
  if (q == std::string_view::npos) return true;
  std::string_view rest = target.substr(q + 1);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key || !value) return false;
    req.query.emplace_back(std::move(*key), std::move(*value));
  }
  return true;
}

std::optional<response> admit(request& req, const request_filter& filter) {
  if (!parse_target(req)) return error(400, "Malformed request target");
  if (filter) return filter(req);
  return std::nullopt;
}

boost::asio::awaitable<response> respond(request& req, const router& routes,
                                         const request_filter& filter, console& out) {
  if (auto refused = admit(req, filter)) co_return std::move(*refused);
  auto handling = handle(req, routes, out);
  co_return co_await std::move(handling);
}

boost::asio::awaitable<response> handle(request& req, const router& routes, console& out) {
  // Never co_await inside a catch block (g++ 12): keep the failure, act after.
  std::exception_ptr failure;
  response res;
  try {
    res = co_await routes.dispatch(req);
  } catch (...) {
    failure = std::current_exception();
  }
  if (!failure) co_return res;
  std::string what = "unknown error";
  std::optional<response> mapped;
  try {
    std::rethrow_exception(failure);
  } catch (const leoflow::failure& e) {
    // A failure the client can act on (a full disk: retry later) says what
    // happened; internal ones are reported here and answered 500.
    what = e.what();
    if (e.code() != errc::internal) mapped = error_response(e);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  if (mapped) co_return std::move(*mapped);
  out.failure(fmt::format("{} {} failed", req.method, req.path), what);
  co_return error(500, "Internal Server Error");
}

}  // namespace leoflow::http
