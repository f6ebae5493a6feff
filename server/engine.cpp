// Assembling and running the engine.
#include "server/engine.hpp"

#include <csignal>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>

#include "common/child_process.hpp"
#include "common/event_bus.hpp"
#include "common/paths.hpp"
#include "schema/database.hpp"
#include "server/api/api.hpp"
#include "server/http/server.hpp"
#include "server/ui/ui.hpp"
#include "server/version.hpp"
#include "watcher/watcher.hpp"

namespace leoflow {

namespace asio = boost::asio;
namespace fs = std::filesystem;

std::filesystem::path resolve_python(std::string& problem) {
  std::string candidate;
  if (const char* p = std::getenv("LEOFLOW_PYTHON"); p && *p) candidate = p;
  auto found = find_program(candidate.empty() ? "python3" : candidate);
  if (!found) {
    problem = candidate.empty() ? "python3 was not found on PATH (apt-get install python3 python3-venv)"
                                : fmt::format("LEOFLOW_PYTHON={} is not an executable", candidate);
    return {};
  }
  // Ask the interpreter for its real path once, through whatever shim found it.
  asio::io_context io;
  spawn_options o;
  o.executable = *found;
  o.args = {"-c", "import sys; print(sys.executable)"};
  o.env = current_environment();
  auto fut = asio::co_spawn(io, run_captured(o, {}, std::chrono::seconds(20), 1 << 16), asio::use_future);
  io.run();
  captured_output r;
  try {
    r = fut.get();
  } catch (const std::exception& e) {
    problem = fmt::format("cannot run {}: {}", found->string(), e.what());
    return {};
  }
  std::string path = r.out;
  while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
  if (!r.status.success() || path.empty()) {
    problem = fmt::format("{} does not start: {}", found->string(), r.status.describe());
    return {};
  }
  return path;
}

namespace {

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

int run_engine(const engine_options& options, console& out) {
  const auto layout = home_layout::under(options.home);
  try {
    layout.create_directories();
  } catch (const fs::filesystem_error& e) {
    out.failure(fmt::format("cannot create {}", layout.dev.string()), e.what());
    return 1;
  }
  std::unique_ptr<store::database> db;
  try {
    db = std::make_unique<store::database>(layout.database);
  } catch (const store::store_error& e) {
    out.failure("cannot open the Lite database", e.what());
    return 1;
  }

  asio::io_context io(static_cast<int>(options.threads));
  event_bus events;

  api::api_context api{*db, out, events, std::string(leoflow_version), layout.logs.string()};
  http::router routes;
  api::add_monitor_routes(routes, api);
  api::add_dag_routes(routes, api);
  api::add_import_error_routes(routes, api);
  ui::add_ui_routes(routes, api);

  std::string host = options.host;
  if (!is_loopback(host)) {
    out.warning(fmt::format(
        "no login is configured, so Lite stays on this machine: --host {} was changed to 127.0.0.1 "
        "(run `leoflow setup` to create an admin, or use `ssh -L 8088:localhost:8088 <host>`)",
        host));
    host = "127.0.0.1";
  }
  http::server_options server_options;
  server_options.address = host == "localhost" ? "127.0.0.1" : host;
  server_options.port = options.port;
  http::server server(io, routes, out, server_options);
  unsigned short port = 0;
  try {
    port = server.start();
  } catch (const boost::system::system_error& e) {
    out.failure(fmt::format("cannot listen on {}:{}: {}", server_options.address, options.port,
                            e.code().message()),
                e.code() == asio::error::address_in_use
                    ? "Another program (another `leoflow lite`?) uses that port; choose one with --port N."
                    : "");
    return 1;
  }

  watcher::watcher_options wopts;
  wopts.roots = options.dag_folders;
  wopts.tick = options.tick;
  wopts.max_parallel = std::max<std::size_t>(1, std::thread::hardware_concurrency());
  wopts.paused_at_creation = options.paused_at_creation;
  wopts.logs_dir = layout.logs;
  wopts.parser.python = options.python;
  wopts.parser.sdk_dir = options.sdk_dir;
  wopts.parser.home = layout.home;
  wopts.parser.environment = current_environment();
  wopts.parser.timeout = options.parse_timeout;
  watcher::watcher_listener heard;
  heard.dag_registered = [&events](const std::string& dag_id, int version) {
    events.publish("dag_version", {{"dag_id", dag_id}, {"version_number", version}});
  };
  heard.dag_removed = [&events](const std::string& dag_id) {
    events.publish("dag_removed", {{"dag_id", dag_id}});
  };
  heard.import_status = [&events](const std::string& fileloc, const std::string& error) {
    events.publish("import_error", {{"filename", fileloc}, {"stack_trace", error}, {"cleared", error.empty()}});
  };
  watcher::watcher watch(io.get_executor(), *db, out, wopts, heard);
  api.reparse = [&watch](const std::string& fileloc) { watch.touch(fs::path(fileloc)); };
  api.dag_deleted = [&events](const std::string& dag_id) {
    events.publish("dag_removed", {{"dag_id", dag_id}});
  };

  std::string folders;
  for (const auto& f : options.dag_folders) folders += (folders.empty() ? "" : ", ") + f.string();
  out.info(fmt::format("Leoflow Lite {} listening on http://{}:{} (watching {})", leoflow_version,
                       server_options.address == "::1" ? "[::1]" : server_options.address, port,
                       folders));
  out.warning("no login configured: the API and UI are open to anyone on this machine "
              "(run `leoflow setup` to create an admin)");

  asio::co_spawn(io, watch.start(), [&out](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      out.failure("the watcher failed to start", ex.what());
    }
  });

  asio::signal_set signals(io, SIGINT, SIGTERM);
  int signals_seen = 0;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int) {
        if (ec) return;
        if (++signals_seen == 1) {
          out.info("stopping … (press Ctrl-C again to stop at once)");
          server.stop();
          watch.stop();
          signals.async_wait(on_signal);
          // Give sessions and parses a moment to wind down, then stop.
          auto grace = std::make_shared<asio::steady_timer>(io, std::chrono::seconds(3));
          grace->async_wait([&io, grace](const boost::system::error_code&) { io.stop(); });
          asio::post(io, [&io, &server, grace] {
            if (server.connection_count() == 0) io.stop();
          });
        } else {
          io.stop();
        }
      };
  signals.async_wait(on_signal);

  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < options.threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  db->stop();
  out.info("stopped");
  return 0;
}

}  // namespace leoflow
