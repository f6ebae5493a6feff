// Tests schema/run_store.hpp against a real SQLite file: the compare-and-set
// state changes the scheduler and the services rely on (a writer that
// expected another state changes nothing), creating runs and clearing.
#include "schema/run_store.hpp"

#include <boost/test/unit_test.hpp>
#include <soci/soci.h>

#include "schema/database.hpp"
#include "test/support/temp_home.hpp"

using namespace leoflow;
using namespace leoflow::schema;

namespace {

struct run_store_fixture {
  test::temp_dir dir;
  database db{dir.path() / "lite.db"};
  dag_run_record run;
  std::int64_t extract = 0;

  run_store_fixture() {
    dag_registration d;
    d.dag_id = "etl";
    d.spec = R"({"dag_id":"etl","tasks":[]})";
    d.spec_hash = "h";
    file_origin origin{"/dags/etl/dag.py", "etl/dag.py", "dags", "/dags/etl"};
    db.write_now([&](soci::session& s) { return register_file(s, origin, {d}, 0.01, false); });
    run = std::get<dag_run_record>(create("r1"));
    extract = ti("extract").id;
  }

  std::variant<dag_run_record, run_conflict> create(const std::string& run_id,
                                                    opt_string logical_date = std::nullopt) {
    return db.write_now([&](soci::session& s) {
      new_run r;
      r.dag_id = "etl";
      r.run_id = run_id;
      r.dag_version_id = find_version(s, "etl", std::nullopt, false)->id;
      r.run_after = "2025-01-01T00:00:00.000000Z";
      r.logical_date = logical_date;
      task_seed extract_seed, load_seed;
      extract_seed.task_id = "extract";
      load_seed.task_id = "load";
      soci::transaction tx(s);
      auto created = create_run(s, r, {extract_seed, load_seed});
      tx.commit();
      return created;
    });
  }

  task_instance_record ti(const std::string& task_id) {
    return db.write_now([&](soci::session& s) { return *find_task_instance(s, run.id, task_id, -1); });
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(run_store_suite, run_store_fixture)

BOOST_AUTO_TEST_CASE(a_new_run_is_queued_with_stateless_instances) {
  BOOST_TEST(run.state == "queued");
  BOOST_TEST(!ti("extract").state);
  BOOST_TEST(!ti("load").state);
}

BOOST_AUTO_TEST_CASE(run_ids_and_logical_dates_are_unique_per_dag) {
  auto again = create("r1");
  BOOST_REQUIRE(std::holds_alternative<run_conflict>(again));
  BOOST_TEST(std::get<run_conflict>(again).detail == "DAG Run with run_id: `r1` already exists for DAG `etl`");
  BOOST_REQUIRE(std::holds_alternative<dag_run_record>(create("r2", "2025-01-01T00:00:00.000000Z")));
  BOOST_TEST(std::holds_alternative<run_conflict>(create("r3", "2025-01-01T00:00:00.000000Z")));
}

BOOST_AUTO_TEST_CASE(run_state_changes_only_from_an_expected_state) {
  auto set = [&](std::vector<std::string> from, std::string to) {
    return db.write_now([&](soci::session& s) { return set_run_state(s, run.id, from, to); });
  };
  BOOST_TEST(!set({"running"}, "success"));
  BOOST_TEST(db.write_now([&](soci::session& s) { return find_run_by_id(s, run.id)->state; }) == "queued");
  BOOST_TEST(set({"queued"}, "running"));
  auto running = db.write_now([&](soci::session& s) { return *find_run_by_id(s, run.id); });
  BOOST_TEST(running.state == "running");
  BOOST_TEST(running.start_date.has_value());
  BOOST_TEST(set({"running"}, "success"));
  BOOST_TEST(db.write_now([&](soci::session& s) { return find_run_by_id(s, run.id)->end_date; }).has_value());
}

BOOST_AUTO_TEST_CASE(ti_state_compare_and_set_knows_the_null_state_as_none) {
  auto set = [&](std::vector<std::string> from, opt_string to) {
    return db.write_now([&](soci::session& s) { return set_ti_state(s, extract, from, to); });
  };
  BOOST_TEST(!set({"scheduled"}, "queued"));
  BOOST_TEST(!ti("extract").state);
  BOOST_TEST(set({"none"}, "scheduled"));
  BOOST_TEST((ti("extract").state == opt_string("scheduled")));
  BOOST_TEST(set({}, "failed"));  // no expectation: an API mark
  BOOST_TEST((ti("extract").state == opt_string("failed")));
}

BOOST_AUTO_TEST_CASE(a_finished_try_is_not_recorded_over_a_mark) {
  BOOST_REQUIRE(db.write_now([&](soci::session& s) { return queue_ti(s, extract, {"none"}, "host"); }));
  db.write_now([&](soci::session& s) { start_ti(s, extract, 42, "subprocess"); });
  BOOST_TEST(ti("extract").try_number == 1);
  // The user marks it while it runs; the try's late result must not win.
  db.write_now([&](soci::session& s) { return set_ti_state(s, extract, {"running"}, "success"); });
  try_result r;
  r.state = "failed";
  BOOST_TEST(!db.write_now([&](soci::session& s) { return finish_ti(s, extract, 1, r); }));
  BOOST_TEST((ti("extract").state == opt_string("success")));
}

BOOST_AUTO_TEST_CASE(an_unstarted_queued_try_goes_back_with_its_try_number) {
  BOOST_REQUIRE(db.write_now([&](soci::session& s) { return queue_ti(s, extract, {"none"}, "host"); }));
  BOOST_TEST(ti("extract").try_number == 1);
  BOOST_TEST(db.write_now([&](soci::session& s) { return requeue_unstarted_ti(s, extract); }));
  BOOST_TEST(!ti("extract").state);
  BOOST_TEST(ti("extract").try_number == 0);
  BOOST_TEST(!db.write_now([&](soci::session& s) { return requeue_unstarted_ti(s, extract); }));
}

BOOST_AUTO_TEST_CASE(clearing_archives_the_try_and_drops_its_xcom) {
  BOOST_REQUIRE(db.write_now([&](soci::session& s) { return queue_ti(s, extract, {"none"}, "host"); }));
  db.write_now([&](soci::session& s) { start_ti(s, extract, 42, "subprocess"); });
  try_result r;
  r.state = "success";
  r.xcoms = {{"return_value", "3"}};
  BOOST_REQUIRE(db.write_now([&](soci::session& s) { return finish_ti(s, extract, 1, r); }));
  db.write_now([&](soci::session& s) { clear_ti(s, extract); });
  BOOST_TEST(!ti("extract").state);
  auto tries = db.write_now([&](soci::session& s) { return ti_tries(s, extract); });
  BOOST_TEST(tries.size() >= 1u);
  BOOST_TEST(db.write_now([&](soci::session& s) { return run_xcoms(s, run.id); }).empty());
}

BOOST_AUTO_TEST_CASE(sort_columns_refuse_unknown_attributes) {
  BOOST_TEST((run_sort_columns({"-run_id", "id"}) == std::vector<std::string>{"-r.run_id", "r.id"}));
  BOOST_CHECK_THROW(run_sort_columns({"nope"}), std::out_of_range);
  BOOST_TEST((ti_sort_columns({"-run_after", "task_id"}) == std::vector<std::string>{"-r.run_after", "t.task_id"}));
}

BOOST_AUTO_TEST_SUITE_END()
