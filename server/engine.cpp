// Assembling and running the engine.
#include "server/engine.hpp"

#include <atomic>
#include <cstdlib>
#include <csignal>
#include <set>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>

#include "common/child_process.hpp"
#include "common/event_bus.hpp"
#include "common/paths.hpp"
#include "common/hash.hpp"
#include "common/secret_masker.hpp"
#include "executors/kubernetes/image_builder.hpp"
#include "executors/kubernetes/kube_client.hpp"
#include "executors/kubernetes/kubernetes_executor.hpp"
#include "executors/kubernetes/kubernetes_settings.hpp"
#include "executors/subprocess_executor.hpp"
#include "executors/try_tokens.hpp"
#include "executors/venv_manager.hpp"
#include "schema/config_store.hpp"
#include "schema/database.hpp"
#include "scheduler/scheduler.hpp"
#include "server/api/api.hpp"
#include "server/auth/gate.hpp"
#include "server/execution/execution_api.hpp"
#include "server/http/response_cache.hpp"
#include "server/http/server.hpp"
#include "server/ide/ide.hpp"
#include "server/route_table.hpp"
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

// Which executor runs the tries, and why (the terminal's first line).
struct executor_choice {
  bool kubernetes = false;
  std::string why;
  std::optional<kubernetes::kube_credentials> credentials;
  bool fatal = false;  // --executor k8s without a usable cluster configuration
};

executor_choice choose_executor(const engine_options& options) {
  executor_choice c;
  if (options.executor == "subprocess") {
    c.why = "tasks run as local processes";
    return c;
  }
  const bool asked = options.executor == "kubernetes";
  if (!options.kubernetes) {
    c.why = asked ? "no Kubernetes cluster is configured: run `leoflow lite provision --kubernetes`, or give the "
                    "kubernetes section of server.yaml"
                  : "no Kubernetes cluster is configured (`leoflow lite provision --kubernetes` sets one up), so tasks "
                    "run as local processes";
    c.fatal = asked;
    return c;
  }
  auto creds = kubernetes::load_credentials(*options.kubernetes);
  if (auto* problem = std::get_if<std::string>(&creds)) {
    c.why = asked ? *problem
                  : fmt::format("the configured cluster ({}) cannot be used: {}; tasks run as local processes",
                                options.kubernetes_source, *problem);
    c.fatal = asked;
    return c;
  }
  auto& credentials = std::get<kubernetes::kube_credentials>(creds);
  if (!asked) {
    if (auto down = kubernetes::probe_cluster(credentials, std::chrono::seconds(3))) {
      c.why = fmt::format("the cluster of {} does not answer ({}), so tasks run as local processes",
                          credentials.description, *down);
      return c;
    }
  }
  c.kubernetes = true;
  c.credentials = std::move(credentials);
  c.why = fmt::format("every try is a pod; {}{}", c.credentials->description,
                      asked ? "" : " answers");
  return c;
}

}  // namespace

int run_engine(const engine_options& options, console& out) {
  const auto choice = choose_executor(options);
  if (choice.fatal) {
    out.failure("executor: kubernetes cannot be used", choice.why);
    return 1;
  }
  out.info(fmt::format("executor: {} — {}", choice.kubernetes ? "kubernetes" : "subprocess", choice.why));
  const auto layout = home_layout::under(options.home);
  try {
    layout.create_directories();
  } catch (const fs::filesystem_error& e) {
    out.failure(fmt::format("cannot create {}", layout.dev.string()), e.what());
    return 1;
  }
  // State written by an older Lite, or under a looser umask: the database
  // holds connection passwords and the logs what tasks printed.
  if (const auto tightened = layout.tighten_permissions(); tightened > 0)
    out.info(fmt::format("made {} file{} and folder{} under {} private to you (other users could read them)",
                         tightened, tightened == 1 ? "" : "s", tightened == 1 ? "" : "s", layout.home.string()));
  std::unique_ptr<schema::database> db;
  const auto database = options.database.value_or(schema::sqlite_database(layout.database));
  if (database.kind == schema::backend::postgresql)
    out.info(fmt::format("store: {} (PostgreSQL: experimental, one server at a time, see docs/postgresql.md)",
                         database.display()));
  try {
    db = std::make_unique<schema::database>(database, options.database_readers);
  } catch (const schema::store_error& e) {
    out.failure(database.kind == schema::backend::sqlite ? "cannot open the Lite database"
                                                         : "cannot open the database",
                e.what());
    return 1;
  }

  asio::io_context io(static_cast<int>(options.threads));
  event_bus events;

  // What logs, rendered fields, XCom in the API and import errors hide: the
  // store's connections and variables, and the server's AIRFLOW_CONN_* /
  // AIRFLOW_VAR_* variables (tasks and parses see those too).
  const auto server_env = current_environment();
  secret_registry secrets(environment_secrets(server_env));
  auto load_secrets = [](soci::session& s) {
    secret_sources sources;
    for (const auto& v : schema::list_variables(s, std::nullopt, {}, 1000000, 0, nullptr))
      sources.variables.emplace_back(v.key, v.value.value_or(""));
    for (const auto& c : schema::list_connections(s, std::nullopt, {}, 1000000, 0, nullptr))
      sources.connections.push_back({c.password.value_or(""), c.extra.value_or("")});
    return sources;
  };
  try {
    secrets.update(db->write_now(load_secrets));
  } catch (const schema::store_error& e) {
    out.failure("cannot read the connections and variables", e.what());
    return 1;
  }
  secrets.on_changed([&io, &db, &secrets, &out, load_secrets] {
    // No captures: the coroutine outlives this lambda.
    auto refresh = [](schema::database& db, secret_registry& secrets, decltype(load_secrets) load) -> asio::awaitable<void> {
      auto reading = db.read(load);
      secrets.update(co_await std::move(reading));
    };
    asio::co_spawn(io, refresh(*db, secrets, load_secrets), [&out](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        out.failure("the secrets to mask could not be re-read", ex.what());
      }
    });
  });

  api::api_context api{*db, out, events, std::string(leoflow_version), layout.logs.string()};
  api.secrets = &secrets;
  // The /ide editor's file API over the watched folders.
  ide::ide_service ide_files(options.dag_folders);
  // Repeated reads of the API come from memory until a commit changes the
  // store or the masked secrets change. Answers differ by who asks.
  // LEOFLOW_API_CACHE_MIB sizes it (8 by default; 0 turns it off, which
  // bench/load/load.py --no-cache uses for its comparison).
  std::size_t cache_mib = 8;
  if (const char* mib = std::getenv("LEOFLOW_API_CACHE_MIB"); mib && *mib) cache_mib = std::strtoull(mib, nullptr, 10);
  http::response_cache api_cache(
      [&db, &secrets] { return http::cache_stamp{db->generation(), secrets.current()}; }, cache_mib << 20,
      {std::string(auth::user_header), "Accept"});

  // The login: with an admin in config.yaml every route needs a token;
  // without one Lite is no-auth and only ever bound to loopback.
  std::unique_ptr<auth::gate> gate;
  try {
    gate = std::make_unique<auth::gate>(layout.config_file, out);
  } catch (const auth::config_error& e) {
    out.failure("cannot use the login settings", e.what());
    return 1;
  }
  http::router routes;
  add_main_routes(routes, api, ide_files, *gate);
  if (cache_mib > 0) routes.use_cache(api_cache);
  gate->allow_hosts(options.allowed_hosts);
  // Sign-outs end their token for good: the deny-list lives in the store.
  auth::token_revocations revocations;
  const auto epoch_seconds = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  try {
    revocations.load(db->write_now([&](soci::session& s) { return schema::list_revoked_tokens(s, epoch_seconds()); }),
                     epoch_seconds());
  } catch (const schema::store_error& e) {
    out.failure("cannot read the signed-out tokens", e.what());
    return 1;
  }
  revocations.on_revoke([&db, &io, &out, epoch_seconds](const std::string& id, long long expires_at) {
    // No captures: the coroutine outlives this lambda, its parameters are
    // copied into its frame.
    auto save = [](schema::database& db, std::string id, long long expires_at, long long now) -> asio::awaitable<void> {
      auto writing = db.write([id, expires_at, now](soci::session& s) { schema::revoke_token(s, id, expires_at, now); });
      co_await std::move(writing);
    };
    asio::co_spawn(io, save(*db, id, expires_at, epoch_seconds()), [&out](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        out.failure("a sign-out could not be saved (the token is refused until this server stops)", ex.what());
      }
    });
  });
  gate->use_revocations(revocations);
  http::server_options server_options;
  server_options.address = gate->binding_host(options.host);
  server_options.port = options.port;
  http::server server(io, routes, out, server_options);
  server.set_filter([&gate = *gate](http::request& req) { return gate.filter(req); });
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

  // Running tasks: per-DAG virtualenvs, the subprocess executor, the scheduler.
  executors::venv_manager venvs(io.get_executor(), layout.venvs, options.python, out, server_env);
  executors::subprocess_options xopts;
  xopts.sdk_dir = options.sdk_dir;
  xopts.home = layout.home;
  xopts.scratch_dir = layout.dev / "run";
  xopts.environment = server_env;
  executors::subprocess_executor executor(io.get_executor(), venvs, out, xopts);

  // The Kubernetes executor, its client, the per-project images and the
  // execution API its pods report to (a listener of its own).
  std::unique_ptr<kubernetes::kube_client> kube;
  std::unique_ptr<executors::try_tokens> tokens;
  std::unique_ptr<kubernetes::image_builder> images;
  std::unique_ptr<kubernetes::kubernetes_executor> pods;
  http::router execution_routes;
  std::unique_ptr<execution::execution_context> execution_ctx;
  std::unique_ptr<http::server> execution_server;
  if (choice.kubernetes) {
    const auto& k = *options.kubernetes;
    try {
      kube = std::make_unique<kubernetes::kube_client>(io.get_executor(), *choice.credentials);
      tokens = std::make_unique<executors::try_tokens>(layout.dev / "execution_api.key");
    } catch (const std::exception& e) {
      out.failure("executor: kubernetes cannot be used", e.what());
      return 1;
    }
    auto image_options = k.image;
    image_options.sdk_dir = options.sdk_dir;
    image_options.work_dir = layout.dev / "images";
    images = std::make_unique<kubernetes::image_builder>(io.get_executor(), out, image_options);
    kubernetes::kubernetes_options ko;
    ko.namespace_name = !k.namespace_name.empty() ? k.namespace_name
                        : !choice.credentials->namespace_name.empty() ? choice.credentials->namespace_name
                                                                      : "default";
    ko.server_id = "lite-" + sha256_hex(layout.home.string()).substr(0, 12);
    ko.pods = k.pods;
    ko.staging = k.staging;
    ko.staging_claim = k.staging_claim;
    ko.keep_failed_staging = k.keep_failed_staging;
    ko.delete_finished_pods_after = k.delete_finished_pods_after;
    ko.heartbeat_interval = k.heartbeat_interval;
    ko.heartbeat_timeout = k.heartbeat_timeout;
    ko.pending_timeout = k.pending_timeout;
    ko.kill_grace = k.kill_grace;
    ko.gc_interval = k.gc_interval;
    ko.project_mount = std::string(kubernetes::image_project_dir);
    ko.environment = server_env;
    ko.image_for = [&images](const executors::task_request& r) { return images->ensure(r.project_dir, r.dependencies); };
    ko.active_runs = [&db]() -> asio::awaitable<std::set<std::pair<std::string, std::string>>> {
      auto list = [](soci::session& s) {
        std::set<std::pair<std::string, std::string>> out;
        for (const auto& r : schema::active_runs(s)) out.emplace(r.dag_id, r.run_id);
        return out;
      };
      co_return co_await db->read(std::move(list));
    };
    http::server_options eo;
    eo.address = k.execution_api_host;
    eo.port = k.execution_api_port;
    execution_server = std::make_unique<http::server>(io, execution_routes, out, eo);
    unsigned short execution_port = 0;
    try {
      execution_port = execution_server->start();
    } catch (const boost::system::system_error& e) {
      out.failure(fmt::format("cannot listen on {}:{} for the execution API: {}", eo.address, eo.port, e.code().message()),
                  "Choose another kubernetes.execution_api.port.");
      return 1;
    }
    ko.execution_api_url = !k.execution_api_url.empty()
                               ? k.execution_api_url
                               : fmt::format("http://{}:{}/execution",
                                             eo.address.find(':') != std::string::npos ? "[" + eo.address + "]" : eo.address,
                                             execution_port);
    pods = std::make_unique<kubernetes::kubernetes_executor>(io.get_executor(), *kube, *tokens, out, ko);
    execution_ctx = std::make_unique<execution::execution_context>(
        execution::execution_context{*db, *tokens, *pods, out, &secrets});
    execution::add_execution_routes(execution_routes, *execution_ctx);
    out.info(fmt::format("kubernetes: namespace {}, images by {}, execution API on {}", ko.namespace_name,
                         images->describe(), ko.execution_api_url));
    pods->start();
  }
  executors::executor& task_executor = pods ? static_cast<executors::executor&>(*pods) : executor;

  scheduler::scheduler_options sopts;
  sopts.logs_dir = layout.logs;
  sopts.parallelism = options.parallelism;
  sopts.secrets = &secrets;
  scheduler::scheduler sched(io.get_executor(), *db, task_executor, out, events, sopts);
  api.scheduler = &sched;

  watcher::watcher_options wopts;
  wopts.roots = options.dag_folders;
  wopts.tick = options.tick;
  wopts.max_parallel = std::max<std::size_t>(1, std::thread::hardware_concurrency());
  wopts.paused_at_creation = options.paused_at_creation;
  wopts.logs_dir = layout.logs;
  wopts.parser.python = options.python;
  wopts.parser.sdk_dir = options.sdk_dir;
  wopts.parser.home = layout.home;
  // Parses get what tasks get, never the server's other variables.
  wopts.parser.environment = executors::subprocess_executor::task_environment(server_env);
  wopts.secrets = &secrets;
  wopts.parser.timeout = options.parse_timeout;
  wopts.parser.fork = [&executor](spawn_options o, std::chrono::milliseconds timeout, std::size_t limit) {
    return executor.fork_parse(std::move(o), timeout, limit);
  };
  // Projects parse in their own virtualenv, so their dependencies import.
  wopts.prepare_environment = [&venvs, &options](const watcher::project& p) -> asio::awaitable<watcher::parse_environment> {
    auto status = co_await venvs.ensure(p.venv_name, p.dependencies);
    if (status.ok)
      co_return watcher::parse_environment{status.python, std::nullopt, venvs.venv_dir(p.venv_name) / "pycache"};
    co_return watcher::parse_environment{options.python, status.error, {}};
  };
  // On Kubernetes a version registers only once its project's image exists.
  if (images)
    wopts.prepare_image = [&images](const watcher::project& p) -> asio::awaitable<std::optional<std::string>> {
      auto building = images->ensure(p.dir, p.dependencies);
      auto built = co_await std::move(building);
      if (built.ok) co_return std::nullopt;
      co_return built.error;
    };
  watcher::watcher_listener heard;
  heard.dag_registered = [&events, &sched](const std::string& dag_id, int version, const std::string& fileloc) {
    events.publish(live_event_type::dag_version, {{"dag_id", dag_id}, {"version_number", version}, {"fileloc", fileloc}});
    sched.wake_dag(dag_id);
  };
  heard.dag_removed = [&events, &sched](const std::string& dag_id) {
    events.publish(live_event_type::dag_removed, {{"dag_id", dag_id}});
    sched.dag_removed(dag_id);
  };
  heard.import_status = [&events](const std::string& fileloc, const std::string& error) {
    events.publish(live_event_type::import_error, {{"filename", fileloc}, {"stack_trace", error}, {"cleared", error.empty()}});
  };
  watcher::watcher watch(io.get_executor(), *db, out, wopts, heard);
  api.reparse = [&watch](const std::string& fileloc) { watch.touch(fs::path(fileloc)); };
  ide_files.on_change([&watch](const fs::path& path) { watch.touch(path); });
  api.dag_deleted = [&events, &sched](const std::string& dag_id) {
    events.publish(live_event_type::dag_removed, {{"dag_id", dag_id}});
    sched.dag_removed(dag_id);
  };

  std::string folders;
  for (const auto& f : options.dag_folders) folders += (folders.empty() ? "" : ", ") + f.string();
  out.info(fmt::format("Leoflow Lite {} listening on http://{}:{} (watching {})", leoflow_version,
                       server_options.address == "::1" ? "[::1]" : server_options.address, port,
                       folders));
  gate->announce(server_options.address, port);

  asio::co_spawn(io, watch.start(), [&out](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      out.failure("the watcher failed to start", ex.what());
    }
  });
  asio::co_spawn(io, sched.start(), [&out](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      out.failure("the scheduler failed to start", ex.what());
    }
  });

  const auto& hooks = options.hooks;
  if (hooks.ready) hooks.ready(server_options.address, port);
  std::atomic<bool> stopping{false};

  // Keep-alive for a watchdog: only sent while the I/O threads turn.
  asio::steady_timer heartbeat_timer(io);
  std::function<void(const boost::system::error_code&)> on_heartbeat =
      [&](const boost::system::error_code& ec) {
        if (ec || stopping) return;
        hooks.heartbeat();
        heartbeat_timer.expires_after(hooks.heartbeat_interval);
        heartbeat_timer.async_wait(on_heartbeat);
      };
  if (hooks.heartbeat && hooks.heartbeat_interval.count() > 0) {
    hooks.heartbeat();
    heartbeat_timer.expires_after(hooks.heartbeat_interval);
    heartbeat_timer.async_wait(on_heartbeat);
  }

  // Stopping, in phases: intake stops (no new connections, no new parses),
  // then each drain gets until the grace deadline to let in-flight work end,
  // then the I/O threads stop and the store is flushed. The executor's
  // "let running tasks finish, then stop them" is one more drain here.
  using drain = std::function<asio::awaitable<void>(std::chrono::steady_clock::time_point)>;
  std::vector<drain> drains;
  drains.push_back([&server, &io](std::chrono::steady_clock::time_point deadline) -> asio::awaitable<void> {
    asio::steady_timer poll(io);
    while (server.connection_count() > 0 && std::chrono::steady_clock::now() < deadline) {
      poll.expires_after(std::chrono::milliseconds(10));
      co_await poll.async_wait(asio::use_awaitable);
    }
  });
  // Running tries get the rest of the grace period, then are stopped.
  drains.push_back([&executor, &pods, &execution_server, &sched](std::chrono::steady_clock::time_point deadline)
                       -> asio::awaitable<void> {
    sched.stop();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (pods) {
      // Pods still report through the execution API while they finish.
      co_await pods->shutdown(std::max(left, std::chrono::milliseconds(0)));
      execution_server->stop();
    }
    co_await executor.shutdown(std::max(left, std::chrono::milliseconds(0)));
    // What the last tries reported still reaches the store.
    co_await sched.settle(std::chrono::seconds(10));
  });
  auto shut_down = [&]() -> asio::awaitable<void> {
    const auto deadline = std::chrono::steady_clock::now() + options.shutdown_grace;
    for (auto& d : drains) {
      auto draining = d(deadline);
      co_await std::move(draining);
    }
    io.stop();
  };

  asio::signal_set signals(io, SIGINT, SIGTERM);
  if (hooks.reload) signals.add(SIGHUP);
  int signals_seen = 0;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int number) {
        if (ec) return;
        if (number == SIGHUP) {
          if (!stopping) hooks.reload();
          signals.async_wait(on_signal);
          return;
        }
        if (++signals_seen == 1) {
          stopping = true;
          out.info("stopping … (press Ctrl-C again to stop at once)");
          if (hooks.stopping) hooks.stopping();
          server.stop();
          watch.stop();
          signals.async_wait(on_signal);
          asio::co_spawn(io, shut_down(), [&io, &out](std::exception_ptr e) {
            if (e) out.failure("stopping failed; stopping at once");
            io.stop();
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
