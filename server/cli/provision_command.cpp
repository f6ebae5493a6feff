// `leoflow lite provision`: checks and prepares what Lite needs on this
// machine — python3 and its venv module, the Lite DB (created and migrated),
// the log and venv folders, uv when present, and for the Kubernetes executor
// docker, k3d and kubectl. Each is reported ok or missing with the command
// that fixes it. Idempotent; exits 1 only when something required is missing.
#include <cstdio>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>
#include <soci/soci.h>

#include "common/child_process.hpp"
#include "common/paths.hpp"
#include "schema/database.hpp"
#include "server/cli/args.hpp"
#include "server/cli/commands.hpp"
#include "server/engine.hpp"

namespace leoflow::cli {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr const char* provision_help = R"(Usage: leoflow lite provision [--kubernetes]

Checks and prepares this machine for Leoflow Lite, and says how to fix what
is missing:

  python3        required; the interpreter DAG files are parsed with
  venv module    required; per-DAG virtualenvs (python3-venv on Debian)
  Lite database  required; $LEOFLOW_HOME/dev/lite.db, created and migrated
  folders        required; dev/logs and dev/venvs
  uv             optional; faster virtualenv creation when present
  docker, k3d,   for the Kubernetes executor; required with --kubernetes
  kubectl

Running it again changes nothing that is already in place. Exit status 0 when
everything required is ready, 1 otherwise.
)";

struct report {
  console& out;
  int missing_required = 0;

  void ok(std::string_view what, std::string_view detail) {
    out.success(fmt::format("{:<14} {}", what, detail));
  }
  void missing(std::string_view what, std::string_view detail, std::string_view fix, bool required) {
    if (required) {
      ++missing_required;
      out.failure(fmt::format("{:<14} {}", what, detail), fmt::format("fix: {}", fix));
    } else {
      out.warning(fmt::format("{:<14} {} — fix: {}", what, detail, fix));
    }
  }
};

// Runs a program to completion (bounded time and output); nullopt when it
// cannot start.
std::optional<captured_output> run(const fs::path& exe, std::vector<std::string> args,
                                   std::chrono::seconds timeout = std::chrono::seconds(20)) {
  asio::io_context io;
  spawn_options o;
  o.executable = exe;
  o.args = std::move(args);
  o.env = current_environment();
  auto fut = asio::co_spawn(io, run_captured(o, {}, timeout, 1 << 16), asio::use_future);
  io.run();
  try {
    return fut.get();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string first_line(std::string text) {
  if (auto nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

void check_tool(report& r, const char* name, std::vector<std::string> version_args, const char* purpose,
                const char* fix, bool required) {
  auto found = find_program(name);
  if (!found) {
    r.missing(name, fmt::format("not found ({})", purpose), fix, required);
    return;
  }
  auto v = run(*found, std::move(version_args), std::chrono::seconds(10));
  const std::string version = v && v->status.success() ? first_line(v->out.empty() ? v->err : v->out) : "";
  r.ok(name, version.empty() ? found->string() : fmt::format("{} ({})", version, found->string()));
}

}  // namespace

int provision_command(const std::vector<std::string>& argv, console& out) {
  arg_spec spec;
  spec.flags = {"--kubernetes"};
  std::string error;
  auto args = parse_args(argv, spec, error);
  if (!args) {
    out.failure(fmt::format("leoflow lite provision: {}", error), "Run `leoflow lite provision --help` for usage.");
    return 2;
  }
  if (args->help) {
    std::fputs(provision_help, stdout);
    return 0;
  }
  if (!args->positional.empty()) {
    out.failure(fmt::format("leoflow lite provision: unexpected argument '{}'", args->positional[0]));
    return 2;
  }
  const bool kubernetes = args->has("--kubernetes");
  report r{out};

  std::string problem;
  const auto python = resolve_python(problem);
  if (python.empty()) {
    r.missing("python3", problem, "sudo apt-get install python3 python3-venv", true);
    r.missing("venv module", "cannot be checked without python3", "sudo apt-get install python3-venv", true);
  } else {
    auto v = run(python, {"-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"});
    r.ok("python3", fmt::format("{} ({})", v ? first_line(v->out) : "?", python.string()));
    // Debian splits ensurepip (what `python3 -m venv` needs) into python3-venv.
    auto venv = run(python, {"-c", "import venv, ensurepip; print(ensurepip.version())"});
    if (venv && venv->status.success())
      r.ok("venv module", fmt::format("ok (pip {})", first_line(venv->out)));
    else
      r.missing("venv module", "missing: per-DAG virtualenvs cannot be created",
                "sudo apt-get install python3-venv", true);
  }

  const auto layout = home_layout::under(leoflow_home());
  std::error_code ec;
  const bool had_db = fs::exists(layout.database, ec);
  bool folders_ok = true;
  try {
    layout.create_directories();
    r.ok("folders", fmt::format("{} and {}", layout.logs.string(), layout.venvs.string()));
  } catch (const fs::filesystem_error& e) {
    folders_ok = false;
    r.missing("folders", e.what(), fmt::format("make {} writable, or set LEOFLOW_HOME", layout.home.string()), true);
  }
  if (folders_ok) {
    try {
      schema::database db(layout.database, 1);
      int version = 0;
      db.write_now([&](soci::session& s) { s << "SELECT MAX(version) FROM schema_version", soci::into(version); });
      db.stop();
      r.ok("Lite database", fmt::format("{} ({}, schema {})", layout.database.string(),
                                        had_db ? "present" : "created", version));
    } catch (const std::exception& e) {
      r.missing("Lite database", e.what(),
                fmt::format("move {} aside and run provision again", layout.database.string()), true);
    }
  }

  check_tool(r, "uv", {"--version"}, "optional: faster virtualenvs",
             "curl -LsSf https://astral.sh/uv/install.sh | sh   (or: pipx install uv)", false);

  const char* k8s_purpose = kubernetes ? "needed by the Kubernetes executor" : "only for the Kubernetes executor";
  check_tool(r, "docker", {"--version"}, k8s_purpose, "sudo apt-get install docker.io && sudo usermod -aG docker $USER",
             kubernetes);
  check_tool(r, "k3d", {"version"}, k8s_purpose,
             "curl -s https://raw.githubusercontent.com/k3d-io/k3d/main/install.sh | bash", kubernetes);
  check_tool(r, "kubectl", {"version", "--client"}, k8s_purpose,
             "sudo apt-get install kubectl   (from https://pkgs.k8s.io, see https://kubernetes.io/docs/tasks/tools/)",
             kubernetes);

  if (r.missing_required) {
    out.failure(fmt::format("leoflow lite provision: {} required item{} missing", r.missing_required,
                            r.missing_required == 1 ? " is" : "s are"),
                "Run the fix commands above, then provision again.");
    return 1;
  }
  out.success("everything Lite requires is ready");
  return 0;
}

}  // namespace leoflow::cli
