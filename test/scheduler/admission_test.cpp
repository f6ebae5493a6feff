// Tests scheduler/admission.hpp (which ready tries start: parallelism,
// max_active_tasks, max_active_tis_per_dag/_per_dagrun, pool slots and
// priority across runs) and the effective priorities of weight_rule.
#include "scheduler/admission.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include "scheduler/dag_structure.hpp"

using namespace leoflow::scheduler;
namespace bj = boost::json;

namespace {

std::shared_ptr<const dag_structure> structure(const char* json) {
  std::string error;
  auto d = read_structure(json, error);
  BOOST_REQUIRE_MESSAGE(d, error);
  return d;
}

// Three independent tasks; "limited" runs one try per DAG and per run.
const char* three_tasks = R"({"dag_id": "d", "max_active_tasks": 16, "tasks": [
  {"task_id": "a"}, {"task_id": "b"},
  {"task_id": "limited", "max_active_tis_per_dag": 2, "max_active_tis_per_dagrun": 1}]})";

ready_try ready(std::int64_t id, const char* task, const char* pool = "default_pool", int slots = 1, int priority = 1) {
  return {id, task, pool, slots, priority};
}

admission_limits pools(std::map<std::string, long long> sizes, std::size_t parallelism = 32) {
  return {parallelism, std::move(sizes)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admission_suite)

BOOST_AUTO_TEST_CASE(pool_slots_admit_in_order_and_let_a_smaller_try_pass) {
  auto d = structure(three_tasks);
  // Two slots: the 2-slot try takes both, the 1-slot one behind it waits.
  auto a = admit(*d, 1, {ready(1, "a", "p", 2), ready(2, "b", "p", 1)}, {}, {}, pools({{"p", 2}}));
  BOOST_TEST((a.admitted == std::vector<std::int64_t>{1}));
  BOOST_TEST(a.held);
  BOOST_REQUIRE_EQUAL(a.waiting_for_pool.size(), 1u);
  BOOST_TEST(a.waiting_for_pool[0].ti_id == 2);

  auto b = admit(*d, 1, {ready(1, "a", "p", 3), ready(2, "b", "p", 1)}, {}, {}, pools({{"p", 2}}));
  BOOST_TEST((b.admitted == std::vector<std::int64_t>{2}));  // Airflow skips the one that cannot fit
}

BOOST_AUTO_TEST_CASE(running_tries_of_any_dag_take_their_pool_slots) {
  auto d = structure(three_tasks);
  std::vector<active_try> active{{"other", 9, "x", "p", 1}, {"other", 9, "y", "q", 5}};
  auto a = admit(*d, 1, {ready(1, "a", "p"), ready(2, "b", "p")}, active, {}, pools({{"p", 2}, {"q", 5}}));
  BOOST_TEST((a.admitted == std::vector<std::int64_t>{1}));
  auto unlimited = admit(*d, 1, {ready(1, "a", "p"), ready(2, "b", "p")}, active, {}, pools({{"p", -1}}));
  BOOST_TEST(unlimited.admitted.size() == 2u);
  BOOST_TEST(!unlimited.held);
}

BOOST_AUTO_TEST_CASE(a_missing_pool_holds_its_tries_only) {
  auto d = structure(three_tasks);
  auto a = admit(*d, 1, {ready(1, "a", "nowhere"), ready(2, "b")}, {}, {}, pools({{"default_pool", 128}}));
  BOOST_TEST((a.admitted == std::vector<std::int64_t>{2}));
  BOOST_TEST(a.missing_pools.count("nowhere") == 1u);
  BOOST_TEST(a.held);
}

BOOST_AUTO_TEST_CASE(task_concurrency_limits_count_across_runs_and_within_one) {
  auto d = structure(three_tasks);
  auto limits = pools({{"default_pool", 128}});
  // Per run: one at a time.
  auto a = admit(*d, 1, {ready(1, "limited"), ready(2, "limited"), ready(3, "a")}, {}, {}, limits);
  BOOST_TEST((a.admitted == std::vector<std::int64_t>{1, 3}));
  BOOST_TEST(a.held);
  // Per DAG: two, one of them in another run already.
  std::vector<active_try> active{{"d", 7, "limited", "default_pool", 1}};
  auto b = admit(*d, 1, {ready(1, "limited")}, active, {}, limits);
  BOOST_TEST(b.admitted.size() == 1u);
  active.push_back({"d", 8, "limited", "default_pool", 1});
  auto c = admit(*d, 1, {ready(1, "limited")}, active, {}, limits);
  BOOST_TEST(c.admitted.empty());
  // Another DAG's task of the same name does not count.
  std::vector<active_try> elsewhere{{"e", 7, "limited", "default_pool", 1}, {"e", 8, "limited", "default_pool", 1}};
  BOOST_TEST(admit(*d, 1, {ready(1, "limited")}, elsewhere, {}, limits).admitted.size() == 1u);
}

BOOST_AUTO_TEST_CASE(parallelism_and_max_active_tasks_stop_the_rest) {
  auto d = structure(R"({"dag_id": "d", "max_active_tasks": 2, "tasks": [{"task_id": "a"}, {"task_id": "b"}]})");
  auto limits = pools({{"default_pool", 128}});
  auto a = admit(*d, 1, {ready(1, "a"), ready(2, "b"), ready(3, "a")}, {}, {}, limits);
  BOOST_TEST((a.admitted == std::vector<std::int64_t>{1, 2}));
  BOOST_TEST(a.held);
  auto b = admit(*d, 1, {ready(1, "a")}, {{"x", 5, "t", "default_pool", 1}}, {}, pools({{"default_pool", 128}}, 1));
  BOOST_TEST(b.admitted.empty());
  BOOST_TEST(b.held);
}

BOOST_AUTO_TEST_CASE(a_higher_priority_waiter_of_another_run_takes_short_slots_first) {
  auto d = structure(three_tasks);
  auto limits = pools({{"p", 1}});
  std::map<std::string, std::vector<pool_waiter>> waiters{{"p", {{2, 10, 1}}}};
  auto a = admit(*d, 1, {ready(1, "a", "p", 1, 3)}, {}, waiters, limits);
  BOOST_TEST(a.admitted.empty());
  BOOST_TEST(a.runs_to_wake.count(2) == 1u);
  BOOST_REQUIRE_EQUAL(a.waiting_for_pool.size(), 1u);
  // Lower priority elsewhere, or enough slots for both: no waiting.
  std::map<std::string, std::vector<pool_waiter>> lower{{"p", {{2, 1, 1}}}};
  BOOST_TEST(admit(*d, 1, {ready(1, "a", "p", 1, 3)}, {}, lower, limits).admitted.size() == 1u);
  BOOST_TEST(admit(*d, 1, {ready(1, "a", "p", 1, 3)}, {}, waiters, pools({{"p", 2}})).admitted.size() == 1u);
  // A waiter that could not fit anyway does not hold anyone back.
  std::map<std::string, std::vector<pool_waiter>> big{{"p", {{2, 10, 5}}}};
  BOOST_TEST(admit(*d, 1, {ready(1, "a", "p", 1, 3)}, {}, big, limits).admitted.size() == 1u);
}

BOOST_AUTO_TEST_CASE(weight_rules_add_up_along_the_graph) {
  // a >> b >> c, a >> d; weights 1, 2, 4, 8.
  auto d = structure(R"({"dag_id": "w", "tasks": [
    {"task_id": "a", "priority_weight": 1},
    {"task_id": "b", "priority_weight": 2, "upstream": ["a"]},
    {"task_id": "c", "priority_weight": 4, "upstream": ["b"], "weight_rule": "upstream"},
    {"task_id": "d", "priority_weight": 8, "upstream": ["a"], "weight_rule": "absolute"}]})");
  BOOST_TEST(d->task("a")->effective_priority == 15);  // downstream (the default): itself and b, c, d
  BOOST_TEST(d->task("b")->effective_priority == 6);
  BOOST_TEST(d->task("c")->effective_priority == 7);   // upstream: itself and b, a
  BOOST_TEST(d->task("d")->effective_priority == 8);   // absolute
  BOOST_TEST(d->task("a")->priority_weight == 1);      // the task keeps its own weight
}

BOOST_AUTO_TEST_SUITE_END()
