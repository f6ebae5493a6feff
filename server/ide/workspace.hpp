// The IDE's file operations on the watched folders: list a folder, read a
// text file with its etag, save it atomically (refused when the etag is
// stale), create files and folders, rename and delete. Every path goes
// through path_resolver and every operation acts relative to the folder
// descriptor it returned, never following a link. Blocking: call from a
// worker thread. Thread-safe; changes are serialised so that two saves
// through the IDE cannot interleave their etag checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/ide/path_resolver.hpp"
#include "server/ide/refusal.hpp"

namespace leoflow::ide {

struct workspace_limits {
  std::size_t max_file_bytes = 2 * 1024 * 1024;  // read and save
  std::size_t max_listing = 5000;                // entries of one folder
  int max_delete_depth = 64;                     // nesting a recursive delete goes into
};

// A watched folder as the API names it.
struct ide_root {
  std::size_t index = 0;
  std::string name;  // the folder's name, made unique among the roots
  std::filesystem::path path;
};

enum class entry_type { file, folder, symlink, other };
std::string_view entry_type_name(entry_type t);

struct folder_entry {
  std::string name;
  std::string path;  // relative to the root
  entry_type type = entry_type::other;
  std::uint64_t size = 0;  // files only
};

struct folder_listing {
  std::string path;
  std::vector<folder_entry> entries;  // folders first, then by name
  bool truncated = false;
};

struct file_content {
  std::string path;
  std::string content;
  std::string etag;
};

struct saved_file {
  std::string path;
  std::string etag;
  std::uint64_t size = 0;
  bool unchanged = false;  // the content was already on disk: nothing written
};

// The etag of a file's bytes (SHA-256, hex).
std::string content_etag(std::string_view content);

// Why `content` cannot be shown in a text editor, or empty when it can
// (UTF-8 without NUL bytes).
std::string text_problem(std::string_view content);

class workspace {
 public:
  explicit workspace(const std::vector<std::filesystem::path>& roots, workspace_limits limits = {},
                     resolve_mode mode = resolve_mode::automatic);

  const std::vector<ide_root>& roots() const { return roots_; }
  const workspace_limits& limits() const { return limits_; }

  // A root by its index ("0") or its name.
  outcome<std::size_t> find_root(std::string_view key) const;

  outcome<folder_listing> list(std::size_t root, std::string_view path) const;
  outcome<file_content> read(std::size_t root, std::string_view path) const;

  // Replaces an existing file's content. `etag` must be the current one
  // unless `force`; neither given is refused (428).
  outcome<saved_file> save(std::size_t root, std::string_view path, std::string_view content,
                           const std::optional<std::string>& etag, bool force);
  // 409 when the name exists; the folder holding it must exist.
  outcome<saved_file> create_file(std::size_t root, std::string_view path, std::string_view content);
  outcome<std::string> create_folder(std::size_t root, std::string_view path);
  // Within one root; an existing target is replaced only when `overwrite`
  // (and never a folder by a file or the reverse).
  outcome<std::string> rename(std::size_t root, std::string_view from, std::string_view to, bool overwrite);
  // A file, or a folder (with its contents only when `recursive`).
  outcome<done> remove_file(std::size_t root, std::string_view path);
  outcome<done> remove_folder(std::size_t root, std::string_view path, bool recursive);

 private:
  outcome<resolved_path> resolve(std::size_t root, std::string_view path, bool allow_root = false) const;

  std::vector<ide_root> roots_;
  std::vector<path_resolver> resolvers_;
  workspace_limits limits_;
  std::mutex changes_;
};

}  // namespace leoflow::ide
