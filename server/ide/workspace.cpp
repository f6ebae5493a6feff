// The IDE's file operations, each relative to a folder descriptor from the
// path resolver: fstatat/openat with AT_SYMLINK_NOFOLLOW/O_NOFOLLOW, saves
// through a temporary file in the same folder renamed over the target,
// creations and no-overwrite renames with RENAME_NOREPLACE.
#include "server/ide/workspace.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "common/hash.hpp"
#include "server/ide/detail/utf8.hpp"
#include "watcher/project.hpp"

namespace leoflow::ide {

namespace {

constexpr int nofollow_stat = AT_SYMLINK_NOFOLLOW;

std::string link_refused(std::string_view shown) {
  return fmt::format("'{}' is a symbolic link; the IDE does not follow or change links", shown);
}

// The refusal for a failed call on the entry `shown` itself.
refusal entry_refusal(int err, std::string_view shown, std::string_view doing) {
  switch (err) {
    case ENOENT:
      return refusal::not_found(fmt::format("no such file or folder: '{}'", shown));
    case ELOOP:
      return refusal::bad_path(link_refused(shown));
    case EISDIR:
      return refusal::bad_path(fmt::format("'{}' is a folder", shown));
    case ENOTDIR:
      return refusal::bad_path(fmt::format("'{}' is not a folder", shown));
    case EEXIST:
    case ENOTEMPTY:
      return refusal::conflict(fmt::format("'{}' already exists", shown));
    case EACCES:
    case EPERM:
    case EROFS:
      return refusal::forbidden(fmt::format("cannot {} '{}': {}", doing, shown, std::strerror(err)));
    case ENAMETOOLONG:
      return refusal::bad_path(fmt::format("'{}': the name is too long", shown));
    default:
      return refusal::failed(fmt::format("cannot {} '{}': {}", doing, shown, std::strerror(err)));
  }
}

// Reads the whole file behind `fd`; false with `too_large` set when it holds
// more than `limit` bytes, false with errno on a read error.
bool read_all(int fd, std::size_t limit, std::string& out, bool& too_large) {
  too_large = false;
  out.clear();
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return true;
    if (out.size() + static_cast<std::size_t>(n) > limit) {
      too_large = true;
      return false;
    }
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// The entry's status without following a link; errno on failure.
bool stat_entry(int dirfd, const std::string& name, struct stat& st) {
  return ::fstatat(dirfd, name.c_str(), &st, nofollow_stat) == 0;
}

// A hidden temporary name the watcher ignores (dot and .tmp).
std::string temp_name() { return fmt::format(".leoflow-ide-{}.tmp", random_hex(8)); }

struct ownership {
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// Writes `content` to a new temporary file in `dirfd`, flushed to disk, with
// the given permissions and owner (when there are some to keep).
outcome<std::string> write_temp(int dirfd, std::string_view content, const std::optional<ownership>& keep,
                                std::string_view shown) {
  auto name = temp_name();
  unique_fd fd(::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        keep ? 0600 : 0666));
  if (!fd.valid()) return entry_refusal(errno, shown, "write");
  auto fail = [&](int err) {
    ::unlinkat(dirfd, name.c_str(), 0);
    return entry_refusal(err, shown, "write");
  };
  if (!write_all(fd.get(), content)) return fail(errno);
  if (keep) {
    if ((keep->uid != ::geteuid() || keep->gid != ::getegid()) && ::fchown(fd.get(), keep->uid, keep->gid) != 0) {
      // Only the owner can be kept by root; the content matters more.
    }
    if (::fchmod(fd.get(), keep->mode & 07777) != 0) return fail(errno);
  }
  if (::fsync(fd.get()) != 0) return fail(errno);
  return name;
}

void sync_folder(int dirfd) { ::fsync(dirfd); }

// Moves `from` to `to` in the same or another folder unless `to` exists:
// renameat2(RENAME_NOREPLACE), or link + unlink for files where the file
// system lacks it. errno on failure.
bool rename_no_replace(int from_dir, const std::string& from, int to_dir, const std::string& to, bool is_folder) {
  if (::renameat2(from_dir, from.c_str(), to_dir, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno != EINVAL && errno != ENOSYS) return false;
  if (!is_folder) {
    if (::linkat(from_dir, from.c_str(), to_dir, to.c_str(), 0) != 0) return false;
    ::unlinkat(from_dir, from.c_str(), 0);
    return true;
  }
  // No atomic no-replace for folders here: check, then rename (the kernel
  // still refuses to replace a file or a folder that is not empty).
  struct stat st {};
  if (stat_entry(to_dir, to, st)) {
    errno = EEXIST;
    return false;
  }
  return ::renameat(from_dir, from.c_str(), to_dir, to.c_str()) == 0;
}

// Names in an open folder ("." and ".." left out); errno on failure.
bool folder_names(int dirfd, std::vector<std::string>& names) {
  const int copy = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return false;
  DIR* dir = ::fdopendir(copy);
  if (!dir) {
    const int err = errno;
    ::close(copy);
    errno = err;
    return false;
  }
  ::rewinddir(dir);
  errno = 0;
  while (const dirent* e = ::readdir(dir)) {
    const std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  const int err = errno;
  ::closedir(dir);
  errno = err;
  return err == 0;
}

// Deletes `name` in `parent` and everything under it without following a
// link: every entry is removed relative to its own folder's descriptor.
outcome<done> remove_tree(int parent, const std::string& name, const std::string& shown, int depth_left) {
  if (depth_left <= 0) return refusal::failed(fmt::format("'{}' is nested too deeply to delete", shown));
  unique_fd dir(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid()) {
    if (errno == ENOENT) return done{};
    if (errno != ELOOP && errno != ENOTDIR) return entry_refusal(errno, shown, "delete");
    // No longer a folder (replaced meanwhile): remove the entry itself.
    if (::unlinkat(parent, name.c_str(), 0) != 0 && errno != ENOENT) return entry_refusal(errno, shown, "delete");
    return done{};
  }
  std::vector<std::string> names;
  if (!folder_names(dir.get(), names)) return entry_refusal(errno, shown, "read");
  for (const auto& n : names) {
    const std::string inner = shown + "/" + n;
    struct stat st {};
    if (!stat_entry(dir.get(), n, st)) {
      if (errno == ENOENT) continue;
      return entry_refusal(errno, inner, "delete");
    }
    if (!S_ISDIR(st.st_mode) && ::unlinkat(dir.get(), n.c_str(), 0) == 0) continue;
    if (!S_ISDIR(st.st_mode) && errno != EISDIR) {
      if (errno == ENOENT) continue;
      return entry_refusal(errno, inner, "delete");
    }
    auto removed = remove_tree(dir.get(), n, inner, depth_left - 1);
    if (!removed) return removed.error();
  }
  if (::unlinkat(parent, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    if (errno == ENOTEMPTY || errno == EEXIST)
      return refusal::conflict(fmt::format("'{}' gained new entries while it was deleted", shown));
    return entry_refusal(errno, shown, "delete");
  }
  return done{};
}

entry_type type_of(mode_t mode) {
  if (S_ISREG(mode)) return entry_type::file;
  if (S_ISDIR(mode)) return entry_type::folder;
  if (S_ISLNK(mode)) return entry_type::symlink;
  return entry_type::other;
}

std::string size_text(std::size_t bytes) {
  if (bytes % (1024 * 1024) == 0) return fmt::format("{} MiB", bytes / (1024 * 1024));
  return fmt::format("{} bytes", bytes);
}

}  // namespace

std::string_view entry_type_name(entry_type t) {
  switch (t) {
    case entry_type::file: return "file";
    case entry_type::folder: return "folder";
    case entry_type::symlink: return "symlink";
    case entry_type::other: return "other";
  }
  return "other";
}

std::string content_etag(std::string_view content) { return sha256_hex(content); }

std::string text_problem(std::string_view content) {
  for (std::size_t i = 0; i < content.size();) {
    if (content[i] == '\0') return "it holds NUL bytes";
    if (!detail::next_code_point(content, i)) return "it is not UTF-8";
  }
  return {};
}

workspace::workspace(const std::vector<std::filesystem::path>& roots, workspace_limits limits, resolve_mode mode)
    : limits_(limits) {
  std::map<std::string, int> seen;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    std::string name = roots[i].filename().string();
    if (name.empty()) name = roots[i].string();
    const int n = ++seen[name];
    if (n > 1) name = fmt::format("{}-{}", name, n);
    roots_.push_back({i, name, roots[i]});
    resolvers_.emplace_back(roots[i], mode);
  }
}

outcome<std::size_t> workspace::find_root(std::string_view key) const {
  if (!key.empty() && std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (key.size() <= 6) {
      const auto index = std::stoul(std::string(key));
      if (index < roots_.size()) return static_cast<std::size_t>(index);
    }
  } else {
    for (const auto& r : roots_)
      if (r.name == key) return r.index;
  }
  return refusal::not_found(fmt::format("no watched folder '{}' (there {} {})", detail::printable(key),
                                        roots_.size() == 1 ? "is" : "are", roots_.size()));
}

outcome<resolved_path> workspace::resolve(std::size_t root, std::string_view path, bool allow_root) const {
  if (root >= resolvers_.size()) return refusal::not_found("no such watched folder");
  return resolvers_[root].resolve(path, allow_root);
}

outcome<folder_listing> workspace::list(std::size_t root, std::string_view path) const {
  auto where = resolve(root, path, true);
  if (!where) return where.error();
  unique_fd folder;
  if (where->name.empty()) {
    folder = std::move(where->parent);
  } else {
    const std::string names[] = {where->name};
    auto opened = path_resolver::open_folder(where->parent.get(), names, resolve_mode::portable, where->relative);
    if (!opened) return opened.error();
    folder = std::move(opened.value());
  }
  std::vector<std::string> names;
  if (!folder_names(folder.get(), names)) return entry_refusal(errno, where->relative, "list");

  folder_listing out;
  out.path = where->relative;
  for (const auto& n : names) {
    if (watcher::is_ignored_name(n)) continue;
    if (out.entries.size() >= limits_.max_listing) {
      out.truncated = true;
      break;
    }
    struct stat st {};
    if (!stat_entry(folder.get(), n, st)) continue;  // gone meanwhile
    folder_entry e;
    e.name = n;
    e.path = out.path.empty() ? n : out.path + "/" + n;
    e.type = type_of(st.st_mode);
    e.size = e.type == entry_type::file ? static_cast<std::uint64_t>(st.st_size) : 0;
    out.entries.push_back(std::move(e));
  }
  std::sort(out.entries.begin(), out.entries.end(), [](const folder_entry& a, const folder_entry& b) {
    const bool af = a.type == entry_type::folder, bf = b.type == entry_type::folder;
    if (af != bf) return af;
    return a.name < b.name;
  });
  return out;
}

outcome<file_content> workspace::read(std::size_t root, std::string_view path) const {
  auto where = resolve(root, path);
  if (!where) return where.error();
  const int dirfd = where->parent.get();
  const auto& shown = where->relative;
  struct stat st {};
  if (!stat_entry(dirfd, where->name, st)) return entry_refusal(errno, shown, "read");
  if (S_ISLNK(st.st_mode)) return refusal::bad_path(link_refused(shown));
  if (S_ISDIR(st.st_mode)) return refusal::bad_path(fmt::format("'{}' is a folder", shown));
  if (!S_ISREG(st.st_mode)) return refusal::bad_path(fmt::format("'{}' is not a regular file", shown));
  const auto limit = limits_.max_file_bytes;
  if (static_cast<std::uint64_t>(st.st_size) > limit)
    return refusal::too_large(fmt::format("'{}' is {} bytes; the IDE opens files up to {}", shown,
                                          static_cast<std::uint64_t>(st.st_size), size_text(limit)));

  unique_fd fd(::openat(dirfd, where->name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) return entry_refusal(errno, shown, "read");
  struct stat opened {};
  if (::fstat(fd.get(), &opened) != 0) return entry_refusal(errno, shown, "read");
  if (!S_ISREG(opened.st_mode)) return refusal::bad_path(fmt::format("'{}' is not a regular file", shown));
  file_content out;
  bool too_large = false;
  if (!read_all(fd.get(), limit, out.content, too_large)) {
    if (too_large)
      return refusal::too_large(fmt::format("'{}' is larger than {}, the most the IDE opens", shown, size_text(limit)));
    return entry_refusal(errno, shown, "read");
  }
  if (auto problem = text_problem(out.content); !problem.empty())
    return refusal::not_text(
        fmt::format("'{}' is not a text file ({}); the editor opens UTF-8 text only", shown, problem));
  out.path = shown;
  out.etag = content_etag(out.content);
  return out;
}

outcome<saved_file> workspace::save(std::size_t root, std::string_view path, std::string_view content,
                                    const std::optional<std::string>& etag, bool force) {
  if (content.size() > limits_.max_file_bytes)
    return refusal::too_large(
        fmt::format("the content is {} bytes; the IDE saves files up to {}", content.size(), size_text(limits_.max_file_bytes)));
  if (auto problem = text_problem(content); !problem.empty())
    return refusal::not_text(fmt::format("the content is not text ({})", problem));
  if (!force && !etag)
    return refusal::precondition_required(
        "send the etag the file was read with (or force: true to overwrite whatever is on disk)");

  std::lock_guard lock(changes_);
  auto where = resolve(root, path);
  if (!where) return where.error();
  const int dirfd = where->parent.get();
  const auto& shown = where->relative;
  struct stat st {};
  if (!stat_entry(dirfd, where->name, st)) {
    if (errno == ENOENT)
      return refusal::not_found(fmt::format("no such file: '{}' (it was deleted or renamed; create it again)", shown));
    return entry_refusal(errno, shown, "save");
  }
  if (S_ISLNK(st.st_mode)) return refusal::bad_path(link_refused(shown));
  if (S_ISDIR(st.st_mode)) return refusal::bad_path(fmt::format("'{}' is a folder", shown));
  if (!S_ISREG(st.st_mode)) return refusal::bad_path(fmt::format("'{}' is not a regular file", shown));

  // What is on disk now: its etag decides, and an identical save writes nothing.
  std::optional<std::string> current;
  {
    unique_fd fd(::openat(dirfd, where->name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd.valid()) return entry_refusal(errno, shown, "save");
    struct stat opened {};
    if (::fstat(fd.get(), &opened) != 0) return entry_refusal(errno, shown, "save");
    if (!S_ISREG(opened.st_mode)) return refusal::bad_path(fmt::format("'{}' is not a regular file", shown));
    st = opened;
    std::string bytes;
    bool too_large = false;
    if (read_all(fd.get(), limits_.max_file_bytes, bytes, too_large))
      current = std::move(bytes);
    else if (!too_large)
      return entry_refusal(errno, shown, "save");
  }
  const std::string current_etag = current ? content_etag(*current) : std::string();
  if (!force && (!current || *etag != current_etag))
    return refusal::conflict(fmt::format("'{}' changed on disk since it was opened", shown), current_etag);
  if (current && *current == content) return saved_file{shown, current_etag, content.size(), true};

  auto temp = write_temp(dirfd, content, ownership{st.st_mode, st.st_uid, st.st_gid}, shown);
  if (!temp) return temp.error();
  if (::renameat(dirfd, temp->c_str(), dirfd, where->name.c_str()) != 0) {
    const int err = errno;
    ::unlinkat(dirfd, temp->c_str(), 0);
    return entry_refusal(err, shown, "save");
  }
  sync_folder(dirfd);
  return saved_file{shown, content_etag(content), content.size(), false};
}

outcome<saved_file> workspace::create_file(std::size_t root, std::string_view path, std::string_view content) {
  if (content.size() > limits_.max_file_bytes)
    return refusal::too_large(
        fmt::format("the content is {} bytes; the IDE saves files up to {}", content.size(), size_text(limits_.max_file_bytes)));
  if (auto problem = text_problem(content); !problem.empty())
    return refusal::not_text(fmt::format("the content is not text ({})", problem));
  std::lock_guard lock(changes_);
  auto where = resolve(root, path);
  if (!where) return where.error();
  const int dirfd = where->parent.get();
  const auto& shown = where->relative;
  struct stat st {};
  if (stat_entry(dirfd, where->name, st)) return refusal::conflict(fmt::format("'{}' already exists", shown));
  auto temp = write_temp(dirfd, content, std::nullopt, shown);
  if (!temp) return temp.error();
  if (!rename_no_replace(dirfd, *temp, dirfd, where->name, false)) {
    const int err = errno;
    ::unlinkat(dirfd, temp->c_str(), 0);
    return entry_refusal(err, shown, "create");
  }
  sync_folder(dirfd);
  return saved_file{shown, content_etag(content), content.size(), false};
}

outcome<std::string> workspace::create_folder(std::size_t root, std::string_view path) {
  std::lock_guard lock(changes_);
  auto where = resolve(root, path);
  if (!where) return where.error();
  if (::mkdirat(where->parent.get(), where->name.c_str(), 0777) != 0)
    return entry_refusal(errno, where->relative, "create");
  sync_folder(where->parent.get());
  return where->relative;
}

outcome<std::string> workspace::rename(std::size_t root, std::string_view from, std::string_view to, bool overwrite) {
  std::lock_guard lock(changes_);
  auto source = resolve(root, from);
  if (!source) return source.error();
  auto target = resolve(root, to);
  if (!target) return target.error();
  const int from_dir = source->parent.get(), to_dir = target->parent.get();
  struct stat st {};
  if (!stat_entry(from_dir, source->name, st)) return entry_refusal(errno, source->relative, "rename");
  if (S_ISLNK(st.st_mode)) return refusal::bad_path(link_refused(source->relative));
  const bool is_folder = S_ISDIR(st.st_mode);
  if (source->relative == target->relative) return target->relative;
  if (is_folder && target->relative.starts_with(source->relative + "/"))
    return refusal::bad_path(fmt::format("cannot move '{}' into itself", source->relative));

  struct stat existing {};
  if (stat_entry(to_dir, target->name, existing)) {
    if (S_ISLNK(existing.st_mode)) return refusal::bad_path(link_refused(target->relative));
    if (!overwrite) return refusal::conflict(fmt::format("'{}' already exists", target->relative));
    if (S_ISDIR(existing.st_mode) != is_folder)
      return refusal::conflict(fmt::format("'{}' exists and is a {}; it cannot be replaced by a {}", target->relative,
                                           S_ISDIR(existing.st_mode) ? "folder" : "file", is_folder ? "folder" : "file"));
  }
  const bool moved = overwrite ? ::renameat(from_dir, source->name.c_str(), to_dir, target->name.c_str()) == 0
                               : rename_no_replace(from_dir, source->name, to_dir, target->name, is_folder);
  if (!moved) {
    const int err = errno;
    if (err == EINVAL) return refusal::bad_path(fmt::format("cannot move '{}' into itself", source->relative));
    if (err == EXDEV) return refusal::conflict("cannot move across file systems");
    return entry_refusal(err, target->relative, "rename to");
  }
  sync_folder(from_dir);
  if (to_dir != from_dir) sync_folder(to_dir);
  return target->relative;
}

outcome<done> workspace::remove_file(std::size_t root, std::string_view path) {
  std::lock_guard lock(changes_);
  auto where = resolve(root, path);
  if (!where) return where.error();
  const auto& shown = where->relative;
  struct stat st {};
  if (!stat_entry(where->parent.get(), where->name, st)) return entry_refusal(errno, shown, "delete");
  if (S_ISLNK(st.st_mode)) return refusal::bad_path(link_refused(shown));
  if (S_ISDIR(st.st_mode)) return refusal::bad_path(fmt::format("'{}' is a folder; delete it as a folder", shown));
  if (::unlinkat(where->parent.get(), where->name.c_str(), 0) != 0) return entry_refusal(errno, shown, "delete");
  sync_folder(where->parent.get());
  return done{};
}

outcome<done> workspace::remove_folder(std::size_t root, std::string_view path, bool recursive) {
  std::lock_guard lock(changes_);
  auto where = resolve(root, path);
  if (!where) return where.error();
  const auto& shown = where->relative;
  struct stat st {};
  if (!stat_entry(where->parent.get(), where->name, st)) return entry_refusal(errno, shown, "delete");
  if (S_ISLNK(st.st_mode)) return refusal::bad_path(link_refused(shown));
  if (!S_ISDIR(st.st_mode)) return refusal::bad_path(fmt::format("'{}' is not a folder", shown));
  if (recursive) {
    auto removed = remove_tree(where->parent.get(), where->name, shown, limits_.max_delete_depth);
    if (!removed) return removed.error();
  } else if (::unlinkat(where->parent.get(), where->name.c_str(), AT_REMOVEDIR) != 0) {
    if (errno == ENOTEMPTY || errno == EEXIST)
      return refusal::conflict(fmt::format("'{}' is not empty (delete it recursively to remove what it holds)", shown));
    return entry_refusal(errno, shown, "delete");
  }
  sync_folder(where->parent.get());
  return done{};
}

}  // namespace leoflow::ide
