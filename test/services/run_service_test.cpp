// Tests services/run_service.hpp and services/task_instance_service.hpp
// against a real SQLite file: trigger, mark, clear and delete, the state
// transitions they make, what they tell the scheduler and what they publish.
#include "services/run_service.hpp"

#include <boost/test/unit_test.hpp>

#include "services/task_instance_service.hpp"
#include "test/services/service_fixture.hpp"

using namespace leoflow;

namespace {

struct run_fixture : test::service_fixture {
  services::run_service runs{context()};
  services::task_instance_service tis{context()};

  schema::dag_run_record trigger(const std::string& run_id) { return service_fixture::trigger("etl", run_id); }

  // A run whose `extract` try is running, its events already heard.
  void running_run(const std::string& run_id) {
    trigger(run_id);
    set_state(run_id, "extract", "running");
    published();
  }

  // What the scheduler would do: a try starts, or ends.
  void set_state(const std::string& run_id, const std::string& task_id, const std::string& state) {
    db.write_now([&](soci::session& s) {
      auto r = schema::find_run(s, "etl", run_id);
      auto ti = schema::find_task_instance(s, r->id, task_id, -1);
      schema::set_ti_state(s, ti->id, {}, state);
    });
  }
  void set_run_state(const std::string& run_id, const std::string& state) {
    db.write_now([&](soci::session& s) {
      auto r = schema::find_run(s, "etl", run_id);
      schema::set_run_state(s, r->id, {r->state}, state);
    });
  }
  std::string run_state(const std::string& run_id) {
    return db.write_now([&](soci::session& s) { return schema::find_run(s, "etl", run_id)->state; });
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(run_service_suite, run_fixture)

BOOST_AUTO_TEST_CASE(trigger_creates_a_queued_run_wakes_and_publishes) {
  auto r = trigger("r1");
  BOOST_TEST(r.state == "queued");
  BOOST_TEST((scheduler.woken_runs == std::vector<std::int64_t>{r.id}));
  BOOST_TEST(count("SELECT COUNT(*) FROM task_instance WHERE run_id = 'r1' AND state IS NULL") == 2);
  BOOST_TEST(count("SELECT COUNT(*) FROM event_log WHERE event = 'trigger' AND run_id = 'r1'") == 1);
  auto heard = published();
  BOOST_REQUIRE(heard.size() == 1u);
  BOOST_TEST(heard[0].type == "dag_run");
  BOOST_TEST(heard[0].data == R"({"dag_id":"etl","run_id":"r1","state":"queued"})");
}

BOOST_AUTO_TEST_CASE(trigger_refuses_what_it_cannot_do) {
  trigger("r1");
  services::trigger_request t;
  t.dag_id = "etl";
  t.run_id = "r1";
  auto taken = run(runs.trigger(t));
  BOOST_REQUIRE(taken.has_error());
  BOOST_TEST((taken.error().code == errc::conflict));
  t.dag_id = "nope";
  auto missing = run(runs.trigger(t));
  BOOST_REQUIRE(missing.has_error());
  BOOST_TEST((missing.error().code == errc::not_found));
  auto ctx = context();
  ctx.scheduler = nullptr;
  services::run_service without(ctx);
  t.dag_id = "etl";
  t.run_id = "r2";
  auto off = run(without.trigger(t));
  BOOST_REQUIRE(off.has_error());
  BOOST_TEST((off.error().code == errc::unavailable));
  BOOST_TEST(count("SELECT COUNT(*) FROM dag_run") == 1);
}

BOOST_AUTO_TEST_CASE(marking_failed_stops_running_tries_and_skips_the_rest) {
  running_run("r1");
  services::run_patch p;
  p.state = "failed";
  auto marked = run(runs.patch("etl", "r1", p));
  BOOST_REQUIRE(marked.has_value());
  BOOST_TEST(marked->state == "failed");
  BOOST_TEST((ti_state("etl", "r1", "extract") == std::optional<std::string>("failed")));
  BOOST_TEST((ti_state("etl", "r1", "load") == std::optional<std::string>("skipped")));
  BOOST_REQUIRE(scheduler.killed.size() == 1u);
  BOOST_TEST(scheduler.killed[0].second == "the run was marked failed");
  BOOST_TEST(count("SELECT COUNT(*) FROM event_log WHERE event = 'dagrun_failed'") == 1);
  auto heard = published();
  BOOST_REQUIRE(heard.size() == 1u);
  BOOST_TEST(heard[0].data == R"({"dag_id":"etl","run_id":"r1","state":"failed"})");
}

BOOST_AUTO_TEST_CASE(a_note_alone_changes_no_state) {
  trigger("r1");
  services::run_patch p;
  p.set_note = true;
  p.note = "looked at it";
  auto noted = run(runs.patch("etl", "r1", p));
  BOOST_REQUIRE(noted.has_value());
  BOOST_TEST(noted->state == "queued");
  BOOST_TEST((noted->note == std::optional<std::string>("looked at it")));
  BOOST_TEST(scheduler.killed.empty());
}

BOOST_AUTO_TEST_CASE(clear_dry_run_lists_and_changes_nothing) {
  trigger("r1");
  set_state("r1", "extract", "failed");
  set_run_state("r1", "failed");
  published();
  auto listed = run(runs.clear("etl", "r1", true, true));
  BOOST_REQUIRE(listed.has_value());
  BOOST_REQUIRE(listed->would_clear);
  BOOST_REQUIRE(listed->would_clear->task_instances.size() == 1u);
  BOOST_TEST(listed->would_clear->task_instances[0].task_id == "extract");
  BOOST_TEST((ti_state("etl", "r1", "extract") == std::optional<std::string>("failed")));
  BOOST_TEST(run_state("r1") == "failed");
  BOOST_TEST(published().empty());
}

BOOST_AUTO_TEST_CASE(clear_requeues_the_run_and_archives_the_try) {
  trigger("r1");
  set_state("r1", "extract", "success");
  set_state("r1", "load", "failed");
  set_run_state("r1", "failed");
  scheduler.woken_runs.clear();
  published();
  auto cleared = run(runs.clear("etl", "r1", false, true));
  BOOST_REQUIRE(cleared.has_value());
  BOOST_REQUIRE(cleared->run);
  BOOST_TEST(cleared->run->state == "queued");
  BOOST_TEST(!ti_state("etl", "r1", "load"));
  BOOST_TEST((ti_state("etl", "r1", "extract") == std::optional<std::string>("success")));
  BOOST_TEST(scheduler.woken_runs.size() == 1u);
  auto heard = published();
  BOOST_REQUIRE(heard.size() == 1u);
  BOOST_TEST(heard[0].data == R"({"dag_id":"etl","run_id":"r1","state":"queued"})");
}

BOOST_AUTO_TEST_CASE(unknown_runs_are_not_found_with_airflows_text) {
  auto cleared = run(runs.clear("etl", "nope", true, false));
  BOOST_REQUIRE(cleared.has_error());
  BOOST_TEST(cleared.error().detail == "The DagRun with dag_id: `etl` and run_id: `nope` was not found");
  auto removed = run(runs.remove("etl", "nope"));
  BOOST_REQUIRE(removed.has_error());
  BOOST_TEST((removed.error().code == errc::not_found));
}

BOOST_AUTO_TEST_CASE(delete_stops_active_tries_and_removes_the_logs) {
  trigger("r1");
  set_state("r1", "extract", "running");
  const auto logs = dir.path() / "logs" / "etl" / "r1";
  std::filesystem::create_directories(logs);
  BOOST_REQUIRE(run(runs.remove("etl", "r1")).has_value());
  BOOST_TEST(!std::filesystem::exists(logs));
  BOOST_TEST(scheduler.killed.size() == 1u);
  BOOST_TEST(count("SELECT COUNT(*) FROM task_instance WHERE run_id = 'r1'") == 0);
  BOOST_TEST(count("SELECT COUNT(*) FROM event_log WHERE event = 'delete_dag_run'") == 1);
}

BOOST_AUTO_TEST_CASE(marking_a_task_with_downstream_publishes_each_instance) {
  running_run("r1");
  services::ti_patch p;
  p.task_id = "extract";
  p.relatives.include_downstream = true;
  p.new_state = "success";
  auto marked = run(tis.patch("etl", "r1", p));
  BOOST_REQUIRE(marked.has_value());
  BOOST_REQUIRE(marked->task_instances.size() == 2u);
  BOOST_TEST((ti_state("etl", "r1", "load") == std::optional<std::string>("success")));
  BOOST_TEST(scheduler.killed.size() == 1u);
  auto heard = published();
  BOOST_REQUIRE(heard.size() == 2u);
  BOOST_TEST(heard[0].type == "task_instance");
  BOOST_TEST(marked->versions.size() == 1u);
}

BOOST_AUTO_TEST_CASE(clearing_task_instances_across_runs_is_one_answer) {
  trigger("r1");
  trigger("r2");
  set_state("r1", "load", "failed");
  set_state("r2", "load", "failed");
  services::ti_clear c;
  c.dry_run = false;
  c.chosen.only_failed = true;
  auto cleared = run(tis.clear("etl", c));
  BOOST_REQUIRE(cleared.has_value());
  BOOST_TEST(cleared->size() == 2u);
  BOOST_TEST(count("SELECT COUNT(*) FROM task_instance WHERE state = 'failed'") == 0);
  BOOST_TEST(count("SELECT COUNT(*) FROM event_log WHERE event = 'clear'") == 2);
  c.run_id = "nope";
  auto missing = run(tis.clear("etl", c));
  BOOST_REQUIRE(missing.has_error());
  BOOST_TEST((missing.error().code == errc::not_found));
}

BOOST_AUTO_TEST_SUITE_END()
