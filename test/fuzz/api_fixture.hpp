// The server's routes for the HTTP and JSON-body harnesses, wired as the
// engine wires them: a real SQLite store in a temporary folder holding one
// registered DAG, the REST API, the UI routes, the IDE file API on a
// temporary folder, and the login gate (no config file, so no-auth) as the
// request filter. One instance per fuzzing process.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "common/console.hpp"
#include "common/event_bus.hpp"
#include "schema/database.hpp"
#include "server/api/api.hpp"
#include "server/auth/gate.hpp"
#include "server/http/exchange.hpp"
#include "server/http/router.hpp"
#include "server/ide/ide.hpp"

namespace leoflow::fuzz {

class api_fixture {
 public:
  api_fixture();
  ~api_fixture();

  api_fixture(const api_fixture&) = delete;
  api_fixture& operator=(const api_fixture&) = delete;

  // The process-wide instance, built on first use.
  static api_fixture& instance();

  // Runs one request through http::respond, as a server session does, and
  // returns the response (with a streamed body left unread).
  http::response run(http::request& req);

 private:
  std::filesystem::path dir_;
  std::FILE* null_;
  console out_;
  event_bus events_;
  std::unique_ptr<schema::database> db_;
  std::unique_ptr<api::api_context> api_;
  std::unique_ptr<ide::ide_service> ide_;
  std::unique_ptr<auth::gate> gate_;
  http::router routes_;
  http::request_filter filter_;
};

// A JSON document for the "etl" DAG as the parser prints it.
extern const char* const seed_parser_output;

}  // namespace leoflow::fuzz
