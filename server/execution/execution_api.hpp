// The execution API: how a running try talks back to the server, in the
// shape of Airflow 3's Task Execution API where it fits (its context, state,
// heartbeat, XComs, variables, connections). Served on its own listener and
// authenticated by try tokens only (never the UI's login): a token lets a try
// act on itself and read what its run may read.
#pragma once

#include "server/http/router.hpp"

namespace leoflow {
class console;
class secret_registry;
namespace schema {
class database;
}
namespace executors {
class try_endpoint;
class try_tokens;
}  // namespace executors
}  // namespace leoflow

namespace leoflow::execution {

struct execution_context {
  schema::database& db;
  const executors::try_tokens& tokens;
  executors::try_endpoint& tries;
  console& out;
  // Told when a try sets a variable (the masker rebuilds). Optional.
  secret_registry* secrets = nullptr;
};

void add_execution_routes(http::router& r, execution_context& ctx);

}  // namespace leoflow::execution
