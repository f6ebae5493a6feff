// Beast session coroutines, the acceptor loop, and graceful stop.
#include "server/http/server.hpp"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "common/console.hpp"
#include "server/http/exchange.hpp"

namespace leoflow::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// A handler's header replaces one set before it, except Set-Cookie: each of
// those is its own field (RFC 6265 forbids folding them).
template <typename Fields>
void set_header(Fields& fields, const std::string& name, const std::string& value) {
  if (beast::iequals(name, "Set-Cookie"))
    fields.insert(name, value);
  else
    fields.set(name, value);
}

class chunk_writer : public body_writer {
 public:
  chunk_writer(beast::tcp_stream& s, std::chrono::seconds timeout) : stream_(s), timeout_(timeout) {}
  asio::awaitable<bool> write(std::string_view chunk) override {
    if (chunk.empty()) co_return true;
    stream_.expires_after(timeout_);
    auto [ec, n] = co_await asio::async_write(
        stream_, bhttp::make_chunk(asio::buffer(chunk.data(), chunk.size())), tuple_awaitable);
    co_return !ec;
  }

 private:
  beast::tcp_stream& stream_;
  std::chrono::seconds timeout_;
};

}  // namespace

server::server(asio::io_context& io, const router& routes, console& out, server_options options)
    : io_(io), routes_(routes), console_(out), options_(std::move(options)),
      acceptor_(asio::make_strand(io)) {}

server::~server() = default;

unsigned short server::start() {
  const auto address = asio::ip::make_address(options_.address);
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  const auto port = acceptor_.local_endpoint().port();
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), [this](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      console_.failure("the HTTP acceptor stopped", ex.what());
    }
  });
  return port;
}

void server::stop() {
  stopping_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
  std::lock_guard lock(sessions_mutex_);
  for (auto& [id, entry] : sessions_) {
    asio::post(entry.executor,
               [signal = entry.signal] { signal->emit(asio::cancellation_type::terminal); });
  }
}

asio::awaitable<void> server::accept_loop() {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), tuple_awaitable);
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) co_return;
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    if (connections_.load() >= options_.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    spawn_session(std::move(socket));
  }
}

void server::spawn_session(tcp::socket socket) {
  auto executor = socket.get_executor();
  auto signal = std::make_shared<asio::cancellation_signal>();
  std::uint64_t id;
  {
    std::lock_guard lock(sessions_mutex_);
    id = next_session_++;
    sessions_[id] = {executor, signal};
  }
  ++connections_;
  asio::co_spawn(executor, session(std::move(socket)),
                 asio::bind_cancellation_slot(signal->slot(), [this, id, signal](std::exception_ptr e) {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       console_.failure("an HTTP session failed", ex.what());
                     }
                   }
                   --connections_;
                   std::lock_guard lock(sessions_mutex_);
                   sessions_.erase(id);
                 }));
}

asio::awaitable<void> server::session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  std::string remote;
  {
    boost::system::error_code ec;
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  bool first = true;
  while (!stopping_) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(options_.body_limit);
    parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
    // An idle keep-alive connection waits for its next request; a request
    // that has started must arrive whole within the request timeout.
    stream.expires_after(first ? options_.request_timeout : options_.idle_timeout);
    first = false;
    // The headers first: the gate decides on them alone, so a request it
    // refuses never makes us read (and hold) its body.
    auto [ec, bytes] = co_await bhttp::async_read_header(stream, buffer, parser, tuple_awaitable);
    stream.expires_after(options_.request_timeout);

    response res;
    bool keep_alive = false;
    bool body_unread = false;
    request req;
    if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      break;
    } else if (ec == bhttp::error::header_limit) {
      res = error(431, "Request header fields too large");
    } else if (ec == bhttp::error::body_limit) {
      // A Content-Length over the limit is known from the headers alone.
      res = error(413, fmt::format("Request body larger than {} bytes", options_.body_limit));
      body_unread = true;
    } else if (ec) {
      if (!parser.got_some() && bytes == 0) break;
      res = error(400, fmt::format("Malformed HTTP request: {}", ec.message()));
    } else {
      req = header_request(parser.get(), remote);
      if (auto refused = admit(req, filter_)) {
        res = std::move(*refused);
        body_unread = !parser.is_done();
        keep_alive = !body_unread && parser.get().keep_alive();
      } else {
        if (!parser.is_done()) {
          // curl and others wait for this before sending a large body.
          if (const auto* expect = req.header("Expect"); expect && beast::iequals(*expect, "100-continue")) {
            static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
            auto [cec, cn] = co_await asio::async_write(stream, asio::buffer(go_on.data(), go_on.size()),
                                                        tuple_awaitable);
            if (cec) break;
          }
          auto [bec, bbytes] = co_await bhttp::async_read(stream, buffer, parser, tuple_awaitable);
          if (bec == bhttp::error::body_limit) {
            res = error(413, fmt::format("Request body larger than {} bytes", options_.body_limit));
            body_unread = true;
          } else if (bec) {
            break;
          }
        }
        if (!body_unread) {
          keep_alive = parser.get().keep_alive();
          req.body = std::move(parser.get().body());
          auto handling = handle(req, routes_, console_);
          res = co_await std::move(handling);
        }
      }
    }
    if (decorator_) decorator_(req, res);
    if (stopping_) keep_alive = false;

    const bool head = req.method == "HEAD";
    if (res.stream && !head) {
      bhttp::response<bhttp::empty_body> header{static_cast<bhttp::status>(res.status), 11};
      header.set(bhttp::field::content_type, res.content_type);
      for (const auto& [k, v] : res.headers) set_header(header, k, v);
      header.chunked(true);
      header.keep_alive(false);
      bhttp::response_serializer<bhttp::empty_body> sr{header};
      stream.expires_after(options_.write_timeout);
      auto [wec, wn] = co_await bhttp::async_write_header(stream, sr, tuple_awaitable);
      if (wec) break;
      chunk_writer writer(stream, options_.write_timeout);
      stream.expires_never();
      co_await res.stream(writer);
      stream.expires_after(options_.write_timeout);
      co_await asio::async_write(stream, bhttp::make_chunk_last(), tuple_awaitable);
      break;
    }

    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), 11};
    if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
    for (const auto& [k, v] : res.headers) set_header(out, k, v);
    out.body() = head ? std::string() : std::move(res.body);
    out.keep_alive(keep_alive && !body_unread);
    out.prepare_payload();
    stream.expires_after(options_.write_timeout);
    auto [wec, wn] = co_await bhttp::async_write(stream, out, tuple_awaitable);
    if (wec) break;
    if (body_unread) {
      // Closing with the body still arriving would reset the connection
      // and the client could lose our answer: stop sending, then discard
      // what comes for a short while.
      boost::system::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      stream.expires_after(std::chrono::seconds(2));
      std::array<char, 16384> sink;
      std::size_t drained = 0;
      while (drained < (4u << 20)) {
        auto [dec, dn] = co_await stream.async_read_some(asio::buffer(sink), tuple_awaitable);
        drained += dn;
        if (dec) break;
      }
      break;
    }
    if (!keep_alive) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace leoflow::http
