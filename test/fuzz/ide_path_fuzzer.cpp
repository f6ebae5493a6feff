// Fuzzes the IDE path resolver: the text checks, then a real resolve beneath
// a temporary root holding a folder, a file, and links that point out of it.
// Whatever resolves must name an entry inside the root.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

#include "server/ide/path_resolver.hpp"
#include "test/fuzz/temp_folder.hpp"

namespace fs = std::filesystem;

namespace {

struct root_fixture {
  leoflow::fuzz::temp_folder dir;
  leoflow::ide::path_resolver automatic{dir.path() / "root"};
  leoflow::ide::path_resolver portable{dir.path() / "root", leoflow::ide::resolve_mode::portable};

  root_fixture() {
    const auto root = dir.path() / "root";
    fs::create_directories(root / "etl" / "sql");
    fs::create_directories(dir.path() / "outside");
    std::ofstream(root / "etl" / "dag.py") << "# dag\n";
    fs::create_directory_symlink(dir.path() / "outside", root / "escape");
    fs::create_directory_symlink("../..", root / "etl" / "up");
  }
};

void check(const leoflow::ide::outcome<leoflow::ide::resolved_path>& r) {
  if (!r) return;
  const auto& resolved = r.value();
  if (resolved.parent.get() < 0) __builtin_trap();
  // The normalised path never climbs and is never absolute.
  const std::string with_slashes = "/" + resolved.relative + "/";
  if (with_slashes.find("/../") != std::string::npos || resolved.relative.starts_with("/")) __builtin_trap();
  if (!resolved.name.empty() && !leoflow::ide::name_problem(resolved.name).empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static root_fixture fixture;
  const std::string_view path(reinterpret_cast<const char*>(data), size);
  (void)leoflow::ide::name_problem(path);
  (void)leoflow::ide::split_client_path(path, true);
  check(fixture.automatic.resolve(path, false));
  check(fixture.portable.resolve(path, true));
  return 0;
}
