// Home folder layout and locating the sdk relative to the executable.
#include "common/paths.hpp"

#include <cstdlib>

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

void home_layout::create_directories() const {
  fs::create_directories(logs);
  fs::create_directories(venvs);
  fs::create_directories(pycache);
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
