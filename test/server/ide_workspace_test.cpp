// Tests server/ide/workspace.hpp on real files: listings (ignored names
// skipped, folders first), reading text only and within the size limit,
// saves that are atomic, keep permissions and are refused with a stale
// etag, creations, renames and deletions with their conflicts.
#include "server/ide/workspace.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "test/support/temp_home.hpp"

using namespace leoflow;
using namespace leoflow::ide;
namespace fs = std::filesystem;

namespace {

struct project_folder {
  test::temp_dir dir;
  fs::path root = dir.path() / "dags";

  project_folder() {
    test::write_file(root / "hello" / "dag.py", "print('hello')\n");
    test::write_file(root / "hello" / "helpers.py", "x = 1\n");
    test::write_file(root / "hello" / "__pycache__" / "dag.cpython-311.pyc", "junk");
    test::write_file(root / ".git" / "HEAD", "ref: refs/heads/main\n");
    test::write_file(root / "notes.md", "# notes\n");
  }

  std::vector<std::string> names_in(const fs::path& dir) const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(ide_workspace_suite)

BOOST_AUTO_TEST_CASE(roots_are_found_by_index_or_unique_name) {
  test::temp_dir dir;
  fs::create_directories(dir.path() / "a" / "dags");
  fs::create_directories(dir.path() / "b" / "dags");
  fs::create_directories(dir.path() / "more");
  workspace w({dir.path() / "a" / "dags", dir.path() / "b" / "dags", dir.path() / "more"});
  BOOST_TEST(w.roots()[0].name == "dags");
  BOOST_TEST(w.roots()[1].name == "dags-2");
  BOOST_TEST(w.find_root("2").value() == 2u);
  BOOST_TEST(w.find_root("dags-2").value() == 1u);
  BOOST_TEST(w.find_root("more").value() == 2u);
  BOOST_TEST(w.find_root("3").error().status() == 404);
  BOOST_TEST(w.find_root("nope").error().status() == 404);
  BOOST_TEST(w.find_root("99999999999999999999").error().status() == 404);
}

BOOST_AUTO_TEST_CASE(listings_skip_ignored_names_and_put_folders_first) {
  project_folder p;
  workspace w({p.root});
  auto top = w.list(0, "");
  BOOST_REQUIRE(top.ok());
  BOOST_REQUIRE(top->entries.size() == 2u);
  BOOST_TEST(top->entries[0].name == "hello");
  BOOST_TEST((top->entries[0].type == entry_type::folder));
  BOOST_TEST(top->entries[1].name == "notes.md");
  BOOST_TEST(top->entries[1].size == 8u);
  auto inner = w.list(0, "hello");
  BOOST_REQUIRE(inner.ok());
  BOOST_REQUIRE(inner->entries.size() == 2u);
  BOOST_TEST(inner->entries[0].path == "hello/dag.py");
  BOOST_TEST(inner->entries[1].path == "hello/helpers.py");
  BOOST_TEST(w.list(0, "notes.md").error().status() == 400);
  BOOST_TEST(w.list(0, "missing").error().status() == 404);

  workspace small({p.root}, workspace_limits{.max_listing = 1});
  auto cut = small.list(0, "hello");
  BOOST_TEST(cut->truncated);
  BOOST_TEST(cut->entries.size() == 1u);
}

BOOST_AUTO_TEST_CASE(reading_gives_text_with_an_etag_and_refuses_binary_and_large_files) {
  project_folder p;
  workspace w({p.root}, workspace_limits{.max_file_bytes = 64});
  auto file = w.read(0, "hello/dag.py");
  BOOST_REQUIRE(file.ok());
  BOOST_TEST(file->content == "print('hello')\n");
  BOOST_TEST(file->etag == content_etag("print('hello')\n"));

  test::write_file(p.root / "image.png", std::string("\x89PNG\r\n\x1a\n\0\0\0", 11));
  BOOST_TEST(w.read(0, "image.png").error().status() == 415);
  BOOST_TEST(w.read(0, "image.png").error().detail().find("not a text file") != std::string::npos);
  test::write_file(p.root / "latin1.txt", "caf\xE9\n");
  BOOST_TEST(w.read(0, "latin1.txt").error().status() == 415);
  test::write_file(p.root / "big.py", std::string(65, 'x'));
  BOOST_TEST(w.read(0, "big.py").error().status() == 413);
  test::write_file(p.root / "exact.py", std::string(64, 'x'));
  BOOST_TEST(w.read(0, "exact.py").ok());
  BOOST_TEST(w.read(0, "hello").error().status() == 400);
  BOOST_TEST(w.read(0, "hello/missing.py").error().status() == 404);
}

BOOST_AUTO_TEST_CASE(a_fifo_is_listed_but_never_opened) {
  project_folder p;
  BOOST_REQUIRE(::mkfifo((p.root / "pipe").c_str(), 0644) == 0);
  workspace w({p.root});
  auto top = w.list(0, "");
  BOOST_TEST((std::any_of(top->entries.begin(), top->entries.end(),
                          [](const folder_entry& e) { return e.name == "pipe" && e.type == entry_type::other; })));
  BOOST_TEST(w.read(0, "pipe").error().status() == 400);
  BOOST_TEST(w.save(0, "pipe", "x", std::nullopt, true).error().status() == 400);
}

BOOST_AUTO_TEST_CASE(saving_needs_the_current_etag_and_keeps_permissions) {
  project_folder p;
  const auto file = p.root / "hello" / "dag.py";
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::owner_exec);
  workspace w({p.root});
  const auto opened = w.read(0, "hello/dag.py").value();

  BOOST_TEST(w.save(0, "hello/dag.py", "print(2)\n", std::nullopt, false).error().status() == 428);

  auto saved = w.save(0, "hello/dag.py", "print(2)\n", opened.etag, false);
  BOOST_REQUIRE(saved.ok());
  BOOST_TEST(!saved->unchanged);
  BOOST_TEST(saved->etag == content_etag("print(2)\n"));
  BOOST_TEST(test::read_file(file) == "print(2)\n");
  struct stat st {};
  ::stat(file.c_str(), &st);
  BOOST_TEST((st.st_mode & 07777) == 0740u);

  // Someone else changed the file: the old etag is refused with the new one.
  test::write_file(file, "print('from git pull')\n");
  auto stale = w.save(0, "hello/dag.py", "print(3)\n", saved->etag, false);
  BOOST_REQUIRE(!stale.ok());
  BOOST_TEST(stale.error().status() == 409);
  BOOST_TEST(stale.error().etag() == content_etag("print('from git pull')\n"));
  BOOST_TEST(test::read_file(file) == "print('from git pull')\n");

  // Overwrite: with the fresh etag, or forced.
  BOOST_TEST(w.save(0, "hello/dag.py", "print(3)\n", stale.error().etag(), false).ok());
  BOOST_TEST(w.save(0, "hello/dag.py", "print(4)\n", std::string("stale"), true).ok());
  BOOST_TEST(test::read_file(file) == "print(4)\n");

  // The same content again writes nothing.
  const auto before = fs::last_write_time(file);
  auto same = w.save(0, "hello/dag.py", "print(4)\n", content_etag("print(4)\n"), false);
  BOOST_TEST(same->unchanged);
  BOOST_TEST((fs::last_write_time(file) == before));

  // No temporary file is left behind.
  BOOST_TEST((p.names_in(p.root / "hello") == std::vector<std::string>{"__pycache__", "dag.py", "helpers.py"}));
}

BOOST_AUTO_TEST_CASE(saving_replaces_the_file_atomically) {
  project_folder p;
  const auto file = p.root / "hello" / "dag.py";
  struct stat before {};
  ::stat(file.c_str(), &before);
  workspace w({p.root});
  BOOST_REQUIRE(w.save(0, "hello/dag.py", "print(2)\n", std::nullopt, true).ok());
  struct stat after {};
  ::stat(file.c_str(), &after);
  // A new inode renamed over the old one, never the old one truncated.
  BOOST_TEST(before.st_ino != after.st_ino);
}

BOOST_AUTO_TEST_CASE(saving_refuses_missing_binary_and_oversized_content) {
  project_folder p;
  workspace w({p.root}, workspace_limits{.max_file_bytes = 16});
  BOOST_TEST(w.save(0, "hello/gone.py", "x\n", std::nullopt, true).error().status() == 404);
  BOOST_TEST(w.save(0, "hello/dag.py", std::string("a\0b", 3), std::nullopt, true).error().status() == 415);
  BOOST_TEST(w.save(0, "hello/dag.py", std::string(17, 'x'), std::nullopt, true).error().status() == 413);
  BOOST_TEST(w.save(0, "hello", "x", std::nullopt, true).error().status() == 400);
  BOOST_TEST(test::read_file(p.root / "hello" / "dag.py") == "print('hello')\n");
}

BOOST_AUTO_TEST_CASE(creating_files_and_folders) {
  project_folder p;
  workspace w({p.root});
  auto created = w.create_file(0, "hello/new.py", "y = 2\n");
  BOOST_REQUIRE(created.ok());
  BOOST_TEST(created->etag == content_etag("y = 2\n"));
  BOOST_TEST(test::read_file(p.root / "hello" / "new.py") == "y = 2\n");
  BOOST_TEST(w.create_file(0, "hello/new.py", "other\n").error().status() == 409);
  BOOST_TEST(test::read_file(p.root / "hello" / "new.py") == "y = 2\n");
  BOOST_TEST(w.create_file(0, "nowhere/new.py", "").error().status() == 404);

  BOOST_TEST(w.create_folder(0, "second").value() == "second");
  BOOST_TEST(fs::is_directory(p.root / "second"));
  BOOST_TEST(w.create_folder(0, "second").error().status() == 409);
  BOOST_TEST(w.create_folder(0, "notes.md").error().status() == 409);
  BOOST_TEST(w.create_file(0, "second/dag.py", "").ok());
}

BOOST_AUTO_TEST_CASE(renaming_never_replaces_unless_asked) {
  project_folder p;
  workspace w({p.root});
  BOOST_TEST(w.rename(0, "hello/helpers.py", "hello/utils.py", false).value() == "hello/utils.py");
  BOOST_TEST(fs::exists(p.root / "hello" / "utils.py"));
  BOOST_TEST(!fs::exists(p.root / "hello" / "helpers.py"));

  BOOST_TEST(w.rename(0, "hello/utils.py", "hello/dag.py", false).error().status() == 409);
  BOOST_TEST(test::read_file(p.root / "hello" / "dag.py") == "print('hello')\n");
  BOOST_TEST(w.rename(0, "hello/utils.py", "hello/dag.py", true).ok());
  BOOST_TEST(test::read_file(p.root / "hello" / "dag.py") == "x = 1\n");

  BOOST_TEST(w.rename(0, "notes.md", "hello", true).error().status() == 409);
  BOOST_TEST(w.rename(0, "hello", "hello/inner", false).error().status() == 400);
  BOOST_TEST(w.rename(0, "missing.py", "other.py", false).error().status() == 404);
  BOOST_TEST(w.rename(0, "hello", "renamed", false).value() == "renamed");
  BOOST_TEST(fs::exists(p.root / "renamed" / "dag.py"));
}

BOOST_AUTO_TEST_CASE(deleting_files_and_folders) {
  project_folder p;
  workspace w({p.root});
  BOOST_TEST(w.remove_file(0, "hello").error().status() == 400);
  BOOST_TEST(w.remove_folder(0, "notes.md", false).error().status() == 400);
  BOOST_TEST(w.remove_file(0, "notes.md").ok());
  BOOST_TEST(!fs::exists(p.root / "notes.md"));
  BOOST_TEST(w.remove_file(0, "notes.md").error().status() == 404);

  // A folder with contents (some the listing hides) goes only when asked.
  BOOST_TEST(w.remove_folder(0, "hello", false).error().status() == 409);
  BOOST_TEST(fs::exists(p.root / "hello" / "dag.py"));
  fs::create_directory_symlink(p.dir.path(), p.root / "hello" / "link_out");
  BOOST_TEST(w.remove_folder(0, "hello", true).ok());
  BOOST_TEST(!fs::exists(p.root / "hello"));
  // The link was removed, not followed.
  BOOST_TEST(fs::exists(p.root / ".git" / "HEAD"));

  BOOST_TEST(w.create_folder(0, "empty").ok());
  BOOST_TEST(w.remove_folder(0, "empty", false).ok());
  BOOST_TEST(w.remove_folder(0, "", true).error().status() == 400);
}

BOOST_AUTO_TEST_SUITE_END()
