// Home folder layout and locating the sdk relative to the executable.
#include "common/paths.hpp"

#include <cerrno>
#include <cstdlib>

#include <sys/stat.h>

#include <fmt/format.h>

namespace leoflow {

fs::path leoflow_home() {
  if (const char* h = std::getenv("LEOFLOW_HOME"); h && *h) return fs::absolute(h);
  if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".leoflow";
  return fs::current_path() / ".leoflow";
}

home_layout home_layout::under(const fs::path& home) {
  home_layout l;
  l.home = home;
  l.config_file = home / "config.yaml";
  l.dev = home / "dev";
  l.database = l.dev / "lite.db";
  l.logs = l.dev / "logs";
  l.venvs = l.dev / "venvs";
  l.pycache = l.dev / "pycache";
  return l;
}

void create_private_directories(const fs::path& dir, std::error_code& ec) {
  ec.clear();
  if (dir.empty() || fs::is_directory(dir, ec)) return;
  ec.clear();
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    create_private_directories(dir.parent_path(), ec);
    if (ec) return;
  }
  // mkdir's mode is reduced by the umask; chmod makes it exact.
  if (::mkdir(dir.c_str(), 0700) != 0) {
    if (errno == EEXIST && fs::is_directory(dir, ec)) return;
    ec = std::error_code(errno, std::generic_category());
    return;
  }
  ::chmod(dir.c_str(), 0700);
}

void home_layout::create_directories() const {
  std::error_code ec;
  for (const auto* dir : {&home, &dev, &logs, &venvs, &pycache}) {
    create_private_directories(*dir, ec);
    if (ec) throw fs::filesystem_error("cannot create the folder", *dir, ec);
  }
}

std::size_t home_layout::tighten_permissions() const {
  std::size_t changed = 0;
  auto tighten = [&changed](const fs::path& p, mode_t wanted_max) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return;
    if ((st.st_mode & 077) == 0) return;
    if (::chmod(p.c_str(), st.st_mode & wanted_max & 07777) == 0) ++changed;
  };
  tighten(config_file, 0700);
  tighten(dev, 0700);
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dev, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto& entry = *it;
    std::error_code type_ec;
    if (entry.is_symlink(type_ec)) continue;
    if (entry.is_directory(type_ec)) {
      tighten(entry.path(), 0700);
      // Inside a virtualenv or a byte-code cache the folder is the fence.
      if (entry.path().parent_path() == venvs || entry.path() == pycache) it.disable_recursion_pending();
    } else {
      tighten(entry.path(), 0700);
    }
  }
  return changed;
}

fs::path executable_path() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path{} : p;
}

std::optional<fs::path> find_sdk_dir() {
  auto holds_sdk = [](const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p / "leoflow_parser", ec);
  };
  if (const char* s = std::getenv("LEOFLOW_SDK"); s && *s) {
    if (holds_sdk(s)) return fs::canonical(s);
    return std::nullopt;
  }
  const auto bin = executable_path().parent_path();
  for (const auto& candidate : {bin / ".." / "sdk", bin / ".." / "share" / "leoflow" / "sdk"}) {
    if (holds_sdk(candidate)) return fs::canonical(candidate);
  }
  return std::nullopt;
}

std::string safe_path_segment(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '/' || c == '%' || c == '\0')
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    else
      out += c;
  }
  if (out.find_first_not_of('.') == std::string::npos) out = "%2E" + out.substr(std::min<std::size_t>(1, out.size()));
  return out;
}

}  // namespace leoflow
