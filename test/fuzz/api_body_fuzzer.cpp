// Fuzzes every JSON request body the API accepts: the first byte picks a
// route, the rest is the body, sent through http::respond to the real handler
// (REST API, IDE file API, login) over a real store with one DAG.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "test/fuzz/api_fixture.hpp"

namespace {

struct body_route {
  std::string_view method;
  std::string_view target;
};

// Every route that reads a JSON body, with ids that exist where one does.
constexpr std::array<body_route, 20> routes{{
    {"PATCH", "/api/v2/dags?dag_id_pattern=etl"},
    {"PATCH", "/api/v2/dags/etl"},
    {"POST", "/api/v2/dags/etl/dagRuns"},
    {"PATCH", "/api/v2/dags/etl/dagRuns/manual__1"},
    {"POST", "/api/v2/dags/etl/dagRuns/manual__1/clear"},
    {"POST", "/api/v2/dags/etl/clearTaskInstances"},
    {"POST", "/api/v2/variables"},
    {"PATCH", "/api/v2/variables/key"},
    {"POST", "/api/v2/connections"},
    {"PATCH", "/api/v2/connections/conn"},
    {"PATCH", "/api/v2/dags/etl/dagRuns/manual__1/taskInstances/extract"},
    {"PATCH", "/api/v2/dags/etl/dagRuns/manual__1/taskInstances/extract/0"},
    {"POST", "/api/v2/dags/etl/dagRuns/manual__1/taskInstances/extract/xcomEntries"},
    {"PATCH", "/api/v2/dags/etl/dagRuns/manual__1/taskInstances/extract/xcomEntries/key"},
    {"PUT", "/api/v2/ide/file"},
    {"POST", "/api/v2/ide/file"},
    {"POST", "/api/v2/ide/folder"},
    {"POST", "/api/v2/ide/rename"},
    {"POST", "/auth/token"},
    {"POST", "/auth/login"},
}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto& fixture = leoflow::fuzz::api_fixture::instance();
  const auto& route = routes[data[0] % routes.size()];
  leoflow::http::request req;
  req.method = std::string(route.method);
  req.target = std::string(route.target);
  req.remote_address = "127.0.0.1";
  req.headers["Host"] = "127.0.0.1";  // past the gate's Host check, to the handlers
  req.headers["Content-Type"] = "application/json";
  req.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  auto res = fixture.run(req);
  // A body can be wrong, never a reason for a 5xx.
  if (res.status >= 500 && res.status != 503) __builtin_trap();
  return 0;
}
