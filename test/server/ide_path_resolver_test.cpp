// Tests server/ide/path_resolver.hpp with hostile paths: every kind of
// escape (`..`, absolute paths, encoded and double-encoded separators, NUL
// bytes, backslashes, Unicode look-alikes, invalid UTF-8, ignored names,
// links planted inside the root pointing out) is refused by every workspace
// operation, and nothing outside the root (or inside it) changes. A second
// thread swapping a folder, then a file, for a link to the outside while
// the operations run never gets anything outside read or changed.
#include "server/ide/path_resolver.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <thread>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "server/ide/workspace.hpp"
#include "test/support/temp_home.hpp"

using namespace leoflow;
using namespace leoflow::ide;
namespace bdata = boost::unit_test::data;
namespace fs = std::filesystem;

namespace leoflow::ide {
std::ostream& operator<<(std::ostream& os, resolve_mode m) {
  return os << (m == resolve_mode::automatic ? "automatic" : "portable");
}
}  // namespace leoflow::ide

namespace {

// Everything under `dir`: kind, content or link target, permissions and
// modification time per relative path.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (fs::recursive_directory_iterator it(dir), end; it != end; ++it) {
    const auto rel = fs::relative(it->path(), dir).string();
    struct stat st {};
    ::lstat(it->path().c_str(), &st);
    std::string what = std::to_string(st.st_mode) + "|" + std::to_string(st.st_mtim.tv_sec) + "." +
                       std::to_string(st.st_mtim.tv_nsec) + "|";
    if (it->is_symlink())
      what += "link:" + fs::read_symlink(it->path()).string();
    else if (it->is_regular_file())
      what += test::read_file(it->path());
    else
      what += "dir";
    out[rel] = what;
  }
  return out;
}

// A watched folder `root` next to a folder `outside` that must never be
// touched, with links planted in the root pointing out of it.
struct hostile_tree {
  test::temp_dir base;
  fs::path root = base.path() / "dags";
  fs::path outside = base.path() / "outside";

  hostile_tree() {
    test::write_file(root / "dag.py", "print('inside')\n");
    test::write_file(root / "sub" / "helpers.py", "x = 1\n");
    test::write_file(outside / "secret.txt", "outside secret\n");
    test::write_file(outside / "victim.txt", "outside victim\n");
    fs::create_directories(outside / "folder");
    fs::create_directory_symlink("../outside", root / "link_out");
    fs::create_directory_symlink(outside, root / "abs_link");
    fs::create_symlink("../outside/secret.txt", root / "link_file");
    fs::create_directory_symlink("../../outside", root / "sub" / "link_up");
  }
};

struct hostile_case {
  const char* kind;
  std::string path;
};

std::ostream& operator<<(std::ostream& os, const hostile_case& c) { return os << c.kind; }

using namespace std::string_literals;

const hostile_case hostile_paths[] = {
    {"parent", "../outside/secret.txt"},
    {"parent after a folder", "sub/../../outside/secret.txt"},
    {"parent staying inside", "sub/../dag.py"},
    {"parent alone", ".."},
    {"dot", "./dag.py"},
    {"dot alone", "."},
    {"absolute", "/etc/passwd"},
    {"absolute into root", "/dags/dag.py"},
    {"encoded separator", "..%2Foutside%2Fsecret.txt"},
    {"encoded separator lower case", "..%2foutside%2fsecret.txt"},
    {"encoded dots", "%2e%2e/outside/secret.txt"},
    {"double-encoded separator", "..%252Foutside%252Fsecret.txt"},
    {"encoded backslash", "..%5Coutside%5Csecret.txt"},
    {"backslash", "..\\outside\\secret.txt"},
    {"backslash in a name", "sub\\helpers.py"},
    {"NUL byte", "dag.py\0../../outside/secret.txt"s},
    {"NUL byte alone", "\0"s},
    {"U+2215 division slash", "..\u2215outside\u2215secret.txt"},
    {"U+FF0F full-width solidus", "..\uFF0Foutside\uFF0Fsecret.txt"},
    {"U+2044 fraction slash", "..\u2044outside"},
    {"U+29F8 big solidus", "..\u29F8outside"},
    {"U+FF3C full-width backslash", "..\uFF3Coutside"},
    {"U+2216 set minus", "..\u2216outside"},
    {"U+2024 one dot leaders", "\u2024\u2024/outside/secret.txt"},
    {"U+2024 with U+2215", "\u2024\u2024\u2215outside\u2215secret.txt"},
    {"U+2025 two dot leader", "\u2025/outside/secret.txt"},
    {"U+FF0E full-width dots", "\uFF0E\uFF0E/outside/secret.txt"},
    {"U+FE52 small full stops", "\uFE52\uFE52/outside"},
    {"U+202E right-to-left override", "\u202Etxt.terces"},
    {"U+200B zero width space", "dag\u200B.py"},
    {"overlong UTF-8 slash", "..\xC0\xAFoutside\xC0\xAFsecret.txt"},
    {"overlong UTF-8 dot", "\xC0\xAE\xC0\xAE/outside"},
    {"invalid UTF-8", "\xFF\xFE.py"},
    {"control character", "dag\x01.py"},
    {"empty component", "sub//helpers.py"},
    {"trailing slash", "sub/"},
    {"empty path", ""},
    {".git", ".git/config"},
    {"__pycache__", "__pycache__/dag.cpython-311.pyc"},
    {".venv", ".venv/bin/python"},
    {"node_modules", "node_modules/x/index.js"},
    {"hidden file", ".env"},
    {"editor temporary", "dag.py~"},
    {"overlong name", std::string(300, 'a')},
    {"overlong path", std::string(2100, 'a') + "/" + std::string(2100, 'b')},
};

// Every operation of the workspace on `path` (as the target, and as the
// source or destination of a rename); the status of each.
std::vector<std::pair<std::string, int>> attempt_everything(workspace& w, const std::string& path) {
  std::vector<std::pair<std::string, int>> out;
  auto note = [&](const char* op, auto result) {
    out.emplace_back(op, result ? 200 : result.error().status());
    // Messages quote the path; they still have to be valid UTF-8 (JSON).
    if (!result) BOOST_TEST(text_problem(result.error().detail()).empty(), op << ": " << result.error().detail());
  };
  note("list", w.list(0, path));
  note("read", w.read(0, path));
  note("save", w.save(0, path, "pwned\n", std::nullopt, true));
  note("create_file", w.create_file(0, path, "pwned\n"));
  note("create_folder", w.create_folder(0, path));
  note("rename from", w.rename(0, path, "renamed.py", true));
  note("rename to", w.rename(0, "sub/helpers.py", path, true));
  note("remove_file", w.remove_file(0, path));
  note("remove_folder", w.remove_folder(0, path, true));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ide_path_resolver_suite)

BOOST_DATA_TEST_CASE(hostile_paths_are_refused_and_nothing_changes,
                     bdata::make(hostile_paths) * bdata::make({resolve_mode::automatic, resolve_mode::portable}),
                     sample, mode) {
  hostile_tree tree;
  const auto outside_before = snapshot(tree.outside);
  const auto root_before = snapshot(tree.root);
  workspace w({tree.root}, {}, mode);
  for (const auto& [op, status] : attempt_everything(w, sample.path)) {
    // The empty path is the root: listing it is the one thing allowed.
    if (sample.path.empty() && op == "list") {
      BOOST_TEST(status == 200);
      continue;
    }
    BOOST_TEST(status == 400, sample.kind << ": " << op << " answered " << status);
  }
  BOOST_TEST((snapshot(tree.outside) == outside_before), sample.kind << " changed something outside the root");
  BOOST_TEST((snapshot(tree.root) == root_before), sample.kind << " changed something inside the root");
}

const char* const link_paths[] = {"link_out/secret.txt", "link_out/victim.txt", "link_out",
                                  "abs_link/secret.txt", "abs_link",            "link_file",
                                  "sub/link_up/secret.txt", "sub/link_up/folder", "link_out/folder/new.py"};

BOOST_DATA_TEST_CASE(links_planted_in_the_root_are_never_followed,
                     bdata::make(link_paths) * bdata::make({resolve_mode::automatic, resolve_mode::portable}), path,
                     mode) {
  hostile_tree tree;
  const auto outside_before = snapshot(tree.outside);
  const auto root_before = snapshot(tree.root);
  workspace w({tree.root}, {}, mode);
  for (const auto& [op, status] : attempt_everything(w, path)) {
    // Creating an entry where a link already is: refused as existing.
    const bool link_itself = std::string_view(path).find('/') == std::string_view::npos;
    if (link_itself && (op == "create_file" || op == "create_folder"))
      BOOST_TEST(status == 409, path << ": " << op << " answered " << status);
    else
      BOOST_TEST(status == 400, path << ": " << op << " answered " << status);
  }
  BOOST_TEST((snapshot(tree.outside) == outside_before));
  BOOST_TEST((snapshot(tree.root) == root_before));
}

BOOST_AUTO_TEST_CASE(ordinary_paths_resolve_to_their_folder) {
  hostile_tree tree;
  path_resolver r(tree.root);
  auto top = r.resolve("dag.py");
  BOOST_REQUIRE(top.ok());
  BOOST_TEST(top->name == "dag.py");
  BOOST_TEST(top->relative == "dag.py");
  auto nested = r.resolve("sub/helpers.py");
  BOOST_REQUIRE(nested.ok());
  BOOST_TEST(nested->name == "helpers.py");
  struct stat st {};
  BOOST_TEST(::fstatat(nested->parent.get(), "helpers.py", &st, AT_SYMLINK_NOFOLLOW) == 0);
  auto unicode = split_client_path("données/été.py", false);
  BOOST_REQUIRE(unicode.ok());
  BOOST_TEST(unicode->size() == 2u);
  BOOST_TEST(!r.resolve("", false).ok());
  BOOST_TEST(r.resolve("", true).ok());
  BOOST_TEST(r.resolve("missing/dag.py").error().status() == 404);
  BOOST_TEST(r.resolve("dag.py/x").error().status() == 400);
}

BOOST_AUTO_TEST_CASE(messages_say_what_is_wrong) {
  BOOST_TEST(split_client_path("../x", false).error().detail().find("step out") != std::string::npos);
  BOOST_TEST(split_client_path("/etc/passwd", false).error().detail().find("absolute") != std::string::npos);
  BOOST_TEST(split_client_path("a\\b", false).error().detail().find("backslash") != std::string::npos);
  BOOST_TEST(split_client_path("..\u2215x", false).error().detail().find("U+2215") != std::string::npos);
  BOOST_TEST(split_client_path("a%2Fb", false).error().detail().find("percent") != std::string::npos);
  hostile_tree tree;
  workspace w({tree.root});
  BOOST_TEST(w.read(0, "link_out/secret.txt").error().detail().find("symbolic link") != std::string::npos);
}

// Swaps `a` and `b` (a folder and a link, or a file and a link) as fast as
// it can until stopped; counts the swaps.
class swapper {
 public:
  swapper(fs::path a, fs::path b) : a_(std::move(a)), b_(std::move(b)), thread_([this] { run(); }) {}
  ~swapper() {
    stop_ = true;
    thread_.join();
  }
  long swaps() const { return swaps_; }

 private:
  void run() {
    const auto parked = a_.string() + ".parked";
    while (!stop_) {
      if (::renameat2(AT_FDCWD, a_.c_str(), AT_FDCWD, b_.c_str(), RENAME_EXCHANGE) == 0) {
        ++swaps_;
        continue;
      }
      // No RENAME_EXCHANGE on this file system: three renames.
      ::rename(a_.c_str(), parked.c_str());
      ::rename(b_.c_str(), a_.c_str());
      ::rename(parked.c_str(), b_.c_str());
      ++swaps_;
    }
  }

  fs::path a_, b_;
  std::atomic<bool> stop_{false};
  std::atomic<long> swaps_{0};
  std::thread thread_;
};

BOOST_DATA_TEST_CASE(a_folder_swapped_for_a_link_never_leads_outside,
                     bdata::make({resolve_mode::automatic, resolve_mode::portable}), mode) {
  hostile_tree tree;
  test::write_file(tree.root / "proj" / "victim.txt", "inside victim\n");
  fs::create_directory_symlink(tree.outside, tree.root / "proj_link");
  const auto outside_before = snapshot(tree.outside);
  workspace w({tree.root}, {}, mode);
  int reads = 0, refusals = 0;
  {
    swapper flip(tree.root / "proj", tree.root / "proj_link");
    BOOST_REQUIRE(test::eventually([&] { return flip.swaps() > 0; }));
    for (int i = 0; i < 3000; ++i) {
      auto read = w.read(0, "proj/victim.txt");
      if (read) {
        ++reads;
        BOOST_TEST(read->content.find("outside") == std::string::npos);
      } else {
        ++refusals;
        BOOST_TEST((read.error().status() == 400 || read.error().status() == 404), read.error().detail());
      }
      (void)w.save(0, "proj/victim.txt", "inside victim\n", std::nullopt, true);
      const auto name = "proj/new-" + std::to_string(i) + ".py";
      (void)w.create_file(0, name, "x\n");
      (void)w.rename(0, name, "proj/moved.py", true);
      (void)w.remove_file(0, "proj/moved.py");
      (void)w.create_folder(0, "proj/folder");
      (void)w.remove_folder(0, "proj/folder", true);
      (void)w.list(0, "proj");
    }
    BOOST_TEST_MESSAGE("folder swaps: " << flip.swaps() << ", reads " << reads << ", refused " << refusals
                                        << ", openat2: " << (openat2_available() ? "used" : "not available"));
  }
  BOOST_TEST((snapshot(tree.outside) == outside_before), "something outside the root was changed");
}

BOOST_DATA_TEST_CASE(a_file_swapped_for_a_link_is_never_read_or_written_through,
                     bdata::make({resolve_mode::automatic, resolve_mode::portable}), mode) {
  hostile_tree tree;
  test::write_file(tree.root / "proj" / "victim.txt", "inside victim\n");
  fs::create_symlink(tree.outside / "victim.txt", tree.root / "proj" / "victim_link");
  const auto outside_before = snapshot(tree.outside);
  workspace w({tree.root}, {}, mode);
  {
    swapper flip(tree.root / "proj" / "victim.txt", tree.root / "proj" / "victim_link");
    BOOST_REQUIRE(test::eventually([&] { return flip.swaps() > 0; }));
    for (int i = 0; i < 3000; ++i) {
      auto read = w.read(0, "proj/victim.txt");
      if (read) BOOST_TEST(read->content.find("outside") == std::string::npos);
      (void)w.save(0, "proj/victim.txt", "inside victim\n", std::nullopt, true);
    }
  }
  BOOST_TEST((snapshot(tree.outside) == outside_before), "something outside the root was changed");
}

BOOST_AUTO_TEST_SUITE_END()
