// Maps (method, path pattern) to handlers. Patterns are '/'-separated with
// {name} segments; a literal segment beats a {name} one, so /dagRuns/list
// wins over /dagRuns/{dag_run_id}. A path that matches with another method
// gets 405 with Allow; no match at all gets 404. Handlers never see sockets.
// Each route is registered with its contract (query parameters, body schema,
// who may call it): the endpoint table `leoflow routes --json` prints.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "server/http/message.hpp"

namespace leoflow::http {

using handler = std::function<boost::asio::awaitable<response>(request&)>;

// Who may call a route: anyone (health, version, the sign-in), a signed-in
// user (everything else on the main listener; no-auth when no admin is
// configured), or a running try with its token (the execution API).
enum class access { open, login, try_token };

// What a query parameter holds. The sweeps choose their bad values by it.
enum class param_type {
  text,          // free text (patterns, ids)
  text_list,     // repeated or comma-separated text
  integer,       // a whole number (map_index: -1 or more)
  integer_list,  // repeated whole numbers
  number,        // a decimal number (durations)
  boolean,
  datetime,      // ISO 8601
  choice,        // one of a fixed set
  choice_list,   // repeated values, each one of a fixed set
  order_by,      // attribute names, each optionally prefixed by '-'
  update_mask,   // the body fields to apply
  limit,         // page size, 0 or more (capped)
  offset,        // page start, 0 or more
  count,         // how many, 1 or more (capped)
  root,          // an IDE root: the index or name of a watched folder
  file_path,     // a path inside an IDE root
};

struct query_param {
  std::string name;
  param_type type = param_type::text;
  bool required = false;
};
using query_list = std::vector<query_param>;

// A route's contract besides its method and path.
struct route_doc {
  query_list query;
  std::string body;  // the JSON body's schema (Airflow's name where it has one); empty: no body
  access auth = access::login;
};

// One row of the endpoint table.
struct route_entry {
  std::string method;
  std::string pattern;
  route_doc doc;
};

std::string_view to_string(access a);
std::string_view to_string(param_type t);

// Builders for route_doc::query, so that registrations read as a list.
namespace param {
inline query_param of(std::string name, param_type type, bool required = false) {
  return {std::move(name), type, required};
}
inline query_param text(std::string name, bool required = false) { return of(std::move(name), param_type::text, required); }
inline query_param boolean(std::string name) { return of(std::move(name), param_type::boolean); }
inline query_param integer(std::string name) { return of(std::move(name), param_type::integer); }
inline query_param datetime(std::string name) { return of(std::move(name), param_type::datetime); }
inline query_param order_by() { return of("order_by", param_type::order_by); }
inline query_param update_mask() { return of("update_mask", param_type::update_mask); }
// limit and offset.
query_list paging();
// <name>_gte, _gt, _lte and _lt, each of `type`.
query_list range(std::string_view name, param_type type = param_type::datetime);
}  // namespace param

// Joins query_param and query_list arguments into one list.
template <class... Parts>
query_list query_of(Parts&&... parts) {
  query_list out;
  auto append = [&out](auto&& part) {
    if constexpr (std::is_same_v<std::decay_t<decltype(part)>, query_param>)
      out.push_back(std::forward<decltype(part)>(part));
    else
      out.insert(out.end(), part.begin(), part.end());
  };
  (append(std::forward<Parts>(parts)), ...);
  return out;
}

class response_cache;

class router {
 public:
  void add(std::string method, std::string pattern, route_doc doc, handler h);

  // Every registered route with its contract, in registration order.
  std::vector<route_entry> table() const;

  // Matched requests go through `cache` (which decides what it keeps).
  void use_cache(response_cache& cache) { cache_ = &cache; }

  // Finds the handler, fills req.path_params, and runs it. Exceptions
  // propagate (handle() in exchange.hpp maps them).
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
    route_doc doc;
    handler h;
  };
  std::vector<route> routes_;
  response_cache* cache_ = nullptr;
};

std::vector<std::string> split_path(std::string_view path);

}  // namespace leoflow::http
