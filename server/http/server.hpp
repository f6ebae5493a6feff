// The HTTP/1.1 server: one coroutine per connection on its own strand,
// keep-alive, a fresh parser per message with body and header limits, a
// timeout before every read and write, a cap on connections, and a graceful
// stop that cancels every session. Handlers come from the router.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server/http/exchange.hpp"
#include "server/http/router.hpp"

namespace leoflow {
class console;
}

namespace leoflow::http {

struct server_options {
  std::string address = "127.0.0.1";
  unsigned short port = 8088;
  std::size_t body_limit = 8 * 1024 * 1024;
  std::size_t header_limit = 16 * 1024;
  std::chrono::seconds request_timeout{30};  // to receive one whole request
  std::chrono::seconds idle_timeout{60};     // between keep-alive requests
  std::chrono::seconds write_timeout{30};
  std::size_t max_connections = 1024;
};

// Runs on every response before it is written (security headers).
using response_decorator = std::function<void(const request&, response&)>;

class server {
 public:
  server(boost::asio::io_context& io, const router& routes, console& out, server_options options);
  ~server();

  // Binds and listens; returns the bound port (useful with port 0). Throws
  // boost::system::system_error when the address cannot be bound.
  unsigned short start();

  // Stops accepting and cancels every session; returns at once.
  void stop();

  void set_filter(request_filter f) { filter_ = std::move(f); }
  void set_decorator(response_decorator d) { decorator_ = std::move(d); }

  std::size_t connection_count() const { return connections_.load(); }

 private:
  struct session_entry {
    boost::asio::any_io_executor executor;
    std::shared_ptr<boost::asio::cancellation_signal> signal;
  };

  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);
  void spawn_session(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  const router& routes_;
  console& console_;
  server_options options_;
  request_filter filter_;
  response_decorator decorator_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<std::size_t> connections_{0};
  std::atomic<bool> stopping_{false};
  std::mutex sessions_mutex_;
  std::uint64_t next_session_ = 0;
  std::map<std::uint64_t, session_entry> sessions_;
};

}  // namespace leoflow::http
