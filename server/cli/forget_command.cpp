// `leoflow lite forget <dag_id>... | --all [--dry-run]`: deregisters DAGs
// through the Lite DB with the watcher's cascade (versions, runs, task
// instances, XCom in one transaction per DAG, then the DAG's log folder),
// never touching source files. Safe while a server runs on the same file.
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "common/paths.hpp"
#include "schema/dag_store.hpp"
#include "schema/database.hpp"
#include "server/cli/args.hpp"
#include "server/cli/commands.hpp"

namespace leoflow::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* forget_help = R"(Usage: leoflow lite forget DAG_ID... [--dry-run]
       leoflow lite forget --all [--dry-run]

Deregisters DAGs from the Lite database: their versions, runs, task
instances and XCom rows, and their logs under $LEOFLOW_HOME/dev/logs. The DAG
files are not touched. Works whether or not a server is running; a running
one drops the DAG at once and registers it again when its files change.

Options:
  --all       every registered DAG
  --dry-run   print what would be removed (DAGs, versions, runs, task
              instances, XCom rows, log files) and change nothing

Exit status: 0 done, 1 when a named DAG is not registered (nothing is
removed then), 2 for a usage error.
)";

struct planned {
  std::string dag_id;
  schema::dag_footprint rows;
  long long log_files = 0;
};

// The DAG's log folder, named as the executor names it.
std::optional<fs::path> log_dir(const fs::path& logs, const std::string& dag_id) {
  return logs / safe_path_segment(dag_id);
}

long long count_files(const std::optional<fs::path>& dir) {
  if (!dir) return 0;
  long long n = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(*dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) ++n;
  return n;
}

std::string describe(const planned& p) {
  auto plural = [](long long n, const char* one, const char* many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
  };
  return fmt::format("{}, {}, {}, {}, {}", plural(p.rows.versions, "version", "versions"),
                     plural(p.rows.runs, "run", "runs"),
                     plural(p.rows.task_instances, "task instance", "task instances"),
                     plural(p.rows.xcoms, "XCom row", "XCom rows"), plural(p.log_files, "log file", "log files"));
}

}  // namespace

int forget_command(const std::vector<std::string>& argv, console& out) {
  arg_spec spec;
  spec.flags = {"--all", "--dry-run"};
  std::string error;
  auto args = parse_args(argv, spec, error);
  if (!args) {
    out.failure(fmt::format("leoflow lite forget: {}", error), "Run `leoflow lite forget --help` for usage.");
    return 2;
  }
  if (args->help) {
    std::fputs(forget_help, stdout);
    return 0;
  }
  const bool all = args->has("--all");
  const bool dry_run = args->has("--dry-run");
  if (all == !args->positional.empty()) {
    out.failure("leoflow lite forget: name DAG ids or give --all (not both)",
                "Usage: leoflow lite forget DAG_ID... | --all [--dry-run]");
    return 2;
  }
  const auto layout = home_layout::under(leoflow_home());
  std::error_code ec;
  if (!fs::exists(layout.database, ec)) {
    if (all) {
      out.info(fmt::format("no Lite database at {}: nothing to forget", layout.database.string()));
      return 0;
    }
    out.failure(fmt::format("leoflow lite forget: no Lite database at {}", layout.database.string()),
                "Nothing is registered yet (is LEOFLOW_HOME right?).");
    return 1;
  }
  std::unique_ptr<schema::database> db;
  try {
    db = std::make_unique<schema::database>(layout.database, 1);
  } catch (const schema::store_error& e) {
    out.failure("leoflow lite forget: cannot open the Lite database", e.what());
    return 1;
  }

  std::vector<planned> plan;
  std::vector<std::string> unknown;
  try {
    db->write_now([&](soci::session& s) {
      std::vector<std::string> ids;
      if (all) {
        for (const auto& p : schema::list_dag_projects(s)) ids.push_back(p.dag_id);
        std::sort(ids.begin(), ids.end());
      } else {
        for (const auto& id : args->positional) {
          if (std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
          if (schema::find_dag(s, id))
            ids.push_back(id);
          else
            unknown.push_back(id);
        }
      }
      for (const auto& id : ids)
        plan.push_back({id, schema::count_dag_rows(s, id), count_files(log_dir(layout.logs, id))});
    });
  } catch (const std::exception& e) {
    db->stop();
    out.failure("leoflow lite forget: cannot read the Lite database", e.what());
    return 1;
  }
  if (!unknown.empty()) {
    db->stop();
    std::string names;
    for (const auto& u : unknown) names += (names.empty() ? "" : ", ") + u;
    out.failure(fmt::format("leoflow lite forget: not registered: {}", names),
                "Nothing was removed. `GET /api/v2/dags` lists what is registered.");
    return 1;
  }
  if (plan.empty()) {
    db->stop();
    out.info("no DAGs are registered: nothing to forget");
    return 0;
  }

  planned total;
  for (const auto& p : plan) {
    total.rows.versions += p.rows.versions;
    total.rows.runs += p.rows.runs;
    total.rows.task_instances += p.rows.task_instances;
    total.rows.xcoms += p.rows.xcoms;
    total.log_files += p.log_files;
  }
  if (dry_run) {
    db->stop();
    out.info(fmt::format("would forget {} DAG{} (dry run, nothing changed):", plan.size(),
                         plan.size() == 1 ? "" : "s"));
    for (const auto& p : plan) std::fputs(fmt::format("  {}: {}\n", p.dag_id, describe(p)).c_str(), stdout);
    if (plan.size() > 1) std::fputs(fmt::format("  total: {}\n", describe(total)).c_str(), stdout);
    std::fflush(stdout);
    return 0;
  }

  int failures = 0;
  for (const auto& p : plan) {
    bool removed = false;
    try {
      removed = db->write_now([&](soci::session& s) {
        const bool deleted = schema::delete_dag(s, p.dag_id);
        if (deleted) {
          schema::event_record e;
          e.event = "delete_dag";
          e.dag_id = p.dag_id;
          e.owner = "cli";
          e.extra = R"({"source": "leoflow lite forget"})";
          schema::log_event(s, e);
        }
        return deleted;
      });
    } catch (const std::exception& e) {
      out.failure(fmt::format("cannot forget {}", p.dag_id), e.what());
      ++failures;
      continue;
    }
    if (auto dir = log_dir(layout.logs, p.dag_id)) fs::remove_all(*dir, ec);
    if (removed)
      out.success(fmt::format("forgot {} ({})", p.dag_id, describe(p)));
    else
      out.info(fmt::format("{} was already gone", p.dag_id));
  }
  db->stop();
  return failures ? 1 : 0;
}

}  // namespace leoflow::cli
