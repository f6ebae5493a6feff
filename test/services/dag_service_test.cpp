// Tests services/dag_service.hpp against a real SQLite file: pausing one and
// many DAGs in one transaction, deleting a DAG with its event-log row and its
// logs, listing by the latest run's state in one query.
#include "services/dag_service.hpp"

#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "test/services/service_fixture.hpp"

using namespace leoflow;

namespace {

struct dag_fixture : test::service_fixture {
  services::dag_service dags{context()};
};

schema::dag_filter all_of(std::string pattern) {
  schema::dag_filter f;
  f.dag_id_patterns = {std::move(pattern)};
  return f;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(dag_service_suite, dag_fixture)

BOOST_AUTO_TEST_CASE(pausing_records_the_event_and_wakes_only_on_unpause) {
  auto paused = run(dags.set_paused("etl", true));
  BOOST_REQUIRE(paused.has_value());
  BOOST_TEST(paused->is_paused);
  BOOST_TEST(scheduler.woken_dags.empty());
  auto unpaused = run(dags.set_paused("etl", false));
  BOOST_REQUIRE(unpaused.has_value());
  BOOST_TEST(!unpaused->is_paused);
  BOOST_TEST((scheduler.woken_dags == std::vector<std::string>{"etl"}));
  BOOST_TEST(count("SELECT COUNT(*) FROM event_log WHERE dag_id = 'etl' AND event IN ('paused', 'unpaused')") == 2);
  auto heard = published();
  BOOST_REQUIRE(heard.size() == 2u);
  BOOST_TEST(heard[0].type == "dag");
  BOOST_TEST(heard[0].data == R"({"dag_id":"etl","is_paused":true})");
}

BOOST_AUTO_TEST_CASE(pausing_an_unknown_dag_is_not_found_and_changes_nothing) {
  auto r = run(dags.set_paused("nope", true));
  BOOST_REQUIRE(r.has_error());
  BOOST_TEST((r.error().code == errc::not_found));
  BOOST_TEST(r.error().detail == "The Dag with ID: `nope` was not found");
  BOOST_TEST(count("SELECT COUNT(*) FROM event_log") == 0);
  BOOST_TEST(published().empty());
}

BOOST_AUTO_TEST_CASE(bulk_pause_changes_every_match_and_pages_the_answer) {
  register_dag("etl_2");
  auto page = run(dags.set_paused_matching(all_of("etl%"), true, 1, 1));
  BOOST_TEST(page.total_entries == 2);
  BOOST_REQUIRE(page.items.size() == 1u);
  BOOST_TEST(page.items[0].dag_id == "etl_2");
  BOOST_TEST(count("SELECT COUNT(*) FROM dag WHERE is_paused = 1") == 2);
  BOOST_TEST(count("SELECT COUNT(*) FROM dag WHERE dag_id = 'report' AND is_paused = 0") == 1);
  BOOST_TEST(published().size() == 2u);
}

BOOST_AUTO_TEST_CASE(bulk_pause_is_one_transaction) {
  register_dag("etl_2");
  // A trigger makes the second UPDATE fail: the first must roll back with it.
  db.write_now([](soci::session& s) {
    s << "CREATE TRIGGER refuse BEFORE UPDATE OF is_paused ON dag WHEN NEW.dag_id = 'etl_2' "
         "BEGIN SELECT RAISE(ABORT, 'refused'); END";
  });
  BOOST_CHECK_THROW(run(dags.set_paused_matching(all_of("etl%"), true, 100, 0)), schema::store_error);
  BOOST_TEST(count("SELECT COUNT(*) FROM dag WHERE is_paused = 1") == 0);
  BOOST_TEST(published().empty());
}

BOOST_AUTO_TEST_CASE(delete_removes_rows_logs_and_records_it_together) {
  trigger("etl", "r1");
  const auto logs = dir.path() / "logs" / "etl" / "r1";
  std::filesystem::create_directories(logs);
  test::write_file(logs / "1.log", "line\n");
  bool told = false;
  auto ctx = context();
  ctx.dag_deleted = [&](const std::string& id) { told = id == "etl"; };
  services::dag_service with_hook(ctx);
  BOOST_REQUIRE(run(with_hook.remove("etl")).has_value());
  BOOST_TEST(told);
  BOOST_TEST(!std::filesystem::exists(dir.path() / "logs" / "etl"));
  BOOST_TEST(count("SELECT COUNT(*) FROM dag WHERE dag_id = 'etl'") == 0);
  BOOST_TEST(count("SELECT COUNT(*) FROM task_instance WHERE dag_id = 'etl'") == 0);
  BOOST_TEST(count("SELECT COUNT(*) FROM event_log WHERE dag_id = 'etl' AND event = 'delete_dag'") == 1);
  auto again = run(with_hook.remove("etl"));
  BOOST_REQUIRE(again.has_error());
  BOOST_TEST((again.error().code == errc::not_found));
}

BOOST_AUTO_TEST_CASE(delete_is_one_transaction_with_its_event_log_row) {
  db.write_now([](soci::session& s) {
    s << "CREATE TRIGGER refuse BEFORE INSERT ON event_log BEGIN SELECT RAISE(ABORT, 'refused'); END";
  });
  BOOST_CHECK_THROW(run(dags.remove("etl")), schema::store_error);
  BOOST_TEST(count("SELECT COUNT(*) FROM dag WHERE dag_id = 'etl'") == 1);
}

BOOST_AUTO_TEST_CASE(list_filters_on_the_latest_run_state) {
  trigger("report", "r1");
  schema::dag_filter f;
  f.last_run_state = "queued";
  auto queued = run(dags.list(f, {"-dag_id"}, 100, 0));
  BOOST_TEST(queued.total_entries == 1);
  BOOST_REQUIRE(queued.items.size() == 1u);
  BOOST_TEST(queued.items[0].dag_id == "report");
  f.last_run_state = "success";
  BOOST_TEST(run(dags.list(f, {}, 100, 0)).total_entries == 0);
  auto all = run(dags.list({}, {"-dag_id"}, 100, 0));
  BOOST_REQUIRE(all.items.size() == 2u);
  BOOST_TEST(all.items[0].dag_id == "report");
}

BOOST_AUTO_TEST_SUITE_END()
