// The web UI's server side: the embedded bundle (with SPA fallback routing
// that never shadows /api/), the live event stream, and the few /ui/ views
// that /api/v2 cannot serve in one request. See docs/ui.md.
#pragma once

#include "server/api/api.hpp"
#include "server/http/router.hpp"

namespace leoflow::ui {

void add_ui_routes(http::router& r, api::api_context& ctx);

// Parts of add_ui_routes, separately for tests and for other pages (/ide).
void add_static_routes(http::router& r);
void add_event_routes(http::router& r, api::api_context& ctx);
void add_view_routes(http::router& r, api::api_context& ctx);

}  // namespace leoflow::ui
