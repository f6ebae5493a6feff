// Creating and filling per-DAG virtualenvs.
#include "executors/venv_manager.hpp"

#include <fstream>
#include <sstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/child_process.hpp"
#include "common/console.hpp"
#include "common/paths.hpp"

namespace leoflow::executors {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr const char* marker_name = "leoflow-venv.json";
constexpr const char* failure_name = "leoflow-venv-failed.json";

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_all(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// The last lines of a tool's output: what a user needs to see.
std::string tail_lines(const std::string& text, std::size_t count) {
  std::size_t pos = text.size();
  while (pos > 0 && (text[pos - 1] == '\n' || text[pos - 1] == ' ')) --pos;
  std::size_t start = pos;
  for (std::size_t seen = 0; start > 0 && seen < count; --start)
    if (text[start - 1] == '\n') ++seen;
  return text.substr(start, pos - start);
}

}  // namespace

venv_manager::venv_manager(asio::any_io_executor ex, fs::path venvs_dir, fs::path base_python,
                           console& out, std::vector<std::string> environment)
    : strand_(asio::make_strand(ex)), venvs_dir_(std::move(venvs_dir)),
      base_python_(std::move(base_python)), console_(out), environment_(std::move(environment)) {}

std::string venv_manager::marker_for(const std::vector<std::string>& dependencies) const {
  boost::json::array deps;
  for (const auto& d : dependencies) deps.push_back(boost::json::value(d));
  return boost::json::serialize(
      boost::json::object{{"python", base_python_.string()}, {"dependencies", std::move(deps)}});
}

std::optional<fs::path> venv_manager::ready_python(const std::string& dag_id,
                                                   const std::vector<std::string>& dependencies) const {
  const auto dir = venvs_dir_ / dag_id;
  std::error_code ec;
  if (read_all(dir / marker_name) != marker_for(dependencies)) return std::nullopt;
  if (!fs::exists(dir / "bin" / "python", ec)) return std::nullopt;
  return dir / "bin" / "python";
}

asio::awaitable<venv_status> venv_manager::ensure(std::string dag_id,
                                                  std::vector<std::string> dependencies) {
  auto job = ensure_on_strand(std::move(dag_id), std::move(dependencies), false);
  co_return co_await asio::co_spawn(strand_, std::move(job), asio::use_awaitable);
}

asio::awaitable<venv_status> venv_manager::for_task(std::string name, std::vector<std::string> dependencies) {
  auto job = ensure_on_strand(std::move(name), std::move(dependencies), true);
  co_return co_await asio::co_spawn(strand_, std::move(job), asio::use_awaitable);
}

asio::awaitable<venv_status> venv_manager::ensure_on_strand(std::string dag_id,
                                                            std::vector<std::string> dependencies,
                                                            bool keep_existing) {
  // Someone else is installing this DAG's venv: wait for them, then look.
  while (building_.count(dag_id)) {
    auto wait_for = building_[dag_id];
    co_await wait_for->async_wait(asio::as_tuple(asio::use_awaitable));
  }
  const std::string marker = marker_for(dependencies);
  const auto dir = venvs_dir_ / dag_id;
  if (auto python = ready_python(dag_id, dependencies)) co_return venv_status{true, *python, {}};
  {
    const auto failed = read_all(dir / failure_name);
    const auto newline = failed.find('\n');
    if (!failed.empty() && (keep_existing || failed.rfind(marker, 0) == 0))
      co_return venv_status{false, {}, newline == std::string::npos ? failed : failed.substr(newline + 1)};
    std::error_code ec;
    if (keep_existing && fs::exists(dir / marker_name, ec) && fs::exists(dir / "bin" / "python", ec))
      co_return venv_status{true, dir / "bin" / "python", {}};
  }
  auto done = std::make_shared<asio::steady_timer>(strand_, asio::steady_timer::time_point::max());
  building_[dag_id] = done;
  std::exception_ptr failure;
  venv_status status;
  try {
    status = co_await build(dag_id, dependencies, marker);
  } catch (...) {
    failure = std::current_exception();
  }
  building_.erase(dag_id);
  done->cancel();
  if (failure) std::rethrow_exception(failure);
  co_return status;
}

asio::awaitable<venv_status> venv_manager::build(const std::string& dag_id,
                                                 const std::vector<std::string>& dependencies,
                                                 const std::string& marker) {
  const auto dir = venvs_dir_ / dag_id;
  const auto started = std::chrono::steady_clock::now();
  std::error_code ec;
  fs::remove_all(dir, ec);
  // The venv's own folder is its fence (the files in it are pip's).
  create_private_directories(dir, ec);
  if (!dependencies.empty())
    console_.info(fmt::format("{}: creating its virtualenv and installing {} package{} …", dag_id,
                              dependencies.size(), dependencies.size() == 1 ? "" : "s"));

  auto fail = [&](std::string headline, std::string detail) {
    console_.failure(fmt::format("{}: {}", dag_id, headline), detail);
    std::error_code ignored;
    fs::create_directories(dir, ignored);
    std::string message = detail.empty() ? headline : headline + "\n" + detail;
    write_all(dir / failure_name, marker + "\n" + message);
    return venv_status{false, {}, message};
  };

  spawn_options create;
  create.executable = base_python_;
  create.args = {"-m", "venv"};
  if (dependencies.empty()) create.args.push_back("--without-pip");
  create.args.push_back(dir.string());
  create.env = environment_;
  auto made = co_await run_captured(create, {}, 10min, 1 << 20);
  if (!made.status.success())
    co_return fail(fmt::format("creating the virtualenv failed ({})", made.status.describe()),
                   tail_lines(made.err + made.out, 15));

  if (!dependencies.empty()) {
    std::string requirements;
    for (const auto& d : dependencies) requirements += d + "\n";
    write_all(dir / "leoflow-requirements.txt", requirements);
    spawn_options install;
    install.env = environment_;
    if (auto uv = find_program("uv")) {
      install.executable = *uv;
      install.args = {"pip", "install", "--python", (dir / "bin" / "python").string(), "-r",
                      (dir / "leoflow-requirements.txt").string()};
    } else {
      install.executable = dir / "bin" / "python";
      install.args = {"-m", "pip", "install", "--disable-pip-version-check", "--no-input",
                      "-r", (dir / "leoflow-requirements.txt").string()};
    }
    auto installed = co_await run_captured(install, {}, 30min, 8 << 20);
    if (!installed.status.success())
      co_return fail(fmt::format("installing dependencies failed ({})", installed.status.describe()),
                     tail_lines(installed.err + installed.out, 20));
  }
  write_all(dir / marker_name, marker);
  fs::remove(dir / failure_name, ec);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!dependencies.empty()) {
    std::string list;
    for (const auto& d : dependencies) list += (list.empty() ? "" : ", ") + d;
    console_.success(fmt::format("{}: virtualenv ready with {} ({:.1f} s)", dag_id, list, seconds));
  }
  co_return venv_status{true, dir / "bin" / "python", {}, true};
}

}  // namespace leoflow::executors
