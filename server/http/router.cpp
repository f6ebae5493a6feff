// Pattern matching over path segments with literal-first precedence.
#include "server/http/router.hpp"

#include <optional>
#include <set>

#include "schema/database.hpp"
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

void router::add(std::string method, std::string pattern, handler h) {
  auto segments = split_path(pattern);
  routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(h)});
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
  // A full disk is the one store failure a client can act on (retry later);
  // it answers 507 with what happened. Never co_await inside catch (g++ 12).
  std::optional<response> full;
  try {
    auto running = cache_ ? cache_->serve(req, *m.h) : (*m.h)(req);
    co_return co_await std::move(running);
  } catch (const schema::disk_full& e) {
    full = error(507, e.what());
  }
  co_return std::move(*full);
}

}  // namespace leoflow::http
