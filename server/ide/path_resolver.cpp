// Checking client paths and opening folders beneath a root without following
// links.
#include "server/ide/path_resolver.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "server/ide/detail/utf8.hpp"
#include "watcher/project.hpp"

namespace leoflow::ide {

namespace {

// A name as the client sees it in messages.
std::string shown_name(std::string_view text) { return detail::printable(text); }

// Characters that look like a separator or a dot, or that hide what a name
// says (bidirectional overrides, zero-width characters): a name holding one
// is refused, whatever a later normalisation would make of it.
const char* look_alike(char32_t cp) {
  switch (cp) {
    case 0x2044: case 0x2215: case 0x2571: case 0x29F8: case 0x2F03: case 0x3033: case 0x0338:
    case 0x1735:
      return "a look-alike of '/'";
    case 0x2216: case 0x29F5: case 0x29F9: case 0xFE68: case 0x2572: case 0x20E5:
      return "a look-alike of '\\'";
    case 0x2024: case 0x2025: case 0x2026: case 0xFE52: case 0xFE30: case 0x3002: case 0xFF61:
      return "a look-alike of '.'";
    case 0x00AD: case 0x180E: case 0xFEFF:
      return "an invisible character";
    default:
      break;
  }
  if (cp >= 0xFF01 && cp <= 0xFF5E) return "a full-width form of an ASCII character";
  if ((cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
      (cp >= 0x2066 && cp <= 0x2069))
    return "an invisible or direction-changing character";
  if (cp >= 0x80 && cp <= 0x9F) return "a control character";
  return nullptr;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The refusal for a failed openat of one folder `shown`.
refusal folder_refusal(int err, int dirfd, const std::string& name, const std::string& shown) {
  if (err == ENOTDIR || err == ELOOP) {
    struct stat st {};
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
      return refusal::bad_path(fmt::format("'{}' is a symbolic link; the IDE does not follow links", shown));
    return refusal::bad_path(fmt::format("'{}' is not a folder", shown));
  }
  if (err == ENOENT) return refusal::not_found(fmt::format("no such folder: '{}'", shown));
  if (err == EACCES || err == EPERM) return refusal::forbidden(fmt::format("'{}': permission denied", shown));
  return refusal::failed(fmt::format("cannot open '{}': {}", shown, std::strerror(err)));
}

// One openat2 beneath `dirfd`; -1 with errno on failure.
int openat2_beneath(int dirfd, const std::string& relative) {
  open_how how{};
  how.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, dirfd, relative.c_str(), &how, sizeof how));
}

// 1: works, 0: not probed yet, -1: not here (old kernel, seccomp).
std::atomic<int> openat2_state{0};

}  // namespace

bool openat2_available() {
  int state = openat2_state.load();
  if (state == 0) {
    unique_fd probe(openat2_beneath(AT_FDCWD, "."));
    state = probe.valid() || (errno != ENOSYS && errno != EPERM && errno != EINVAL && errno != E2BIG) ? 1 : -1;
    openat2_state.store(state);
  }
  return state == 1;
}

std::string name_problem(std::string_view name) {
  if (name.empty()) return "an empty name (a doubled or trailing '/')";
  if (name == "." || name == "..") return fmt::format("'{}' (paths must not step out of a folder)", name);
  if (name.size() > max_name_bytes) return fmt::format("a name longer than {} bytes", max_name_bytes);
  for (std::size_t i = 0; i < name.size();) {
    const char c = name[i];
    if (c == '\0') return "a NUL byte";
    if (c == '\\') return "a backslash";
    if (c == '/') return "a '/' inside a name";
    if (c == '%' && i + 2 < name.size() && is_hex(name[i + 1]) && is_hex(name[i + 2]))
      return "a percent-escape (paths are sent decoded, once)";
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return "a control character";
    const auto cp = detail::next_code_point(name, i);
    if (!cp) return "bytes that are not UTF-8";
    if (const char* what = look_alike(*cp)) return fmt::format("{} (U+{:04X})", what, static_cast<unsigned>(*cp));
  }
  if (watcher::is_ignored_name(name))
    return fmt::format("'{}', a hidden, cache or temporary name the IDE does not serve", shown_name(name));
  return {};
}

outcome<std::vector<std::string>> split_client_path(std::string_view path, bool allow_root) {
  if (path.size() > max_path_bytes)
    return refusal::bad_path(fmt::format("the path is longer than {} bytes", max_path_bytes));
  if (path.find('\0') != std::string_view::npos) return refusal::bad_path("the path holds a NUL byte");
  if (path.empty()) {
    if (allow_root) return std::vector<std::string>{};
    return refusal::bad_path("a path is required");
  }
  if (path.front() == '/')
    return refusal::bad_path(
        fmt::format("'{}' is absolute; paths are relative to a watched folder", shown_name(path)));
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto slash = path.find('/', start);
    const auto name = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (auto problem = name_problem(name); !problem.empty())
      return refusal::bad_path(fmt::format("'{}' is not a path the IDE accepts: it holds {}", shown_name(path), problem));
    out.emplace_back(name);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

path_resolver::path_resolver(std::filesystem::path root, resolve_mode mode) : root_(std::move(root)), mode_(mode) {}

outcome<unique_fd> path_resolver::open_root() const {
  unique_fd fd(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    const int err = errno;
    if (err == ENOENT) return refusal::not_found(fmt::format("the watched folder {} does not exist", root_.string()));
    return refusal::failed(fmt::format("cannot open the watched folder {}: {}", root_.string(), std::strerror(err)));
  }
  return fd;
}

outcome<unique_fd> path_resolver::open_folder(int dirfd, std::span<const std::string> components,
                                              resolve_mode mode, std::string_view shown) {
  if (components.empty()) {
    unique_fd copy(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
    if (!copy.valid()) return refusal::failed(fmt::format("cannot open a folder: {}", std::strerror(errno)));
    return copy;
  }
  if (mode == resolve_mode::automatic && openat2_available()) {
    std::string relative;
    for (const auto& c : components) relative += (relative.empty() ? "" : "/") + c;
    unique_fd fd(openat2_beneath(dirfd, relative));
    if (fd.valid()) return fd;
    // Walk again one folder at a time: equally safe, and it says which
    // component is at fault.
  }
  std::string so_far(shown);
  unique_fd current;
  int at = dirfd;
  for (const auto& name : components) {
    so_far += (so_far.empty() ? "" : "/") + name;
    unique_fd next(::openat(at, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) return folder_refusal(errno, at, name, so_far);
    current = std::move(next);
    at = current.get();
  }
  return current;
}

outcome<resolved_path> path_resolver::resolve(std::string_view path, bool allow_root) const {
  auto parts = split_client_path(path, allow_root);
  if (!parts) return parts.error();
  auto root = open_root();
  if (!root) return root.error();
  auto& names = parts.value();
  if (names.empty()) return resolved_path{std::move(root.value()), {}, {}};

  std::string relative;
  for (const auto& n : names) relative += (relative.empty() ? "" : "/") + n;
  const std::span<const std::string> folders(names.data(), names.size() - 1);
  auto parent = open_folder(root->get(), folders, mode_);
  if (!parent) return parent.error();
  return resolved_path{std::move(parent.value()), names.back(), std::move(relative)};
}

}  // namespace leoflow::ide
