// Fuzzes the YAML readers: the first byte picks the daemon's server.yaml,
// $LEOFLOW_HOME/config.yaml (users, secret, throttle) or a project's
// leoflow.yaml; the rest is written to that file and read back the way the
// product reads it.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string_view>

#include "server/auth/auth_config.hpp"
#include "server/daemon/server_config.hpp"
#include "test/fuzz/temp_folder.hpp"
#include "watcher/project.hpp"

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& file, std::string_view text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static leoflow::fuzz::temp_folder dir;
  static const bool made = [] {
    fs::create_directories(dir.path() / "dags" / "etl");
    return true;
  }();
  (void)made;
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: {
      // server.yaml creates its `home` folder: with no '/' in the input every
      // path it can name stays in (or is) the temporary folder or its parent.
      if (text.find('/') != std::string_view::npos) return 0;
      const auto file = dir.path() / "server.yaml";
      write_file(file, text);
      (void)leoflow::daemon::read_server_config(file);
      break;
    }
    case 1: {
      const auto file = dir.path() / "config.yaml";
      write_file(file, text);
      (void)leoflow::auth::read_auth_config(file);
      break;
    }
    default: {
      const auto project_dir = dir.path() / "dags" / "etl";
      write_file(project_dir / "leoflow.yaml", text);
      auto p = leoflow::watcher::read_project(dir.path() / "dags", project_dir);
      if (p.dir != project_dir) __builtin_trap();
      break;
    }
  }
  return 0;
}
