// Maps (method, path pattern) to handlers. Patterns are '/'-separated with
// {name} segments; a literal segment beats a {name} one, so /dagRuns/list
// wins over /dagRuns/{dag_run_id}. A path that matches with another method
// gets 405 with Allow; no match at all gets 404. Handlers never see sockets.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "server/http/message.hpp"

namespace leoflow::http {

using handler = std::function<boost::asio::awaitable<response>(request&)>;

class response_cache;

class router {
 public:
  void add(std::string method, std::string pattern, handler h);

  // Matched requests go through `cache` (which decides what it keeps).
  void use_cache(response_cache& cache) { cache_ = &cache; }

  // Finds the handler, fills req.path_params, and runs it. A schema::disk_full
  // from the handler becomes 507 Insufficient Storage with its message; other
  // exceptions propagate (the server turns them into 500).
  boost::asio::awaitable<response> dispatch(request& req) const;

  // Only the decision, for tests: the matched pattern or a status (404/405).
  struct match_result {
    const handler* h = nullptr;
    std::string pattern;
    int status = 200;
    std::string allow;
  };
  match_result match(request& req) const;

 private:
  struct route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    handler h;
  };
  std::vector<route> routes_;
  response_cache* cache_ = nullptr;
};

std::vector<std::string> split_path(std::string_view path);

}  // namespace leoflow::http
