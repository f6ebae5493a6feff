// Tests scheduler/run_planner.hpp: readiness, skip propagation to a fixed
// point, empty operators, mapping widths, retries, and run states.
#include "scheduler/run_planner.hpp"

#include <map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

using namespace leoflow;
using namespace leoflow::scheduler;

namespace {

// A DAG spec from "task:type:rule:upstream1,upstream2" lines.
std::shared_ptr<const dag_structure> dag(std::initializer_list<const char*> tasks,
                                         const char* mapping_task = nullptr, const char* mapping = nullptr) {
  boost::json::array list;
  for (const char* line : tasks) {
    std::string s(line);
    auto a = s.find(':'), b = s.find(':', a + 1), c = s.find(':', b + 1);
    boost::json::array up;
    std::string ups = s.substr(c + 1);
    for (std::size_t pos = 0; pos < ups.size();) {
      auto comma = ups.find(',', pos);
      if (comma == std::string::npos) comma = ups.size();
      if (comma > pos) up.push_back(boost::json::value(ups.substr(pos, comma - pos)));
      pos = comma + 1;
    }
    boost::json::object t{{"task_id", s.substr(0, a)},
                          {"type", s.substr(a + 1, b - a - 1)},
                          {"trigger_rule", s.substr(b + 1, c - b - 1)},
                          {"upstream", up}};
    if (mapping_task && s.substr(0, a) == mapping_task) t["mapping"] = boost::json::parse(mapping);
    list.push_back(t);
  }
  std::string error;
  auto d = read_structure(boost::json::serialize(boost::json::object{{"dag_id", "d"}, {"tasks", list}}), error);
  BOOST_REQUIRE_MESSAGE(d, error);
  return d;
}

struct fixture {
  std::vector<ti_view> tis;
  std::map<std::string, boost::json::value> xcoms;
  std::int64_t add(const char* task, std::optional<std::string> state = std::nullopt, int map_index = -1) {
    tis.push_back({static_cast<std::int64_t>(tis.size() + 1), task, map_index, state, state ? 1 : 0, std::nullopt});
    return tis.back().id;
  }
  run_plan plan(const dag_structure& d, timestamp t = now()) {
    return plan_run(d, tis, [this](const std::string& task, int, const std::string& key) -> std::optional<boost::json::value> {
      auto it = xcoms.find(task + "/" + key);
      if (it == xcoms.end()) return std::nullopt;
      return it->second;
    }, t);
  }
  std::optional<std::string> change_for(const run_plan& p, std::int64_t id) {
    for (const auto& c : p.changes)
      if (c.ti_id == id) return c.to;
    return std::nullopt;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(run_planner_suite, fixture)

BOOST_AUTO_TEST_CASE(roots_are_ready_and_downstream_waits) {
  auto d = dag({"a:python:all_success:", "b:python:all_success:a"});
  auto a = add("a"), b = add("b");
  auto p = plan(*d);
  BOOST_TEST((p.ready == std::vector<std::int64_t>{a}));
  BOOST_TEST(!change_for(p, b));
  BOOST_TEST(!p.run_state);
}

BOOST_AUTO_TEST_CASE(skips_propagate_until_a_join_that_accepts_them) {
  auto d = dag({"choose:branch:all_success:", "fast:python:all_success:choose", "slow:python:all_success:choose",
                "after_slow:python:all_success:slow", "join:empty:none_failed_min_one_success:fast,after_slow"});
  add("choose", "success");
  auto fast = add("fast", "success");
  auto slow = add("slow", "skipped");
  auto after = add("after_slow");
  auto join = add("join");
  auto p = plan(*d);
  BOOST_TEST(*change_for(p, after) == "skipped");
  BOOST_TEST(*change_for(p, join) == "success");  // an empty operator: no process
  BOOST_TEST(p.ready.empty());
  BOOST_TEST(*p.run_state == "success");
  (void)fast;
  (void)slow;
}

BOOST_AUTO_TEST_CASE(failure_marks_downstream_upstream_failed_and_fails_the_run) {
  auto d = dag({"broken:python:all_success:", "after:python:all_success:broken", "cleanup:python:all_done:broken"});
  add("broken", "failed");
  auto after = add("after");
  auto cleanup = add("cleanup");
  auto p = plan(*d);
  BOOST_TEST(*change_for(p, after) == "upstream_failed");
  BOOST_TEST((p.ready == std::vector<std::int64_t>{cleanup}));
  BOOST_TEST(!p.run_state);  // cleanup still has to run
  tis[2].state = "success";
  tis[1].state = "upstream_failed";
  p = plan(*d);
  BOOST_TEST(*p.run_state == "failed");  // a leaf is upstream_failed
}

BOOST_AUTO_TEST_CASE(chains_of_empty_operators_finish_in_one_pass) {
  auto d = dag({"a:empty:all_success:", "b:empty:all_success:a", "c:python:all_success:b"});
  auto a = add("a"), b = add("b"), c = add("c");
  auto p = plan(*d);
  BOOST_TEST(*change_for(p, a) == "success");
  BOOST_TEST(*change_for(p, b) == "success");
  BOOST_TEST((p.ready == std::vector<std::int64_t>{c}));
}

BOOST_AUTO_TEST_CASE(mapping_over_a_literal_and_over_an_xcom) {
  auto literal = dag({"square:python:all_success:"}, "square", R"({"kind": "expand", "args": {"x": {"literal": [1, 2, 3]}}})");
  auto s = add("square");
  auto p = plan(*literal);
  BOOST_REQUIRE(p.expansions.size() == 1u);
  BOOST_TEST(p.expansions[0].ti_id == s);
  BOOST_TEST(p.expansions[0].count == 3);

  tis.clear();
  auto from_xcom = dag({"numbers:python:all_success:", "square:python:all_success:numbers"}, "square",
                       R"({"kind": "expand", "args": {"x": {"xcom": {"task_id": "numbers", "key": "return_value"}}, "y": {"literal": {"a": 1, "b": 2}}}})");
  add("numbers", "success");
  add("square");
  xcoms["numbers/return_value"] = boost::json::parse("[1, 2, 3, 4]");
  p = plan(*from_xcom);
  BOOST_REQUIRE(p.expansions.size() == 1u);
  BOOST_TEST(p.expansions[0].count == 8);  // cross product 4 × 2

  xcoms["numbers/return_value"] = boost::json::parse("[]");
  p = plan(*from_xcom);
  BOOST_TEST(*change_for(p, 2) == "skipped");

  xcoms["numbers/return_value"] = boost::json::parse("\"not a list\"");
  p = plan(*from_xcom);
  BOOST_TEST(*change_for(p, 2) == "failed");
  BOOST_REQUIRE(p.failures.size() == 1u);
  BOOST_TEST(p.failures[0].reason.find("needs a list or a dict") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_reducer_waits_for_every_map_index) {
  auto d = dag({"square:python:all_success:", "total:python:all_success:square"}, "square",
               R"({"kind": "expand", "args": {"x": {"literal": [1, 2]}}})");
  add("square", "success", 0);
  add("square", "running", 1);
  auto total = add("total");
  BOOST_TEST(plan(*d).ready.empty());
  tis[1].state = "success";
  BOOST_TEST((plan(*d).ready == std::vector<std::int64_t>{total}));
}

BOOST_AUTO_TEST_CASE(retries_wait_for_their_delay) {
  auto d = dag({"flaky:python:all_success:"});
  auto id = add("flaky", "up_for_retry");
  const auto t = now();
  tis[0].next_retry_at = t + std::chrono::seconds(30);
  auto p = plan(*d, t);
  BOOST_TEST(p.ready.empty());
  BOOST_REQUIRE(p.wake_at);
  BOOST_TEST((*p.wake_at == t + std::chrono::seconds(30)));
  p = plan(*d, t + std::chrono::seconds(31));
  BOOST_TEST((p.ready == std::vector<std::int64_t>{id}));
}

BOOST_AUTO_TEST_CASE(an_unknown_trigger_rule_fails_instead_of_hanging) {
  auto d = dag({"a:python:all_success:", "b:python:whenever:a"});
  add("a", "success");
  auto b = add("b");
  auto p = plan(*d);
  BOOST_TEST(*change_for(p, b) == "upstream_failed");
  BOOST_TEST(*p.run_state == "failed");
  BOOST_TEST(p.run_reason->find("whenever") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
