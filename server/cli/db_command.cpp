// `leoflow db check|migrate`: the store's reachability and schema version,
// and applying the migrations it lacks, for SQLite and PostgreSQL alike.
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/paths.hpp"
#include "schema/database.hpp"
#include "server/cli/args.hpp"
#include "server/cli/commands.hpp"
#include "server/daemon/server_config.hpp"

namespace leoflow::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* db_help = R"(Usage: leoflow db check [--database URL | --config FILE]
       leoflow db migrate [--database URL | --config FILE]

check     prints the database (its password hidden), whether it answers and
          which server it is, the schema version and the pending migrations,
          one line each; exit 0 when it answers and nothing is pending,
          1 otherwise
migrate   applies the pending migrations (safe while other servers start:
          on PostgreSQL they wait for each other)

The database is, in this order: --database URL, the `database:` of
leoflow-server's FILE, LEOFLOW_DATABASE_URL, else Lite's SQLite file
$LEOFLOW_HOME/dev/lite.db. URLs: sqlite:///absolute/path,
postgresql://user@host:port/dbname (or libpq's key=value form).
)";

// The database the options name; nullopt after printing why not.
std::optional<schema::database_url> chosen_database(const parsed_args& args, console& out) {
  try {
    if (auto url = args.value("--database")) return schema::parse_database_url(*url);
    if (auto file = args.value("--config")) {
      auto read = daemon::read_server_config(*file);
      if (auto* bad = std::get_if<daemon::config_error>(&read)) {
        out.failure(fmt::format("leoflow db: {}: {}: {}", *file, bad->key, bad->message));
        return std::nullopt;
      }
      const auto& config = std::get<daemon::server_config>(read);
      if (config.database) return config.database;
      return schema::sqlite_database(home_layout::under(config.home).database);
    }
    if (const char* env = std::getenv("LEOFLOW_DATABASE_URL"); env && *env) return schema::parse_database_url(env);
  } catch (const schema::store_error& e) {
    out.failure("leoflow db: the database URL is not one Leoflow can use", e.what());
    return std::nullopt;
  }
  return schema::sqlite_database(home_layout::under(leoflow_home()).database);
}

int check(const schema::database_url& url) {
  std::printf("database: %s\n", url.display().c_str());
  std::error_code ec;
  if (url.kind == schema::backend::sqlite && !fs::exists(url.sqlite_file, ec)) {
    std::printf("reachable: no: the file does not exist yet (Lite creates it on its first start)\n");
    return 1;
  }
  schema::schema_status status;
  try {
    status = schema::read_schema_status(url);
  } catch (const schema::store_error& e) {
    std::printf("reachable: no: %s\n", e.what());
    return 1;
  }
  std::printf("reachable: yes (%s)\n", status.server.c_str());
  if (status.current > status.latest) {
    std::printf("schema version: %d, newer than this binary knows (%d): upgrade leoflow\n", status.current,
                status.latest);
    return 1;
  }
  std::printf("schema version: %d of %d\n", status.current, status.latest);
  const int pending = status.latest - status.current;
  if (pending == 0) {
    std::printf("pending migrations: none\n");
    return 0;
  }
  std::printf("pending migrations: %d (run `leoflow db migrate`)\n", pending);
  return 1;
}

int migrate(const schema::database_url& url, console& out) {
  int before = 0;
  try {
    if (url.kind == schema::backend::postgresql || fs::exists(url.sqlite_file)) before = schema::read_schema_status(url).current;
    schema::database db(url, 1);
  } catch (const schema::store_error& e) {
    out.failure(fmt::format("leoflow db migrate: {} was not migrated", url.display()), e.what());
    return 1;
  }
  const int latest = schema::latest_schema_version();
  if (before == latest)
    std::printf("%s: already at schema version %d, nothing to do\n", url.display().c_str(), latest);
  else
    std::printf("%s: migrated from schema version %d to %d\n", url.display().c_str(), before, latest);
  return 0;
}

}  // namespace

int db_command(const std::vector<std::string>& argv, console& out) {
  arg_spec spec;
  spec.options = {"--database", "--config"};
  std::string error;
  auto args = parse_args(argv, spec, error);
  if (!args) {
    out.failure(fmt::format("leoflow db: {}", error), "Run `leoflow db --help` for usage.");
    return 2;
  }
  if (args->help) {
    std::fputs(db_help, stdout);
    return 0;
  }
  if (args->positional.size() != 1 || (args->positional[0] != "check" && args->positional[0] != "migrate")) {
    out.failure("leoflow db: say check or migrate", db_help);
    return 2;
  }
  if (args->value("--database") && args->value("--config")) {
    out.failure("leoflow db: give --database or --config, not both");
    return 2;
  }
  auto url = chosen_database(*args, out);
  if (!url) return 2;
  return args->positional[0] == "check" ? check(*url) : migrate(*url, out);
}

}  // namespace leoflow::cli
