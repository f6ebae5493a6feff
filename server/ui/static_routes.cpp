// Routes for the UI bundle: the files themselves, and the SPA fallback that
// answers index.html for the UI's own page paths. The fallback is a fixed set
// of patterns (/, /{page}, /dags/...), so /api/, /auth/ and /ui/ are never
// shadowed: an unknown path under them stays a JSON 404.
#include <memory>
#include <set>

#include <fmt/format.h>

#include "common/embedded.hpp"
#include "server/ui/static_assets.hpp"
#include "server/ui/ui.hpp"

namespace leoflow::ui {

namespace asio = boost::asio;
using http::request;
using http::response;

namespace {

// First path segments that belong to the server, never to the SPA.
const std::set<std::string, std::less<>> reserved_roots = {"api", "auth", "ui"};

// How deep a /dags/... page path goes: /dags/{dag_id}/runs/{run_id}/tasks/{task_id}.
constexpr int max_dag_page_depth = 6;

response not_built() {
  response res;
  res.status = 503;
  res.content_type = "text/plain; charset=utf-8";
  res.body =
      "The web UI is not part of this build (configured with -DLEOFLOW_BUILD_WWW=OFF).\n"
      "The REST API is served under /api/v2.\n";
  return res;
}

response spa_page(const static_assets& assets, const request& req) {
  const auto* index = assets.index();
  if (!index) return not_built();
  return assets.serve(req, *index);
}

}  // namespace

void add_static_routes(http::router& r) {
  auto assets = std::make_shared<const static_assets>(embedded::www());

  auto page = [assets](request& req) -> asio::awaitable<response> { co_return spa_page(*assets, req); };

  auto root_file = [assets](request& req) -> asio::awaitable<response> {
    const auto& name = req.param("page");
    if (const auto* a = assets->find(name); a && !a->html) co_return assets->serve(req, *a);
    if (reserved_roots.contains(name)) co_return http::error(404, "Not Found");
    // A missing file (favicon.ico, robots.txt) is a 404, not the SPA page.
    if (name.find('.') != std::string::npos) co_return http::error(404, "Not Found");
    co_return spa_page(*assets, req);
  };

  auto asset_file = [assets](request& req) -> asio::awaitable<response> {
    const auto path = "assets/" + req.param("file");
    if (const auto* a = assets->find(path)) co_return assets->serve(req, *a);
    co_return http::error(404, "Not Found");
  };

  for (const char* method : {"GET", "HEAD"}) {
    r.add(method, "/", {}, page);
    r.add(method, "/{page}", {}, root_file);
    r.add(method, "/assets/{file}", {}, asset_file);
    std::string pattern = "/dags";
    for (int depth = 1; depth <= max_dag_page_depth; ++depth) {
      pattern += fmt::format("/{{p{}}}", depth);
      r.add(method, pattern, {}, page);
    }
  }
}

void add_ui_routes(http::router& r, api::api_context& ctx) {
  add_static_routes(r);
  add_event_routes(r, ctx);
  add_view_routes(r, ctx);
}

}  // namespace leoflow::ui
