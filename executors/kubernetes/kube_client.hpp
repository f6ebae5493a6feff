// A small client of the Kubernetes REST API: Beast over TLS (the cluster's
// CA, a bearer token or a client certificate), one connection per request,
// JSON in and out, and streamed bodies read line by line for watches and
// followed logs. Beast and OpenSSL stay in the .cpp.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "executors/kubernetes/kube_config.hpp"

namespace leoflow::kubernetes {

struct kube_reply {
  int status = 0;      // 0: no answer (see error)
  std::string body;    // the response body (for streams: only when not 2xx)
  std::string error;   // a transport failure: refused, reset, TLS, timeout
  bool ok() const { return status >= 200 && status < 300; }
  // One line for logs: the Status object's message, else the transport error.
  std::string reason() const;
};

// Stops a running stream_lines from outside; safe to call at any time, from
// any thread, before, during or after the stream.
class stream_stop : public std::enable_shared_from_this<stream_stop> {
 public:
  explicit stream_stop(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}
  void stop();
  bool stopped() const { return stopped_; }

 private:
  friend class kube_client;
  boost::asio::any_io_executor ex_;  // where the stream runs
  bool stopped_ = false;              // on ex_
  std::function<void()> cancel_;      // on ex_, set while a stream runs
};

class kube_client {
 public:
  // Throws std::runtime_error when the TLS material cannot be loaded.
  kube_client(boost::asio::any_io_executor ex, kube_credentials credentials);
  ~kube_client();
  kube_client(const kube_client&) = delete;
  kube_client& operator=(const kube_client&) = delete;

  const kube_credentials& credentials() const;

  // One request; `target` is the path and query under the server's URL.
  boost::asio::awaitable<kube_reply> request(std::string method, std::string target, std::string body = {},
                                             std::string content_type = "application/json",
                                             std::chrono::seconds timeout = std::chrono::seconds(30));

  // A GET whose body is read as it comes, one call of `on_line` per line
  // (without its newline). Ends when the server closes the body, the
  // connection drops, nothing arrives for `idle_timeout`, or `stop` is
  // called. Must be awaited on `stop`'s executor.
  boost::asio::awaitable<kube_reply> stream_lines(std::string target, std::function<void(std::string_view)> on_line,
                                                  std::shared_ptr<stream_stop> stop,
                                                  std::chrono::seconds idle_timeout);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace leoflow::kubernetes
