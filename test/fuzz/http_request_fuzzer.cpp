// Fuzzes the HTTP request path: raw bytes through Beast's request parser with
// the server's limits, then http::respond (target split, the login gate's
// filter, the router, a real handler over a real store), then the response
// serialised as a session writes it.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include "server/http/server.hpp"
#include "test/fuzz/api_fixture.hpp"

namespace bhttp = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& fixture = leoflow::fuzz::api_fixture::instance();
  const leoflow::http::server_options limits;

  bhttp::request_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.body_limit(limits.body_limit);
  parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;

  const bool keep_alive = parser.get().keep_alive();
  auto req = leoflow::http::to_request(parser.release(), "127.0.0.1");
  auto res = fixture.run(req);
  // A status Beast cannot send, or a handler that threw (respond's 500).
  if (res.status < 100 || res.status > 599 || res.status == 500) __builtin_trap();

  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), 11};
  if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
  for (const auto& [name, value] : res.headers) out.insert(name, value);
  out.body() = std::move(res.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  std::ostringstream wire;
  wire << out;
  return 0;
}
