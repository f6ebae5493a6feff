// Building, tagging and importing per-project images.
#include "executors/kubernetes/image_builder.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "common/child_process.hpp"
#include "common/console.hpp"
#include "common/hash.hpp"
#include "common/paths.hpp"

namespace leoflow::kubernetes {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

bool skipped(const fs::path& name) {
  const auto n = name.filename().string();
  return n == "__pycache__" || (!n.empty() && n[0] == '.');
}

// Paths and contents of every file under `root` (hidden entries and byte-code
// caches left out), in a stable order.
void hash_tree(const fs::path& root, std::string& into) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (skipped(it->path())) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    into += fmt::format("{}\n{}\n", f.lexically_relative(root).string(), sha256_hex(ss.str()));
  }
}

std::string image_name_part(std::string_view text) {
  std::string out;
  for (char c : text) {
    const char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9')) out.push_back(l);
    else if (!out.empty() && out.back() != '-') out.push_back('-');
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "project" : out;
}

void copy_tree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (skipped(it->path())) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    const auto target = to / it->path().lexically_relative(from);
    if (it->is_directory(ec))
      fs::create_directories(target, ec);
    else if (it->is_regular_file(ec))
      fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing, ec);
  }
}

std::string quote_json(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

image_builder::image_builder(asio::any_io_executor ex, console& out, image_settings settings)
    : strand_(asio::make_strand(ex)), console_(out), settings_(std::move(settings)) {
  kind_ = settings_.builder;
  if (kind_ == "auto") {
    kind_.clear();
    for (const char* candidate : {"podman", "buildah", "docker"})
      if (auto found = find_program(candidate)) {
        kind_ = candidate;
        tool_ = *found;
        break;
      }
  } else if (kind_ == "command") {
    if (!settings_.command.empty())
      if (auto found = find_program(settings_.command.front())) tool_ = *found;
  } else if (kind_ != "none") {
    if (auto found = find_program(kind_)) tool_ = *found;
  }
}

std::string image_builder::describe() const {
  if (kind_ == "none") return fmt::format("none (every try runs {})", settings_.name);
  if (kind_.empty()) return "none found (podman, buildah or docker)";
  if (tool_.empty()) return fmt::format("{} (not found)", kind_ == "command" && !settings_.command.empty() ? settings_.command.front() : kind_);
  return fmt::format("{} ({})", kind_, tool_.string());
}

std::string image_builder::containerfile(const std::string& base, const std::vector<std::string>& dependencies) {
  std::string out = fmt::format("FROM {}\n", base);
  out += fmt::format("COPY sdk {}\n", image_sdk_dir);
  out += fmt::format("COPY project {}\n", image_project_dir);
  if (!dependencies.empty()) {
    out += "RUN [\"python3\", \"-m\", \"pip\", \"install\", \"--no-cache-dir\"";
    for (const auto& d : dependencies) out += ", " + quote_json(d);
    out += "]\n";
  }
  out += fmt::format("ENV PYTHONPATH={} LEOFLOW_HOME=/tmp/leoflow PYTHONUNBUFFERED=1\n", image_sdk_dir);
  out += fmt::format("WORKDIR {}\n", image_project_dir);
  return out;
}

std::string image_builder::tag_for(const fs::path& project_dir, const std::vector<std::string>& dependencies) const {
  std::string material = fmt::format("base {}\n", settings_.base);
  for (const auto& d : dependencies) material += "dependency " + d + "\n";
  material += "project\n";
  hash_tree(project_dir, material);
  material += "sdk\n";
  hash_tree(settings_.sdk_dir, material);
  return fmt::format("{}/{}:{}", settings_.repository, image_name_part(project_dir.filename().string()),
                     sha256_hex(material).substr(0, 16));
}

std::vector<std::string> image_builder::tool_args(std::vector<std::string> args) const {
  if (!settings_.storage_driver.empty() && (kind_ == "podman" || kind_ == "buildah"))
    args.insert(args.begin(), {"--storage-driver", settings_.storage_driver});
  return args;
}

asio::awaitable<image_result> image_builder::ensure(const fs::path& project_dir,
                                                    const std::vector<std::string>& dependencies) {
  auto job = [this, project_dir, dependencies]() -> asio::awaitable<image_result> {
    if (kind_ == "none") {
      if (settings_.name.empty())
        co_return image_result{false, {}, "kubernetes.image.builder is none but kubernetes.image.name is not set"};
      co_return image_result{true, settings_.name, {}};
    }
    asio::steady_timer wait(strand_);
    while (busy_) {
      wait.expires_after(50ms);
      co_await wait.async_wait(tuple_awaitable);
    }
    const auto tag = tag_for(project_dir, dependencies);
    if (auto it = done_.find(tag); it != done_.end() && it->second.ok) co_return it->second;
    busy_ = true;
    struct not_busy {
      bool& b;
      ~not_busy() { b = false; }
    } guard{busy_};
    auto building = build(tag, project_dir, dependencies);
    auto result = co_await std::move(building);
    if (result.ok) done_[tag] = result;
    co_return result;
  };
  co_return co_await asio::co_spawn(strand_, job(), asio::use_awaitable);
}

asio::awaitable<image_result> image_builder::build(std::string tag, fs::path project_dir,
                                                   std::vector<std::string> dependencies) {
  if (kind_.empty())
    co_return image_result{false, {}, "no image builder found: install podman or buildah (apt-get install buildah), "
                                      "or set kubernetes.image.builder"};
  if (tool_.empty())
    co_return image_result{false, {}, fmt::format("the image builder {} was not found on PATH", describe())};
  const auto begun = std::chrono::steady_clock::now();
  const auto context = settings_.work_dir / tag.substr(tag.rfind(':') + 1);
  std::error_code ec;
  fs::remove_all(context, ec);
  create_private_directories(context, ec);
  copy_tree(project_dir, context / "project");
  copy_tree(settings_.sdk_dir, context / "sdk");
  {
    std::ofstream out(context / "Containerfile");
    out << containerfile(settings_.base, dependencies);
  }
  const auto announce = [&] {
    console_.info(fmt::format("building image {} for {} with {} …", tag, project_dir.filename().string(), describe()));
  };

  auto env = current_environment();
  std::string deps_text;
  for (const auto& d : dependencies) deps_text += d + "\n";
  set_env(env, "LEOFLOW_IMAGE", tag);
  set_env(env, "LEOFLOW_PROJECT_DIR", project_dir.string());
  set_env(env, "LEOFLOW_SDK_DIR", settings_.sdk_dir.string());
  set_env(env, "LEOFLOW_BASE_IMAGE", settings_.base);
  set_env(env, "LEOFLOW_BUILD_CONTEXT", context.string());
  set_env(env, "LEOFLOW_DEPENDENCIES", deps_text);
  std::vector<std::vector<std::string>> steps;
  if (kind_ == "command") {
    announce();
    steps.push_back(std::vector<std::string>(settings_.command.begin() + 1, settings_.command.end()));
  } else {
    // The builder's store may have it from before (a restart): same content, same tag.
    spawn_options probe;
    probe.executable = tool_;
    probe.args = tool_args(kind_ == "podman"    ? std::vector<std::string>{"image", "exists", tag}
                           : kind_ == "buildah" ? std::vector<std::string>{"inspect", "--type", "image", tag}
                                                : std::vector<std::string>{"image", "inspect", tag});
    probe.env = env;
    std::optional<captured_output> exists;
    try {
      auto probing = run_captured(probe, {}, std::chrono::seconds(60), 1 << 20);
      exists = co_await std::move(probing);
    } catch (const std::system_error&) {
    }
    const std::string file = (context / "Containerfile").string();
    if (exists && exists->status.success()) {
      console_.info(fmt::format("image {} exists already", tag));
    } else {
      announce();
      steps.push_back(tool_args(kind_ == "buildah" ? std::vector<std::string>{"bud", "-t", tag, "-f", file, context.string()}
                                                   : std::vector<std::string>{"build", "-t", tag, "-f", file, context.string()}));
    }
    if (settings_.import_to.rfind("k3d:", 0) == 0) {
      const auto archive = (context / "image.tar").string();
      steps.push_back(tool_args(kind_ == "buildah" ? std::vector<std::string>{"push", tag, "docker-archive:" + archive + ":" + tag}
                                                   : std::vector<std::string>{"save", "-o", archive, tag}));
    } else if (settings_.import_to == "push") {
      steps.push_back(tool_args({"push", tag}));
    }
  }
  struct remove_context {
    fs::path dir;
    ~remove_context() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  } cleanup{context};
  std::string output;
  for (std::size_t i = 0; i < steps.size() + (settings_.import_to.rfind("k3d:", 0) == 0 && kind_ != "command"); ++i) {
    spawn_options o;
    if (i < steps.size()) {
      o.executable = tool_;
      o.args = steps[i];
    } else {
      auto k3d = find_program("k3d");
      if (!k3d) co_return image_result{false, {}, "k3d was not found on PATH: the image cannot be imported into the cluster"};
      o.executable = *k3d;
      o.args = {"image", "import", (context / "image.tar").string(), "-c", settings_.import_to.substr(4)};
    }
    o.env = env;
    o.working_dir = context;
    auto running = run_captured(o, {}, settings_.timeout, 4 << 20);
    std::optional<captured_output> r;
    std::string start_error;
    try {
      r = co_await std::move(running);
    } catch (const std::system_error& e) {
      start_error = e.what();
    }
    if (!r) co_return image_result{false, {}, fmt::format("{} cannot start: {}", o.executable.string(), start_error)};
    output += r->out + r->err;
    if (!r->status.success() || r->timed_out) {
      std::string shown = output.size() > 8000 ? "…" + output.substr(output.size() - 8000) : output;
      co_return image_result{false, {},
                             fmt::format("building image {} failed ({} {}: {}):\n{}", tag, o.executable.filename().string(),
                                         o.args.empty() ? "" : o.args.front(),
                                         r->timed_out ? "timed out" : r->status.describe(), shown)};
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begun).count();
  console_.success(fmt::format("image {} built ({:.1f} s)", tag, seconds));
  co_return image_result{true, tag, {}};
}

}  // namespace leoflow::kubernetes
