// Resolving a client's path against one watched folder without ever leaving
// it: the text is checked first (relative, no `..`, no NUL, backslash,
// percent-escape or Unicode look-alike of a separator or dot, no name the
// watcher ignores), then the folders on the way are opened one at a time
// beneath the root's descriptor with symbolic links refused (openat2 with
// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS where the kernel has it, else openat
// with O_NOFOLLOW per component). Callers act on the entry only through the
// returned parent descriptor (openat, renameat, unlinkat, ...), so there is
// no check-then-use window. Thread-safe: the resolver holds no mutable state.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/ide/detail/unique_fd.hpp"
#include "server/ide/refusal.hpp"

namespace leoflow::ide {

using detail::unique_fd;

// How folders are walked: `automatic` uses openat2 when the kernel allows
// it and falls back to the per-component walk; `portable` always walks.
enum class resolve_mode { automatic, portable };

// Longest path and name the IDE accepts (bytes).
inline constexpr std::size_t max_path_bytes = 4096;
inline constexpr std::size_t max_name_bytes = 255;

// The checked components of a client path ("a/b/dag.py" -> a, b, dag.py).
// An empty path is the root itself, allowed only when `allow_root`.
outcome<std::vector<std::string>> split_client_path(std::string_view path, bool allow_root);

// Why one file or folder name is not acceptable, or empty when it is.
std::string name_problem(std::string_view name);

// An entry beneath a root: the folder holding it, opened, and its name.
// For the root itself `name` is empty and `parent` is the root.
struct resolved_path {
  unique_fd parent;
  std::string name;
  std::string relative;  // the normalised path, "a/b/dag.py"
};

class path_resolver {
 public:
  explicit path_resolver(std::filesystem::path root, resolve_mode mode = resolve_mode::automatic);

  const std::filesystem::path& root() const { return root_; }

  // The root folder, opened (it is the one path followed as configured).
  outcome<unique_fd> open_root() const;

  // Checks `path` and opens the folder that holds it.
  outcome<resolved_path> resolve(std::string_view path, bool allow_root = false) const;

  // Opens the folder `components` beneath `dirfd`, refusing links and
  // anything that is not a folder. `shown` prefixes names in messages.
  static outcome<unique_fd> open_folder(int dirfd, std::span<const std::string> components,
                                        resolve_mode mode, std::string_view shown = {});

 private:
  std::filesystem::path root_;
  resolve_mode mode_;
};

// Whether openat2 with RESOLVE_BENEATH works here (probed once).
bool openat2_available();

}  // namespace leoflow::ide
