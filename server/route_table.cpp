// Every family of routes on the main listener, added in the engine's order.
#include "server/route_table.hpp"

#include "server/ui/ui.hpp"

namespace leoflow {

void add_main_routes(http::router& r, api::api_context& api, ide::ide_service& ide, auth::gate& gate) {
  api::add_monitor_routes(r, api);
  api::add_dag_routes(r, api);
  api::add_import_error_routes(r, api);
  api::add_run_routes(r, api);
  api::add_task_instance_routes(r, api);
  api::add_misc_routes(r, api);
  api::add_pool_routes(r, api);
  ui::add_ui_routes(r, api);
  ide::add_ide_routes(r, ide);
  gate.add_routes(r);
}

}  // namespace leoflow
