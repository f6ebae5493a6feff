// `leoflow lite DIR...`: the local hot-reloading server.
#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

#include "common/paths.hpp"
#include "executors/kubernetes/kubernetes_settings.hpp"
#include "schema/database.hpp"
#include "server/auth/auth_config.hpp"
#include "server/auth/host_policy.hpp"
#include "server/cli/args.hpp"
#include "server/cli/commands.hpp"
#include "server/engine.hpp"
#include "server/version.hpp"

namespace leoflow::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* lite_help = R"(Usage: leoflow lite [DIR...] [--port N] [--host ADDR] [--executor auto|k8s|subprocess]
       leoflow lite forget DAG_ID... | --all [--dry-run]
       leoflow lite provision [--kubernetes]
       leoflow lite reset-password [--user NAME]

Serves the DAG projects under each DIR with hot reload: the API at
http://127.0.0.1:8088/api/v2, the UI at http://127.0.0.1:8088/.

With no DIR it serves the workspace chosen with `leoflow setup --workspace`.
A folder holding dag.py or leoflow.yaml is one project; otherwise each of its
sub-folders that does is one. Save a DAG file and its new version registers at
once; a broken file keeps the last good version and shows the traceback here
and in GET /api/v2/importErrors.

Options:
  --port N               listen on port N (default 8088; 0 picks a free port)
  --host ADDR            listen address (default 127.0.0.1); 0.0.0.0 and other
                         non-loopback addresses only once an admin exists
                         (`leoflow setup`), otherwise 127.0.0.1 is kept
  --allowed-host NAME    with a login: a host name clients reach Lite by, besides
                         its addresses (repeatable; name, name:port, *.domain)
  --executor E           where tries run: subprocess (local processes), k8s (a pod
                         per try, on the cluster of $LEOFLOW_HOME/kubernetes.yaml),
                         or auto (default): k8s when that cluster answers
  --database URL         the store (default sqlite://$LEOFLOW_HOME/dev/lite.db; also
                         LEOFLOW_DATABASE_URL); postgresql://user@host:port/db is
                         experimental (docs/postgresql.md)
  --paused-at-creation   new DAGs start paused, as in Airflow
  --parse-timeout SECS   kill a parse that runs longer (default 30)
  --verbose              more detail in the terminal

Subcommands (each has --help):
  forget           deregister DAGs (their runs, XCom and logs) from the Lite DB
  provision        check and prepare python3, venv, the Lite DB and folders
                   (--kubernetes: a local k3d cluster for --executor k8s)
  reset-password   a new password for a user; older tokens stop working

State lives in $LEOFLOW_HOME (default ~/.leoflow): config.yaml (login),
dev/lite.db, dev/logs, dev/venvs, kubernetes.yaml (the cluster for k8s).
)";

std::optional<long> to_number(const std::string& text) {
  long v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

int lite_command(const std::vector<std::string>& argv, console& out) {
  if (!argv.empty()) {
    const std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (argv[0] == "forget") return forget_command(rest, out);
    if (argv[0] == "provision") return provision_command(rest, out);
    if (argv[0] == "reset-password") return reset_password_command(rest, out);
  }
  arg_spec spec;
  spec.flags = {"--paused-at-creation", "--verbose"};
  spec.options = {"--port", "--host", "--parse-timeout", "--allowed-host", "--executor", "--database"};
  spec.repeatable = {"--allowed-host"};
  std::string error;
  auto args = parse_args(argv, spec, error);
  if (!args) {
    out.failure(fmt::format("leoflow lite: {}", error), "Run `leoflow lite --help` for usage.");
    return 2;
  }
  if (args->help) {
    std::fputs(lite_help, stdout);
    return 0;
  }
  if (args->positional.empty()) {
    // The workspace from `leoflow setup`, when there is one.
    auto read = auth::read_auth_config(home_layout::under(leoflow_home()).config_file);
    if (auto* cfg = std::get_if<std::optional<auth::auth_config>>(&read); cfg && *cfg && (*cfg)->workspace)
      args->positional.push_back(*(*cfg)->workspace);
  }
  if (args->positional.empty()) {
    out.failure("leoflow lite: give at least one DAG folder",
                "Usage: leoflow lite DIR... (e.g. leoflow lite dags/), or set a workspace with "
                "`leoflow setup --workspace DIR`");
    return 2;
  }
  engine_options options;
  for (const auto& d : args->positional) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) {
      out.failure(fmt::format("leoflow lite: {} is not a folder", d),
                  "Create it with `leoflow init " + d + "/my_dag`, or pass an existing folder.");
      return 1;
    }
    options.dag_folders.push_back(fs::canonical(d));
  }
  if (auto port = args->value("--port")) {
    auto n = to_number(*port);
    if (!n || *n < 0 || *n > 65535) {
      out.failure(fmt::format("leoflow lite: --port {} is not a port number (0-65535)", *port));
      return 2;
    }
    options.port = static_cast<unsigned short>(*n);
  }
  if (auto timeout = args->value("--parse-timeout")) {
    auto n = to_number(*timeout);
    if (!n || *n <= 0) {
      out.failure(fmt::format("leoflow lite: --parse-timeout {} is not a positive number of seconds", *timeout));
      return 2;
    }
    options.parse_timeout = std::chrono::seconds(*n);
  }
  if (auto host = args->value("--host")) options.host = *host;
  for (const auto& name : args->values("--allowed-host")) {
    auto normalized = auth::normalize_allowed_host(name);
    if (!normalized) {
      out.failure(fmt::format("leoflow lite: --allowed-host {} is not a host name", name),
                  "Give the name clients use to reach Lite, e.g. --allowed-host lite.example.com "
                  "(or name:port, or *.example.com).");
      return 2;
    }
    options.allowed_hosts.push_back(*normalized);
  }
  std::optional<std::string> database = args->value("--database");
  if (!database)
    if (const char* env = std::getenv("LEOFLOW_DATABASE_URL"); env && *env) database = env;
  if (database) {
    try {
      options.database = schema::parse_database_url(*database);
    } catch (const schema::store_error& e) {
      out.failure("leoflow lite: the database URL is not one Leoflow can use", e.what());
      return 2;
    }
  }
  options.executor = "auto";
  if (auto e = args->value("--executor")) {
    if (*e == "k8s" || *e == "kubernetes")
      options.executor = "kubernetes";
    else if (*e == "subprocess" || *e == "auto")
      options.executor = *e;
    else {
      out.failure(fmt::format("leoflow lite: --executor {} is not auto, k8s or subprocess", *e));
      return 2;
    }
  }
  // The cluster `leoflow lite provision --kubernetes` set up (or the user wrote).
  const auto k8s_file = leoflow_home() / "kubernetes.yaml";
  std::error_code exists_ec;
  if (fs::exists(k8s_file, exists_ec)) {
    auto read = kubernetes::read_kubernetes_file(k8s_file);
    if (auto* bad = std::get_if<kubernetes::settings_error>(&read)) {
      out.failure(fmt::format("leoflow lite: {}: {}: {}", k8s_file.string(), bad->key, bad->message),
                  "Fix it, or remove it to run tasks as local processes.");
      return 2;
    }
    options.kubernetes = std::make_shared<kubernetes::kubernetes_settings>(std::get<kubernetes::kubernetes_settings>(read));
    options.kubernetes_source = k8s_file.string();
  }
  options.paused_at_creation = args->has("--paused-at-creation");
  out.set_verbose(args->has("--verbose"));
  options.home = leoflow_home();
  auto sdk = find_sdk_dir();
  if (!sdk) {
    out.failure("leoflow lite: cannot find the Leoflow Python packages (sdk/)",
                fmt::format("Looked next to {}; set LEOFLOW_SDK to the sdk folder.",
                            executable_path().string()));
    return 1;
  }
  options.sdk_dir = *sdk;
  std::string problem;
  options.python = resolve_python(problem);
  if (options.python.empty()) {
    out.failure("leoflow lite: no Python interpreter", problem);
    return 1;
  }
  return run_engine(options, out);
}

int version_command(const std::vector<std::string>& argv, console& out) {
  std::fputs(fmt::format("leoflow {} (Airflow REST API 3.2.1, SQLite store schema {})\n",
                         leoflow_version, 1)
                 .c_str(),
             stdout);
  return 0;
}

std::string usage() {
  return R"(Usage: leoflow COMMAND [ARGS]

Commands:
  lite DIR...      serve DAG projects locally with hot reload (API, UI, runs)
  lite forget      deregister DAGs from the Lite DB (files untouched)
  lite provision   check and prepare python3, venv, the Lite DB and folders
  lite reset-password
                   a new password for a user; older tokens stop working
  init DIR         create a DAG project that registers and runs as it is
  setup            create the admin login and the workspace (config.yaml)
  compile DIR...   parse DAG projects as Lite does; exit 1 on any error (CI)
  db check|migrate the store's reachability and schema version; migrations
  routes --json    print the endpoint table (routes, parameters, bodies, auth)
  version          print the version

Run `leoflow COMMAND --help` for a command's options.
)";
}

}  // namespace leoflow::cli
