// Pattern matching over path segments with literal-first precedence.
#include "server/http/router.hpp"

#include <set>

#include "server/http/response_cache.hpp"

namespace leoflow::http {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') {
      ++start;
      continue;
    }
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(start, end - start));
    start = end;
  }
  return out;
}

std::string_view to_string(access a) {
  switch (a) {
    case access::open: return "open";
    case access::login: return "login";
    case access::try_token: return "try_token";
  }
  return "login";
}

std::string_view to_string(param_type t) {
  switch (t) {
    case param_type::text: return "text";
    case param_type::text_list: return "text_list";
    case param_type::integer: return "integer";
    case param_type::integer_list: return "integer_list";
    case param_type::number: return "number";
    case param_type::boolean: return "boolean";
    case param_type::datetime: return "datetime";
    case param_type::choice: return "choice";
    case param_type::choice_list: return "choice_list";
    case param_type::order_by: return "order_by";
    case param_type::update_mask: return "update_mask";
    case param_type::limit: return "limit";
    case param_type::offset: return "offset";
    case param_type::count: return "count";
    case param_type::root: return "root";
    case param_type::file_path: return "file_path";
  }
  return "text";
}

namespace param {

query_list paging() { return {of("limit", param_type::limit), of("offset", param_type::offset)}; }

query_list range(std::string_view name, param_type type) {
  query_list out;
  for (std::string_view bound : {"_gte", "_gt", "_lte", "_lt"}) out.push_back(of(std::string(name) + std::string(bound), type));
  return out;
}

}  // namespace param

void router::add(std::string method, std::string pattern, route_doc doc, handler h) {
  auto segments = split_path(pattern);
  routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(doc), std::move(h)});
}

std::vector<route_entry> router::table() const {
  std::vector<route_entry> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back({r.method, r.pattern, r.doc});
  return out;
}

router::match_result router::match(request& req) const {
  auto raw = split_path(req.path);
  std::vector<std::string> decoded;
  decoded.reserve(raw.size());
  for (const auto& seg : raw) {
    auto d = percent_decode(seg, false);
    if (!d) return {nullptr, {}, 404, {}};
    decoded.push_back(std::move(*d));
  }

  const route* best = nullptr;
  std::vector<bool> best_score;
  std::set<std::string> allowed;
  for (const auto& r : routes_) {
    if (r.segments.size() != decoded.size()) continue;
    std::vector<bool> score;
    bool ok = true;
    for (std::size_t i = 0; i < decoded.size() && ok; ++i) {
      const auto& p = r.segments[i];
      const bool is_param = p.size() > 2 && p.front() == '{' && p.back() == '}';
      if (!is_param && p != decoded[i]) ok = false;
      score.push_back(!is_param);
    }
    if (!ok) continue;
    if (r.method != req.method) {
      allowed.insert(r.method);
      continue;
    }
    if (!best || score > best_score) {
      best = &r;
      best_score = std::move(score);
    }
  }
  if (!best) {
    if (allowed.empty()) return {nullptr, {}, 404, {}};
    std::string allow;
    for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    return {nullptr, {}, 405, allow};
  }
  req.path_params.clear();
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    const auto& p = best->segments[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}')
      req.path_params[p.substr(1, p.size() - 2)] = decoded[i];
  }
  return {&best->h, best->pattern, 200, {}};
}

boost::asio::awaitable<response> router::dispatch(request& req) const {
  auto m = match(req);
  if (m.status == 404) co_return error(404, "Not Found");
  if (m.status == 405) {
    auto r = error(405, "Method Not Allowed");
    r.headers.emplace_back("Allow", m.allow);
    co_return r;
  }
  auto running = cache_ ? cache_->serve(req, *m.h) : (*m.h)(req);
  co_return co_await std::move(running);
}

}  // namespace leoflow::http
