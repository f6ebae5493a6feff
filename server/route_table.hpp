// The main listener's routes, in one place: what the engine serves, what the
// fuzz harnesses drive and what `leoflow routes --json` lists.
#pragma once

#include "server/api/api.hpp"
#include "server/auth/gate.hpp"
#include "server/http/router.hpp"
#include "server/ide/ide.hpp"

namespace leoflow {

// The REST API, the UI's files, views and event stream, the IDE's file API
// and the sign-in endpoints. The execution API has a listener of its own
// (execution::add_execution_routes).
void add_main_routes(http::router& r, api::api_context& api, ide::ide_service& ide, auth::gate& gate);

}  // namespace leoflow
