// `leoflow routes --json`: the endpoint table (every route of both listeners
// with its query parameters, body schema and who may call it), for the route
// sweeps and conformance tests; `--events-json`: the live events of
// /ui/events. The routes are registered exactly as the engine registers them,
// on throwaway parts; nothing is served.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/event_bus.hpp"
#include "common/live_events.hpp"
#include "executors/try_endpoint.hpp"
#include "executors/try_tokens.hpp"
#include "schema/database.hpp"
#include "server/cli/args.hpp"
#include "server/cli/commands.hpp"
#include "server/execution/execution_api.hpp"
#include "server/route_table.hpp"

namespace leoflow::cli {

namespace bj = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* routes_help = R"(Usage: leoflow routes --json | --events-json

Prints the endpoint table as one JSON document on stdout:
{"routes": [{"listener", "method", "path", "path_params", "query": [{"name",
"type", "required"}], "body", "auth"}, ...]}. "listener" is "main" (the API,
UI, IDE and sign-in) or "execution" (the Kubernetes executor's execution
API); "body" names the JSON body's schema, or is null; "auth" is "open",
"login" or "try_token".

--events-json prints the events GET /ui/events streams instead:
{"events": [{"name", "about", "fields": [{"name", "type", "always"}]}, ...]}
("type" as TypeScript says it). See docs/contracts.md.
)";

// The execution routes hold a reference to the tries; listing them calls none.
class unused_tries final : public executors::try_endpoint {
  [[noreturn]] static void refuse() { throw std::logic_error("the routes listing serves no request"); }

 public:
  boost::asio::awaitable<std::optional<executors::live_try>> find(executors::try_identity) override { refuse(); }
  boost::asio::awaitable<std::optional<std::string>> context(executors::try_identity) override { refuse(); }
  boost::asio::awaitable<bool> heartbeat(executors::try_identity) override { refuse(); }
  boost::asio::awaitable<executors::report_outcome> report(executors::try_identity, std::string,
                                                           std::string&) override {
    refuse();
  }
};

// A private folder for the throwaway store, removed on the way out.
class scratch_dir {
 public:
  scratch_dir() {
    std::string pattern = (fs::temp_directory_path() / "leoflow-routes-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary folder");
    path_ = pattern;
  }
  ~scratch_dir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

bj::array describe(const http::router& r, std::string_view listener) {
  bj::array out;
  for (const auto& route : r.table()) {
    bj::array query, path_params;
    for (const auto& q : route.doc.query)
      query.push_back(bj::object{{"name", q.name}, {"type", http::to_string(q.type)}, {"required", q.required}});
    for (const auto& segment : http::split_path(route.pattern))
      if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}')
        path_params.push_back(bj::string(segment.substr(1, segment.size() - 2)));
    out.push_back(bj::object{{"listener", listener},
                             {"method", route.method},
                             {"path", route.pattern},
                             {"path_params", std::move(path_params)},
                             {"query", std::move(query)},
                             {"body", route.doc.body.empty() ? bj::value(nullptr) : bj::value(route.doc.body)},
                             {"auth", http::to_string(route.doc.auth)}});
  }
  return out;
}

bj::object describe_events() {
  bj::array events;
  for (const auto& e : live_events) {
    bj::array fields;
    for (const auto& f : e.fields) fields.push_back(bj::object{{"name", f.name}, {"type", f.type}, {"always", f.always}});
    events.push_back(bj::object{{"name", e.name}, {"about", e.about}, {"fields", std::move(fields)}});
  }
  return bj::object{{"events", std::move(events)}};
}

}  // namespace

int routes_command(const std::vector<std::string>& argv, console& out) {
  std::string error;
  auto args = parse_args(argv, {{"--json", "--events-json"}, {}, {}}, error);
  if (!args) {
    out.failure(fmt::format("leoflow routes: {}", error), routes_help);
    return 2;
  }
  if (args->help) {
    std::fputs(routes_help, stdout);
    return 0;
  }
  if (args->has("--json") == args->has("--events-json") || !args->positional.empty()) {
    out.failure("leoflow routes: say --json or --events-json", routes_help);
    return 2;
  }
  if (args->has("--events-json")) {
    std::fputs((bj::serialize(describe_events()) + "\n").c_str(), stdout);
    return 0;
  }

  scratch_dir scratch;
  schema::database db(scratch.path() / "routes.db", 1);
  event_bus events;
  api::api_context api{db, out, events, "routes", (scratch.path() / "logs").string()};
  ide::ide_service ide({});
  auth::gate gate(scratch.path() / "config.yaml", out);
  http::router main_routes;
  add_main_routes(main_routes, api, ide, gate);

  auto tokens = executors::try_tokens::from_key(std::string(32, 'k'));
  unused_tries tries;
  execution::execution_context execution{db, tokens, tries, out};
  http::router execution_routes;
  execution::add_execution_routes(execution_routes, execution);

  bj::array routes = describe(main_routes, "main");
  for (auto& r : describe(execution_routes, "execution")) routes.push_back(std::move(r));
  std::fputs((bj::serialize(bj::object{{"routes", std::move(routes)}}) + "\n").c_str(), stdout);
  return 0;
}

}  // namespace leoflow::cli
