// Tests schema/database.hpp: migrations, pragmas, refusing a newer schema,
// and the awaitable read/write hops, on SQLite and (ctest's
// schema_tests_postgresql) on a real PostgreSQL server.
#include "schema/database.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>
#include <soci/soci.h>

#include "test/schema/test_database.hpp"
#include "test/support/temp_home.hpp"

using namespace leoflow;

BOOST_AUTO_TEST_SUITE(database_suite)

BOOST_AUTO_TEST_CASE(creates_and_migrates_with_pragmas) {
  test::temp_dir dir;
  schema::database db(test::testing_postgresql() ? test::test_database(dir.path())
                                                 : schema::sqlite_database(dir.path() / "dev" / "lite.db"));
  db.write_now([](soci::session& s) {
    int version = 0;
    s << "SELECT MAX(version) FROM schema_version", soci::into(version);
    BOOST_TEST(version == schema::latest_schema_version());
    if (test::testing_postgresql()) return;
    std::string mode;
    s << "PRAGMA journal_mode", soci::into(mode);
    BOOST_TEST(mode == "wal");
    int fk = 0;
    s << "PRAGMA foreign_keys", soci::into(fk);
    BOOST_TEST(fk == 1);
  });
}

BOOST_AUTO_TEST_CASE(reopening_applies_nothing_twice) {
  test::temp_dir dir;
  const auto file = test::test_database(dir.path());
  { schema::database db(file); }
  schema::database db(file);
  db.write_now([](soci::session& s) {
    int rows = 0;
    s << "SELECT COUNT(*) FROM schema_version", soci::into(rows);
    BOOST_TEST(rows == schema::latest_schema_version());
  });
}

BOOST_AUTO_TEST_CASE(refuses_a_database_from_a_newer_binary) {
  test::temp_dir dir;
  const auto file = test::test_database(dir.path());
  {
    schema::database db(file);
    db.write_now([](soci::session& s) { s << "INSERT INTO schema_version (version) VALUES (9999)"; });
  }
  try {
    schema::database db(file);
    BOOST_FAIL("opened a database with a newer schema");
  } catch (const schema::store_error& e) {
    BOOST_TEST(std::string(e.what()).find("newer Leoflow") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("9999") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(read_and_write_resume_on_the_callers_executor) {
  test::temp_dir dir;
  schema::database db(test::test_database(dir.path()));
  boost::asio::io_context io;
  auto job = [&]() -> boost::asio::awaitable<int> {
    auto insert = [](soci::session& s) { s << "INSERT INTO variable (var_key, val) VALUES ('k', 'v')"; };
    co_await db.write(std::move(insert));
    BOOST_TEST(io.get_executor().running_in_this_thread());
    auto count_rows = [](soci::session& s) {
      int count = 0;
      s << "SELECT COUNT(*) FROM variable", soci::into(count);
      return count;
    };
    int n = co_await db.read(std::move(count_rows));
    BOOST_TEST(io.get_executor().running_in_this_thread());
    co_return n;
  };
  auto fut = boost::asio::co_spawn(io, job(), boost::asio::use_future);
  io.run();
  BOOST_TEST(fut.get() == 1);
}

BOOST_AUTO_TEST_CASE(exceptions_cross_back_to_the_caller) {
  test::temp_dir dir;
  schema::database db(test::test_database(dir.path()));
  boost::asio::io_context io;
  auto job = [&]() -> boost::asio::awaitable<void> {
    auto broken = [](soci::session& s) {
      std::string secret = "hunter2-secret";
      s << "INSERT INTO no_such_table VALUES (:v)", soci::use(secret);
    };
    co_await db.write(std::move(broken));
  };
  auto fut = boost::asio::co_spawn(io, job(), boost::asio::use_future);
  io.run();
  try {
    fut.get();
    BOOST_FAIL("the failed statement did not throw");
  } catch (const schema::query_failed& e) {
    // The database's message, never the statement's bound values.
    const std::string what = e.what();
    BOOST_TEST(what.find("no_such_table") != std::string::npos);
    BOOST_TEST(what.find("hunter2-secret") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(a_database_server_that_cannot_be_reached_is_unavailable_not_a_crash) {
  // Nothing listens on this socket folder: the same refusal as a server that
  // is down or restarting. The message names the database, not its password.
  test::temp_dir dir;
  auto url = schema::parse_database_url("postgresql://leoflow:hunter2-secret@/leoflow?host=" +
                                        dir.path().string() + "&port=1&connect_timeout=2");
  try {
    schema::database db(url);
    BOOST_FAIL("opened a database on a server that is not there");
  } catch (const schema::store_unavailable& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("cannot connect to the database") != std::string::npos, what);
    BOOST_TEST(what.find("hunter2-secret") == std::string::npos, what);
  }
}

BOOST_AUTO_TEST_SUITE_END()
