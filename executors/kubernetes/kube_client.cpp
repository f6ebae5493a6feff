// The Kubernetes REST client: connect, TLS, one exchange, streamed bodies.
#include "executors/kubernetes/kube_client.hpp"

#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include "common/json.hpp"

namespace leoflow::kubernetes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t reply_limit = 256 * 1024 * 1024;  // a list of many pods

std::string describe(const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return "timed out";
  return ec.message();
}

}  // namespace

std::string kube_reply::reason() const {
  if (status == 0) return error.empty() ? "no answer" : error;
  if (auto doc = json::try_parse(body); doc && doc->is_object())
    if (auto m = json::get_string(doc->as_object(), "message")) return fmt::format("HTTP {}: {}", status, *m);
  std::string shown = body.substr(0, 300);
  while (!shown.empty() && (shown.back() == '\n' || shown.back() == ' ')) shown.pop_back();
  return shown.empty() ? fmt::format("HTTP {}", status) : fmt::format("HTTP {}: {}", status, shown);
}

void stream_stop::stop() {
  // Coroutine-safe: the flag and the cancel live on the stream's executor.
  asio::post(ex_, [self = shared_from_this()] {
    self->stopped_ = true;
    if (self->cancel_) self->cancel_();
  });
}

struct kube_client::impl {
  asio::any_io_executor ex;
  kube_credentials creds;
  ssl::context ctx{ssl::context::tls_client};

  impl(asio::any_io_executor e, kube_credentials c) : ex(std::move(e)), creds(std::move(c)) {
    if (!creds.tls) return;
    boost::system::error_code ec;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (creds.insecure_skip_tls_verify) {
      ctx.set_verify_mode(ssl::verify_none);
    } else {
      ctx.set_verify_mode(ssl::verify_peer);
      if (!creds.ca_pem.empty())
        ctx.add_certificate_authority(asio::buffer(creds.ca_pem), ec);
      else
        ctx.set_default_verify_paths(ec);
      if (ec) throw std::runtime_error(fmt::format("the cluster CA of {} cannot be used: {}", creds.description, ec.message()));
      ctx.set_verify_callback(
          ssl::host_name_verification(creds.tls_server_name.empty() ? creds.host : creds.tls_server_name));
    }
    if (!creds.client_certificate_pem.empty()) {
      ctx.use_certificate_chain(asio::buffer(creds.client_certificate_pem), ec);
      if (!ec) ctx.use_private_key(asio::buffer(creds.client_key_pem), ssl::context::pem, ec);
      if (ec)
        throw std::runtime_error(
            fmt::format("the client certificate of {} cannot be used: {}", creds.description, ec.message()));
    }
  }

  http::request<http::string_body> make(const std::string& method, const std::string& target, std::string body,
                                        const std::string& content_type) {
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(creds.base_path + target);
    req.version(11);
    req.set(http::field::host, creds.host.find(':') != std::string::npos ? "[" + creds.host + "]:" + creds.port
                                                                         : creds.host + ":" + creds.port);
    req.set(http::field::user_agent, "leoflow-lite");
    req.set(http::field::accept, "application/json");
    if (const auto token = current_token(creds); !token.empty())
      req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      req.set(http::field::content_type, content_type);
      req.body() = std::move(body);
    }
    req.prepare_payload();
    return req;
  }

  // Connects `tcp` (and the TLS layer when there is one) within `timeout`.
  asio::awaitable<boost::system::error_code> connect(beast::tcp_stream& tcp_layer, std::chrono::seconds timeout) {
    tcp::resolver resolver(ex);
    auto [rec, endpoints] = co_await resolver.async_resolve(creds.host, creds.port, tuple_awaitable);
    if (rec) co_return rec;
    tcp_layer.expires_after(timeout);
    auto [cec, ep] = co_await tcp_layer.async_connect(endpoints, tuple_awaitable);
    co_return cec;
  }

  template <typename Stream>
  asio::awaitable<kube_reply> exchange(Stream& stream, beast::tcp_stream& tcp_layer,
                                       http::request<http::string_body>& req, std::chrono::seconds timeout) {
    kube_reply reply;
    tcp_layer.expires_after(timeout);
    auto [wec, written] = co_await http::async_write(stream, req, tuple_awaitable);
    if (wec) {
      reply.error = fmt::format("sending the request failed: {}", describe(wec));
      co_return reply;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(reply_limit);
    auto [rec, read] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
    if (rec) {
      reply.error = fmt::format("reading the answer failed: {}", describe(rec));
      co_return reply;
    }
    reply.status = parser.get().result_int();
    reply.body = std::move(parser.get().body());
    co_return reply;
  }

  template <typename Stream>
  asio::awaitable<kube_reply> stream_body(Stream& stream, beast::tcp_stream& tcp_layer,
                                          http::request<http::string_body>& req,
                                          const std::function<void(std::string_view)>& on_line,
                                          stream_stop& stop, std::chrono::seconds idle) {
    kube_reply reply;
    tcp_layer.expires_after(std::chrono::seconds(30));
    auto [wec, written] = co_await http::async_write(stream, req, tuple_awaitable);
    if (wec) {
      reply.error = fmt::format("sending the request failed: {}", describe(wec));
      co_return reply;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    tcp_layer.expires_after(idle);
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, tuple_awaitable);
    if (hec) {
      reply.error = stop.stopped_ ? "stopped" : fmt::format("reading the answer failed: {}", describe(hec));
      co_return reply;
    }
    reply.status = parser.get().result_int();
    std::string pending;
    char chunk[16384];
    while (!parser.is_done()) {
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof chunk;
      tcp_layer.expires_after(idle);
      auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, tuple_awaitable);
      const std::size_t got = sizeof chunk - parser.get().body().size;
      if (!reply.ok()) {
        reply.body.append(chunk, got);
      } else if (got > 0) {
        pending.append(chunk, got);
        std::size_t start = 0;
        for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
          if (!stop.stopped_) on_line(std::string_view(pending).substr(start, nl - start));
        pending.erase(0, start);
      }
      if (ec == http::error::need_buffer) ec = {};
      if (stop.stopped_) {
        reply.error = "stopped";
        co_return reply;
      }
      if (ec) {
        reply.error = fmt::format("the stream ended: {}", describe(ec));
        break;
      }
    }
    if (!pending.empty() && reply.ok() && !stop.stopped_) on_line(pending);
    co_return reply;
  }
};

kube_client::kube_client(asio::any_io_executor ex, kube_credentials credentials)
    : impl_(std::make_unique<impl>(std::move(ex), std::move(credentials))) {}

kube_client::~kube_client() = default;

const kube_credentials& kube_client::credentials() const { return impl_->creds; }

asio::awaitable<kube_reply> kube_client::request(std::string method, std::string target, std::string body,
                                                 std::string content_type, std::chrono::seconds timeout) {
  auto req = impl_->make(method, target, std::move(body), content_type);
  auto ex = co_await asio::this_coro::executor;
  kube_reply reply;
  if (!impl_->creds.tls) {
    beast::tcp_stream stream(ex);
    if (auto ec = co_await impl_->connect(stream, timeout)) {
      reply.error = fmt::format("cannot connect to {}:{}: {}", impl_->creds.host, impl_->creds.port, describe(ec));
      co_return reply;
    }
    reply = co_await impl_->exchange(stream, stream, req, timeout);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return reply;
  }
  beast::ssl_stream<beast::tcp_stream> stream(ex, impl_->ctx);
  if (auto ec = co_await impl_->connect(beast::get_lowest_layer(stream), timeout)) {
    reply.error = fmt::format("cannot connect to {}:{}: {}", impl_->creds.host, impl_->creds.port, describe(ec));
    co_return reply;
  }
  const auto& sni = impl_->creds.tls_server_name.empty() ? impl_->creds.host : impl_->creds.tls_server_name;
  SSL_set_tlsext_host_name(stream.native_handle(), sni.c_str());
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, tuple_awaitable);
  if (hec) {
    reply.error = fmt::format("TLS with {}:{} failed: {}", impl_->creds.host, impl_->creds.port, describe(hec));
    co_return reply;
  }
  reply = co_await impl_->exchange(stream, beast::get_lowest_layer(stream), req, timeout);
  beast::get_lowest_layer(stream).close();
  co_return reply;
}

asio::awaitable<kube_reply> kube_client::stream_lines(std::string target, std::function<void(std::string_view)> on_line,
                                                      std::shared_ptr<stream_stop> stop,
                                                      std::chrono::seconds idle_timeout) {
  auto req = impl_->make("GET", target, {}, {});
  auto ex = co_await asio::this_coro::executor;
  kube_reply reply;
  if (stop->stopped_) {
    reply.error = "stopped";
    co_return reply;
  }
  struct clear_cancel {
    stream_stop& s;
    ~clear_cancel() { s.cancel_ = nullptr; }
  };
  if (!impl_->creds.tls) {
    beast::tcp_stream stream(ex);
    stop->cancel_ = [&stream] { stream.cancel(); };
    clear_cancel guard{*stop};
    if (auto ec = co_await impl_->connect(stream, std::chrono::seconds(30))) {
      reply.error = fmt::format("cannot connect to {}:{}: {}", impl_->creds.host, impl_->creds.port, describe(ec));
      co_return reply;
    }
    reply = co_await impl_->stream_body(stream, stream, req, on_line, *stop, idle_timeout);
    co_return reply;
  }
  beast::ssl_stream<beast::tcp_stream> stream(ex, impl_->ctx);
  stop->cancel_ = [&stream] { beast::get_lowest_layer(stream).cancel(); };
  clear_cancel guard{*stop};
  if (auto ec = co_await impl_->connect(beast::get_lowest_layer(stream), std::chrono::seconds(30))) {
    reply.error = fmt::format("cannot connect to {}:{}: {}", impl_->creds.host, impl_->creds.port, describe(ec));
    co_return reply;
  }
  const auto& sni = impl_->creds.tls_server_name.empty() ? impl_->creds.host : impl_->creds.tls_server_name;
  SSL_set_tlsext_host_name(stream.native_handle(), sni.c_str());
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, tuple_awaitable);
  if (hec) {
    reply.error = fmt::format("TLS with {}:{} failed: {}", impl_->creds.host, impl_->creds.port, describe(hec));
    co_return reply;
  }
  reply = co_await impl_->stream_body(stream, beast::get_lowest_layer(stream), req, on_line, *stop, idle_timeout);
  beast::get_lowest_layer(stream).close();
  co_return reply;
}

}  // namespace leoflow::kubernetes
