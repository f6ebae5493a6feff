// /api/v2/version and /api/v2/monitor/health.
#include <soci/soci.h>

#include "common/clock.hpp"
#include "schema/database.hpp"
#include "server/api/api.hpp"
#include "server/api/serializers.hpp"

namespace leoflow::api {

namespace asio = boost::asio;
using http::request;
using http::response;

void add_monitor_routes(http::router& r, api_context& ctx) {
  r.add("GET", "/api/v2/version", {.auth = http::access::open}, [&ctx](request&) -> asio::awaitable<response> {
    // The Airflow API version Lite implements; git_version says what serves it.
    co_return http::json(bj::object{{"version", "3.2.1"},
                                    {"git_version", "leoflow-lite " + ctx.leoflow_version}});
  });

  r.add("GET", "/api/v2/monitor/health", {.auth = http::access::open}, [&ctx](request&) -> asio::awaitable<response> {
    auto probe = [](soci::session& s) {
      int one = 0;
      s << "SELECT 1", soci::into(one);
      return one == 1;
    };
    bool db_ok = false;
    std::exception_ptr failure;
    try {
      db_ok = co_await ctx.db.read(std::move(probe));
    } catch (...) {
      failure = std::current_exception();
    }
    const std::string beat = format_python_iso(now());
    const char* status = db_ok && !failure ? "healthy" : "unhealthy";
    co_return http::json(bj::object{
        {"metadatabase", bj::object{{"status", status}}},
        {"scheduler", bj::object{{"status", "healthy"}, {"latest_scheduler_heartbeat", beat}}},
        {"triggerer", bj::object{{"status", nullptr}, {"latest_triggerer_heartbeat", nullptr}}},
        {"dag_processor", bj::object{{"status", "healthy"}, {"latest_dag_processor_heartbeat", beat}}},
    });
  });
}

}  // namespace leoflow::api
