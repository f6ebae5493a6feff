// One HTTP exchange without a socket: a request Beast has parsed becomes the
// handlers' plain request, then goes through the target split, the filter and
// the router. The server's sessions use it, and so does the HTTP fuzz harness.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/http/message.hpp"
#include "server/http/router.hpp"

namespace leoflow {
class console;
}

namespace leoflow::http {

// Runs before routing; a returned response is sent instead of dispatching
// (authentication, host checks).
using request_filter = std::function<std::optional<response>(request&)>;

using beast_request = boost::beast::http::request<boost::beast::http::string_body>;

// Moves the method, target, headers and body out of Beast's message.
request to_request(beast_request&& msg, std::string remote_address);

// Copies the method, target and headers of a message whose body has not been
// read yet.
request header_request(const beast_request& msg, std::string remote_address);

// Splits req.target into req.path and the decoded req.query; false when the
// target is not a path or has a malformed escape.
bool parse_target(request& req);

// The answer that stops a request on its headers alone, before its body is
// read: 400 for a bad target, or the filter's response. `filter` may be empty.
std::optional<response> admit(request& req, const request_filter& filter);

// The handler's answer to an admitted request (with its body). A handler's
// exception is reported on `out` and becomes a 500 that leaks nothing.
boost::asio::awaitable<response> handle(request& req, const router& routes, console& out);

// admit, then handle: one whole request in one call (the fuzz harnesses).
boost::asio::awaitable<response> respond(request& req, const router& routes,
                                         const request_filter& filter, console& out);

}  // namespace leoflow::http
