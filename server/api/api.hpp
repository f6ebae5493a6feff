// The REST API: Airflow 3's /api/v2 paths, parameters and JSON shapes, served
// from the store. Each file adds one family of routes to the router.
#pragma once

#include <functional>
#include <string>

#include "server/http/router.hpp"
#include "services/service_context.hpp"

namespace leoflow {
class console;
class event_bus;
class secret_registry;
namespace schema {
class database;
}
namespace services {
class scheduling;
}
}  // namespace leoflow

namespace leoflow::api {

// What the handlers may use. Hooks are optional; the engine fills in the ones
// it has (the scheduler, the watcher).
struct api_context {
  schema::database& db;
  console& out;
  event_bus& events;
  std::string leoflow_version;
  std::string logs_dir;
  // Hears about state changes (the scheduler); null in tests without one.
  services::scheduling* scheduler = nullptr;
  // Called after a DAG was deleted through the API (stop its work).
  std::function<void(const std::string& dag_id)> dag_deleted;
  // Masks XCom values shown through the API; told when connections or
  // variables change. Optional.
  secret_registry* secrets = nullptr;
  // Asks the watcher to parse a file again (parseDagFile).
  std::function<void(const std::string& fileloc)> reparse;
};

// What the services of a request write to and tell.
inline services::service_context services_of(const api_context& ctx) {
  return {ctx.db, ctx.events, ctx.scheduler, ctx.logs_dir, ctx.dag_deleted};
}

void add_monitor_routes(http::router& r, api_context& ctx);
void add_dag_routes(http::router& r, api_context& ctx);
void add_import_error_routes(http::router& r, api_context& ctx);
void add_run_routes(http::router& r, api_context& ctx);
void add_task_instance_routes(http::router& r, api_context& ctx);
void add_misc_routes(http::router& r, api_context& ctx);
void add_pool_routes(http::router& r, api_context& ctx);

}  // namespace leoflow::api
