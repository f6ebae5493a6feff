// `leoflow lite provision`: checks and prepares what Lite needs on this
// machine — python3 and its venv module, the Lite DB (created and migrated),
// the log and venv folders, uv when present; with --kubernetes also a local
// k3d cluster `leoflow-dev` (docker and k3d required), its namespace and RBAC,
// the base image, and $LEOFLOW_HOME/kubernetes.yaml for `--executor k8s`.
// Each item is reported ok or missing with the command that fixes it.
// Idempotent; exits 1 only when something required is missing.
#include <cstdio>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>
#include <soci/soci.h>

#include <fcntl.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>

#include "common/child_process.hpp"
#include "common/embedded.hpp"
#include "common/paths.hpp"
#include "executors/kubernetes/kube_client.hpp"
#include "executors/kubernetes/kubernetes_settings.hpp"
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
  docker, k3d    for the Kubernetes executor; required with --kubernetes

With --kubernetes it also sets up what `leoflow lite --executor k8s` uses:
a local k3d cluster named leoflow-dev, its kubeconfig in
$LEOFLOW_HOME/kubernetes/kubeconfig, the namespace leoflow with the RBAC of
packaging/kubernetes/rbac.yaml, the base image python:3.11-slim imported
into the cluster, and $LEOFLOW_HOME/kubernetes.yaml (docs/kubernetes.md).

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

bool check_tool(report& r, const char* name, std::vector<std::string> version_args, const char* purpose,
                const char* fix, bool required) {
  auto found = find_program(name);
  if (!found) {
    r.missing(name, fmt::format("not found ({})", purpose), fix, required);
    return false;
  }
  auto v = run(*found, std::move(version_args), std::chrono::seconds(10));
  const std::string version = v && v->status.success() ? first_line(v->out.empty() ? v->err : v->out) : "";
  r.ok(name, version.empty() ? found->string() : fmt::format("{} ({})", version, found->string()));
  return true;
}

constexpr const char* docker_fix = "sudo apt-get install docker.io && sudo usermod -aG docker $USER   (log in again after)";
constexpr const char* k3d_fix =
    "curl -s https://raw.githubusercontent.com/k3d-io/k3d/main/install.sh | bash   "
    "(or a release binary from https://github.com/k3d-io/k3d/releases on PATH)";
constexpr const char* cluster_name = "leoflow-dev";
constexpr const char* base_image = "python:3.11-slim";
constexpr unsigned short execution_api_port = 8793;

bool write_private(const fs::path& file, const std::string& text) {
  std::error_code ec;
  create_private_directories(file.parent_path(), ec);
  const auto temporary = file.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  return ::close(fd) == 0 && written && ::rename(temporary.c_str(), file.c_str()) == 0;
}

// The k3d cluster, its kubeconfig, the namespace and RBAC, the base image and
// kubernetes.yaml; each step reported.
void provision_cluster(report& r, console& out) {
  const auto k3d = *find_program("k3d");
  const auto docker = *find_program("docker");
  auto listed = run(k3d, {"cluster", "get", cluster_name}, std::chrono::seconds(30));
  if (listed && listed->status.success()) {
    r.ok("k3d cluster", fmt::format("{} (present)", cluster_name));
  } else {
    out.info(fmt::format("creating the k3d cluster {} (a minute or two) …", cluster_name));
    auto made = run(k3d, {"cluster", "create", cluster_name, "--wait", "--kubeconfig-update-default=false"},
                    std::chrono::seconds(600));
    if (!made || !made->status.success()) {
      r.missing("k3d cluster", fmt::format("`k3d cluster create {}` failed: {}", cluster_name,
                                           made ? first_line(made->err.empty() ? made->out : made->err) : "k3d cannot start"),
                fmt::format("k3d cluster delete {0}; then run provision again (k3d cluster create {0} shows the detail)",
                            cluster_name),
                true);
      return;
    }
    r.ok("k3d cluster", fmt::format("{} (created)", cluster_name));
  }
  const auto home = leoflow_home();
  const auto kubeconfig = home / "kubernetes" / "kubeconfig";
  auto config = run(k3d, {"kubeconfig", "get", cluster_name}, std::chrono::seconds(30));
  if (!config || !config->status.success() || !write_private(kubeconfig, config->out)) {
    r.missing("kubeconfig", "k3d did not give the cluster's kubeconfig", fmt::format("k3d kubeconfig get {}", cluster_name), true);
    return;
  }
  r.ok("kubeconfig", kubeconfig.string());
  auto creds = kubernetes::load_kubeconfig(kubeconfig);
  if (auto* problem = std::get_if<std::string>(&creds)) {
    r.missing("kubeconfig", *problem, fmt::format("k3d kubeconfig get {}", cluster_name), true);
    return;
  }
  // The namespace and RBAC, through Lite's own client.
  std::string rbac_problem;
  int applied = 0;
  {
    asio::io_context io;
    kubernetes::kube_client client(io.get_executor(), std::get<kubernetes::kube_credentials>(creds));
    auto apply = [&]() -> asio::awaitable<void> {
      for (const auto& f : embedded::kubernetes_manifests()) {
        auto objects = kubernetes::read_manifests(std::string(f.data));
        if (auto* bad = std::get_if<std::string>(&objects)) {
          rbac_problem = fmt::format("{}: {}", f.path, *bad);
          co_return;
        }
        for (const auto& o : std::get<std::vector<boost::json::object>>(objects)) {
          const auto path = kubernetes::collection_path(o);
          if (path.empty()) continue;
          auto reply = co_await client.request("POST", path, boost::json::serialize(o));
          if (!reply.ok() && reply.status != 409) {
            rbac_problem = reply.reason();
            co_return;
          }
          ++applied;
        }
      }
    };
    auto fut = asio::co_spawn(io, apply(), asio::use_future);
    io.run();
    fut.get();
  }
  if (!rbac_problem.empty()) {
    r.missing("namespace", fmt::format("applying packaging/kubernetes/rbac.yaml failed: {}", rbac_problem),
              "check that the cluster answers (k3d cluster list), then run provision again", true);
    return;
  }
  r.ok("namespace", fmt::format("leoflow with its service accounts, Role and RoleBinding ({} objects)", applied));
  // The base image: no registry is needed for k3d, the image is imported.
  auto has = run(docker, {"image", "inspect", base_image}, std::chrono::seconds(30));
  if (!has || !has->status.success()) {
    out.info(fmt::format("pulling {} …", base_image));
    auto pulled = run(docker, {"pull", base_image}, std::chrono::seconds(900));
    if (!pulled || !pulled->status.success()) {
      r.missing("base image", fmt::format("docker pull {} failed", base_image),
                fmt::format("docker pull {} (a registry must be reachable), then provision again", base_image), true);
      return;
    }
  }
  auto imported = run(k3d, {"image", "import", base_image, "-c", cluster_name}, std::chrono::seconds(900));
  if (!imported || !imported->status.success()) {
    r.missing("base image", fmt::format("k3d image import {} failed", base_image),
              fmt::format("k3d image import {} -c {}", base_image, cluster_name), true);
    return;
  }
  r.ok("base image", fmt::format("{} (in {})", base_image, cluster_name));
  // Pods reach the host at the gateway of k3d's network.
  auto gateway = run(docker, {"network", "inspect", std::string("k3d-") + cluster_name, "--format",
                              "{{(index .IPAM.Config 0).Gateway}}"});
  const std::string host = gateway && gateway->status.success() ? first_line(gateway->out) : "";
  if (host.empty()) {
    r.missing("execution API", "the address of k3d's network on this machine is unknown",
              fmt::format("docker network inspect k3d-{}", cluster_name), true);
    return;
  }
  const auto settings_file = home / "kubernetes.yaml";
  const std::string settings = fmt::format(
      "# Written by `leoflow lite provision --kubernetes`: the k3d cluster `leoflow lite --executor k8s`\n"
      "# (and --executor auto) runs tasks on. See docs/kubernetes.md for every key.\n"
      "kubeconfig: {}\n"
      "namespace: leoflow\n"
      "image:\n"
      "  builder: docker\n"
      "  base: {}\n"
      "  import: k3d:{}\n"
      "pods:\n"
      "  service_account: leoflow-task\n"
      "  image_pull_policy: IfNotPresent\n"
      "execution_api:\n"
      "  # where pods reach Lite: the gateway of k3d's network, on this machine\n"
      "  host: {}\n"
      "  port: {}\n",
      kubeconfig.string(), base_image, cluster_name, host, execution_api_port);
  if (!write_private(settings_file, settings)) {
    r.missing("kubernetes.yaml", fmt::format("cannot write {}", settings_file.string()), "make LEOFLOW_HOME writable", true);
    return;
  }
  r.ok("kubernetes.yaml", fmt::format("{} (execution API on {}:{})", settings_file.string(), host, execution_api_port));
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
  const bool have_docker = check_tool(r, "docker", {"--version"}, k8s_purpose, docker_fix, kubernetes);
  const bool have_k3d = check_tool(r, "k3d", {"version"}, k8s_purpose, k3d_fix, kubernetes);
  if (kubernetes && r.missing_required == 0) {
    // The client alone is not enough: k3d runs its nodes as containers.
    auto info = run(*find_program("docker"), {"info", "--format", "{{.ServerVersion}}"}, std::chrono::seconds(20));
    if (!info || !info->status.success())
      r.missing("docker engine",
                fmt::format("no Docker engine answers ({})", info ? first_line(info->err.empty() ? info->out : info->err)
                                                                   : "docker cannot start"),
                "sudo apt-get install docker.io && sudo systemctl start docker   (or start Docker Desktop)", true);
    else
      r.ok("docker engine", fmt::format("Docker {}", first_line(info->out)));
  }
  if (kubernetes && r.missing_required == 0) provision_cluster(r, out);
  if (kubernetes && (!have_docker || !have_k3d))
    out.failure("the Kubernetes executor needs docker and k3d on this machine",
                fmt::format("install:{}{}\nthen run `leoflow lite provision --kubernetes` again.",
                            have_docker ? "" : fmt::format("\n  docker: {}", docker_fix),
                            have_k3d ? "" : fmt::format("\n  k3d:    {}", k3d_fix)));

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
