// The HTTP request and response as handlers see them: plain data, no
// sockets and no Beast types, so handlers stay cheap to compile and to test.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

namespace leoflow::http {

// Header names compare case-insensitively.
struct header_less {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};

struct request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received: path and query, still encoded
  std::string path;    // the target's path, still encoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::map<std::string, std::string, header_less> headers;
  std::string body;
  std::string remote_address;
  // Filled by the router: decoded values of {name} path segments.
  std::map<std::string, std::string> path_params;

  const std::string* header(std::string_view name) const;
  const std::string& param(const std::string& name) const { return path_params.at(name); }
};

// Writes pieces of a streamed body (Server-Sent Events, log tails); returns
// false once the client is gone.
class body_writer {
 public:
  virtual ~body_writer() = default;
  virtual boost::asio::awaitable<bool> write(std::string_view chunk) = 0;
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is streamed (chunked) by calling this after the
  // headers; `body` is ignored.
  std::function<boost::asio::awaitable<void>(body_writer&)> stream;
};

// {"detail": "..."} with the given status, as Airflow's API answers errors.
response error(int status, std::string_view detail);
response json(int status, const boost::json::value& body);
response json(const boost::json::value& body);
response no_content();

// Percent-decoding of one path segment or query component ('+' is a space
// only in queries). nullopt for malformed escapes, an embedded NUL or bytes
// that are not UTF-8.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace leoflow::http
