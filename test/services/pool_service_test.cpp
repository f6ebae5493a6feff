// Tests services/pool_service.hpp against a real SQLite file: default_pool's
// rules, unique names, the event log in the same transaction, the slots
// task instances take, and the scheduler told when slots may have opened.
#include "services/pool_service.hpp"

#include <boost/test/unit_test.hpp>

#include "test/services/service_fixture.hpp"

using namespace leoflow;

namespace {

struct pool_fixture : test::service_fixture {
  services::pool_service pools{context()};
};

schema::pool_record named(std::string name, long long slots) {
  schema::pool_record p;
  p.name = std::move(name);
  p.slots = slots;
  return p;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(pool_service_suite, pool_fixture)

BOOST_AUTO_TEST_CASE(default_pool_exists_and_cannot_be_deleted_or_described) {
  auto listed = run(pools.list(std::nullopt, {}, 100, 0));
  BOOST_REQUIRE_EQUAL(listed.items.size(), 1u);
  BOOST_TEST(listed.items[0].pool.name == "default_pool");
  BOOST_TEST(listed.items[0].pool.slots == 128);
  BOOST_TEST(listed.items[0].open_slots() == 128);
  auto removed = run(pools.remove("default_pool"));
  BOOST_REQUIRE(removed.has_error());
  BOOST_TEST((removed.error().code == errc::invalid_argument));
  services::pool_update change{"default_pool", std::nullopt, std::optional<std::string>("x"), std::nullopt};
  BOOST_TEST(run(pools.update(change)).has_error());
  BOOST_TEST(count("SELECT COUNT(*) FROM event_log") == 0);
  BOOST_TEST(scheduler.capacity_changes == 0);
}

BOOST_AUTO_TEST_CASE(a_name_is_unique_and_each_write_is_logged_and_wakes_the_scheduler) {
  auto created = run(pools.create(named("db", 2)));
  BOOST_REQUIRE(created.has_value());
  BOOST_TEST(created->open_slots() == 2);
  auto again = run(pools.create(named("db", 5)));
  BOOST_REQUIRE(again.has_error());
  BOOST_TEST((again.error().code == errc::conflict));
  BOOST_TEST(again.error().detail == "The Pool with name: `db` already exists");
  services::pool_update grow{"db", 4, std::nullopt, std::nullopt};
  auto grown = run(pools.update(grow));
  BOOST_REQUIRE(grown.has_value());
  BOOST_TEST(grown->pool.slots == 4);
  BOOST_TEST(run(pools.remove("db")).has_value());
  auto gone = run(pools.get("db"));
  BOOST_REQUIRE(gone.has_error());
  BOOST_TEST(gone.error().detail == "The Pool with name: `db` was not found");
  BOOST_TEST(count("SELECT COUNT(*) FROM event_log WHERE event IN ('post_pool', 'patch_pool', 'delete_pool')") == 3);
  BOOST_TEST(scheduler.capacity_changes == 3);
}

BOOST_AUTO_TEST_CASE(queued_and_running_instances_occupy_their_pool_slots) {
  run(pools.create(named("db", 5)));
  auto run_record = trigger("etl", "r1");
  db.write_now([&](soci::session& s) {
    s << "UPDATE task_instance SET pool = 'db', pool_slots = 2, state = 'running' WHERE dag_run_id = :r AND "
         "task_id = 'extract'", soci::use(run_record.id);
    s << "UPDATE task_instance SET pool = 'db', pool_slots = 1, state = 'queued' WHERE dag_run_id = :r AND "
         "task_id = 'load'", soci::use(run_record.id);
    return 0;
  });
  auto db_pool = run(pools.get("db"));
  BOOST_REQUIRE(db_pool.has_value());
  BOOST_TEST(db_pool->usage.running == 2);
  BOOST_TEST(db_pool->usage.queued == 1);
  BOOST_TEST(db_pool->occupied_slots() == 3);
  BOOST_TEST(db_pool->open_slots() == 2);
  auto unlimited = db_pool->pool;
  unlimited.slots = -1;
  BOOST_TEST((services::pool_view{unlimited, db_pool->usage}.open_slots() == -1));
}

BOOST_AUTO_TEST_SUITE_END()
