// Tests watcher/project.hpp: which folders are projects, leoflow.yaml,
// ignore rules, fingerprints.
#include "watcher/project.hpp"

#include <boost/test/unit_test.hpp>

#include "test/support/temp_home.hpp"

using namespace leoflow;
using namespace leoflow::watcher;

BOOST_AUTO_TEST_SUITE(project_suite)

BOOST_AUTO_TEST_CASE(folder_with_dag_py_is_itself_a_project) {
  test::temp_dir dir;
  test::write_file(dir.path() / "dag.py", "x = 1\n");
  auto projects = discover_projects({dir.path()});
  BOOST_REQUIRE(projects.size() == 1u);
  BOOST_TEST(projects[0].dir == dir.path());
  BOOST_TEST(projects[0].dag_file == dir.path() / "dag.py");
}

BOOST_AUTO_TEST_CASE(subfolders_are_projects_and_caches_are_skipped) {
  test::temp_dir dir;
  test::write_file(dir.path() / "b" / "dag.py", "");
  test::write_file(dir.path() / "a" / "leoflow.yaml", "dag_file: pipeline.py\n");
  test::write_file(dir.path() / "__pycache__" / "dag.py", "");
  test::write_file(dir.path() / ".hidden" / "dag.py", "");
  test::write_file(dir.path() / "notes" / "readme.md", "");
  auto projects = discover_projects({dir.path()});
  BOOST_REQUIRE(projects.size() == 2u);
  BOOST_TEST(projects[0].dir == dir.path() / "a");
  BOOST_TEST(projects[0].dag_file == dir.path() / "a" / "pipeline.py");
  BOOST_TEST(projects[1].dir == dir.path() / "b");
  BOOST_TEST(projects[0].bundle_name == dir.path().filename().string());
}

BOOST_AUTO_TEST_CASE(leoflow_yaml_dependencies_and_errors) {
  test::temp_dir dir;
  test::write_file(dir.path() / "p" / "leoflow.yaml", "dependencies:\n  - requests==2.31\n  - pyyaml\n");
  auto p = read_project(dir.path(), dir.path() / "p");
  BOOST_TEST(!p.config_error);
  BOOST_TEST((p.dependencies == std::vector<std::string>{"requests==2.31", "pyyaml"}));

  test::write_file(dir.path() / "q" / "leoflow.yaml", "dag_file: ../../etc/passwd\n");
  auto q = read_project(dir.path(), dir.path() / "q");
  BOOST_REQUIRE(q.config_error);

  test::write_file(dir.path() / "r" / "leoflow.yaml", "dependencies: [unclosed\n");
  BOOST_TEST(read_project(dir.path(), dir.path() / "r").config_error.has_value());

  test::write_file(dir.path() / "s" / "requirements.txt", "# pins\nsix==1.16  # comment\n\n");
  auto s = read_project(dir.path(), dir.path() / "s");
  BOOST_TEST((s.dependencies == std::vector<std::string>{"six==1.16"}));
}

BOOST_AUTO_TEST_CASE(ignored_names) {
  for (auto n : {".git", "__pycache__", ".venv", "node_modules", "dag.py~", ".dag.py.swp", "4913", "#dag.py#"})
    BOOST_TEST(is_ignored_name(n), n);
  for (auto n : {"dag.py", "helpers.py", "leoflow.yaml", "sql"}) BOOST_TEST(!is_ignored_name(n), n);
}

BOOST_AUTO_TEST_CASE(fingerprint_changes_with_content_not_with_caches) {
  test::temp_dir dir;
  test::write_file(dir.path() / "dag.py", "a = 1\n");
  const auto first = fingerprint(dir.path());
  BOOST_TEST(fingerprint(dir.path()) == first);
  test::write_file(dir.path() / "__pycache__" / "dag.cpython-311.pyc", "junk");
  BOOST_TEST(fingerprint(dir.path()) == first);
  test::write_file(dir.path() / "dag.py", "a = 22\n");
  BOOST_TEST(fingerprint(dir.path()) != first);
}

BOOST_AUTO_TEST_SUITE_END()
