// Tests watcher/spec_reader.hpp: validation, canonical form and the hash that
// decides whether a save is a new version.
#include "watcher/spec_reader.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

using namespace leoflow::watcher;
namespace bdata = boost::unit_test::data;

namespace {

const char* good = R"js({"spec_version": 1, "dags": [{"dag_id": "etl", "schedule": "0 6 * * *",
  "tags": ["b", "a", "b"], "owner": "data", "max_active_runs": 3,
  "warnings": [{"type": "unused_task", "message": "task 'x' is defined but never called (dag.py:3)"}],
  "tasks": [{"task_id": "extract", "upstream": []}, {"task_id": "load", "upstream": ["extract"]}]}]})js";

// Same content, keys in another order and other whitespace.
const char* reordered = R"js({"dags":[{"tasks":[{"upstream":[],"task_id":"extract"},{"upstream":["extract"],"task_id":"load"}],
  "warnings":[{"message":"task 'x' is defined but never called (dag.py:3)","type":"unused_task"}],
  "max_active_runs":3,"owner":"data","tags":["b","a","b"],"schedule":"0 6 * * *","dag_id":"etl"}],"spec_version":1})js";

}  // namespace

BOOST_AUTO_TEST_SUITE(spec_reader_suite)

BOOST_AUTO_TEST_CASE(reads_a_good_document) {
  auto r = read_parser_output(good, "source");
  BOOST_REQUIRE(std::holds_alternative<parsed_file>(r));
  const auto& f = std::get<parsed_file>(r);
  BOOST_REQUIRE(f.dags.size() == 1u);
  const auto& d = f.dags[0];
  BOOST_TEST(d.dag_id == "etl");
  BOOST_TEST(*d.timetable_summary == "0 6 * * *");
  BOOST_TEST(*d.schedule == "\"0 6 * * *\"");
  BOOST_TEST((d.tags == std::vector<std::string>{"a", "b"}));
  BOOST_TEST(d.owners == "data");
  BOOST_TEST(d.max_active_runs == 3);
  BOOST_TEST(d.warnings.size() == 1u);
  BOOST_TEST(f.task_counts[0] == 2);
}

BOOST_AUTO_TEST_CASE(key_order_and_whitespace_do_not_change_the_hash) {
  auto a = std::get<parsed_file>(read_parser_output(good, "source"));
  auto b = std::get<parsed_file>(read_parser_output(reordered, "source"));
  BOOST_TEST(a.dags[0].spec == b.dags[0].spec);
  BOOST_TEST(a.dags[0].spec_hash == b.dags[0].spec_hash);
}

BOOST_AUTO_TEST_CASE(source_and_spec_both_feed_the_hash) {
  auto a = std::get<parsed_file>(read_parser_output(good, "source"));
  auto b = std::get<parsed_file>(read_parser_output(good, "source # edited comment"));
  BOOST_TEST(a.dags[0].spec_hash != b.dags[0].spec_hash);
  BOOST_TEST(spec_hash("ab", "c") != spec_hash("a", "bc"));
}

const char* bad_documents[] = {
    "",
    "not json",
    "[]",
    R"({"dags": {}})",
    R"({"dags": [1]})",
    R"({"dags": [{"tasks": []}]})",
    R"({"dags": [{"dag_id": "bad id!", "tasks": []}]})",
    R"({"dags": [{"dag_id": "a", "tasks": [{"task_id": "t"}, {"task_id": "t"}]}]})",
    R"({"dags": [{"dag_id": "a", "tasks": [{"task_id": "t", "upstream": ["ghost"]}]}]})",
    R"({"dags": [{"dag_id": "a", "tasks": [{}]}]})",
    R"({"dags": [{"dag_id": "a", "tasks": []}, {"dag_id": "a", "tasks": []}]})",
};

BOOST_DATA_TEST_CASE(refuses_malformed_documents, bdata::make(bad_documents), text) {
  auto r = read_parser_output(text, "");
  BOOST_TEST(std::holds_alternative<std::string>(r));
}

BOOST_AUTO_TEST_CASE(dag_id_rules) {
  BOOST_TEST(valid_dag_id("etl_v2.daily-run"));
  BOOST_TEST(!valid_dag_id(""));
  BOOST_TEST(!valid_dag_id("has space"));
  BOOST_TEST(!valid_dag_id("slash/ed"));
  BOOST_TEST(!valid_dag_id(std::string(251, 'a')));
}

BOOST_AUTO_TEST_SUITE_END()
