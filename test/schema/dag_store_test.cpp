// Tests schema/dag_store.hpp against a real SQLite file (and, as
// schema_tests_postgresql, a real PostgreSQL server): registering versions,
// unchanged saves, conflicts, import errors, the cascade delete.
#include "schema/dag_store.hpp"

#include <boost/test/unit_test.hpp>
#include <soci/soci.h>

#include "schema/database.hpp"
#include "schema/query.hpp"
#include "test/schema/test_database.hpp"
#include "test/support/temp_home.hpp"

using namespace leoflow;
using namespace leoflow::schema;

namespace {

struct store_fixture {
  test::temp_dir dir;
  database db{test::test_database(dir.path())};

  file_origin origin(const std::string& project) {
    return {"/dags/" + project + "/dag.py", project + "/dag.py", "dags", "/dags/" + project};
  }

  dag_registration dag(const std::string& id, const std::string& hash) {
    dag_registration d;
    d.dag_id = id;
    d.spec = R"({"dag_id":")" + id + R"("})";
    d.spec_hash = hash;
    d.source_code = "# source";
    d.tags = {"b", "a"};
    d.warnings = {{"", "unused_task", "task 'x' is defined but never called", ""}};
    return d;
  }

  long long count(const std::string& sql) {
    return db.write_now([&](soci::session& s) {
      long long n = 0;
      s << sql, soci::into(n);
      return n;
    });
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(dag_store_suite, store_fixture)

BOOST_AUTO_TEST_CASE(first_registration_creates_version_one) {
  auto r = db.write_now([&](soci::session& s) {
    return register_file(s, origin("etl"), {dag("etl", "h1")}, 0.05, false);
  });
  BOOST_TEST(!r.conflict);
  BOOST_REQUIRE(r.dags.size() == 1u);
  BOOST_TEST(r.dags[0].version_number == 1);
  BOOST_TEST((r.dags[0].outcome == registration_outcome::created));
  auto d = db.write_now([&](soci::session& s) { return find_dag(s, "etl"); });
  BOOST_REQUIRE(d);
  BOOST_TEST(d->fileloc == "/dags/etl/dag.py");
  BOOST_TEST((d->tags == std::vector<std::string>{"a", "b"}));
  BOOST_TEST(!d->is_paused);
  BOOST_TEST(*d->last_parse_duration == 0.05);
}

BOOST_AUTO_TEST_CASE(same_hash_registers_nothing_new) {
  db.write_now([&](soci::session& s) { register_file(s, origin("etl"), {dag("etl", "h1")}, 0, false); });
  auto r = db.write_now([&](soci::session& s) {
    return register_file(s, origin("etl"), {dag("etl", "h1")}, 0, false);
  });
  BOOST_TEST((r.dags[0].outcome == registration_outcome::unchanged));
  BOOST_TEST(r.dags[0].version_number == 1);
  auto r2 = db.write_now([&](soci::session& s) {
    return register_file(s, origin("etl"), {dag("etl", "h2")}, 0, false);
  });
  BOOST_TEST((r2.dags[0].outcome == registration_outcome::new_version));
  BOOST_TEST(r2.dags[0].version_number == 2);
  BOOST_TEST(count("SELECT COUNT(*) FROM dag_version") == 2);
}

BOOST_AUTO_TEST_CASE(another_file_cannot_take_a_dag_id) {
  db.write_now([&](soci::session& s) { register_file(s, origin("one"), {dag("shared", "h1")}, 0, false); });
  auto r = db.write_now([&](soci::session& s) {
    return register_file(s, origin("two"), {dag("other", "h"), dag("shared", "h2")}, 0, false);
  });
  BOOST_REQUIRE(r.conflict);
  BOOST_TEST(r.conflict->find("/dags/one/dag.py") != std::string::npos);
  BOOST_TEST(r.dags.empty());
  // Nothing of the refused file was written.
  BOOST_TEST(count("SELECT COUNT(*) FROM dag WHERE dag_id = 'other'") == 0);
  BOOST_TEST(count("SELECT COUNT(*) FROM dag_version WHERE dag_id = 'shared'") == 1);
}

BOOST_AUTO_TEST_CASE(import_error_keeps_last_good_version_and_clears_on_fix) {
  db.write_now([&](soci::session& s) { register_file(s, origin("etl"), {dag("etl", "h1")}, 0, false); });
  db.write_now([&](soci::session& s) {
    record_import_error(s, "/dags/etl/dag.py", "dags", "SyntaxError: boom");
    record_import_error(s, "/dags/etl/dag.py", "dags", "SyntaxError: boom again");
  });
  BOOST_TEST(count("SELECT COUNT(*) FROM import_error") == 1);
  auto d = db.write_now([&](soci::session& s) { return find_dag(s, "etl"); });
  BOOST_TEST(d->has_import_errors);
  auto errors = db.write_now([&](soci::session& s) {
    long long total = 0;
    auto v = list_import_errors(s, {}, {}, 50, 0, &total);
    BOOST_TEST(total == 1);
    return v;
  });
  BOOST_TEST(errors[0].stack_trace == "SyntaxError: boom again");
  db.write_now([&](soci::session& s) { register_file(s, origin("etl"), {dag("etl", "h2")}, 0, false); });
  BOOST_TEST(count("SELECT COUNT(*) FROM import_error") == 0);
  d = db.write_now([&](soci::session& s) { return find_dag(s, "etl"); });
  BOOST_TEST(!d->has_import_errors);
}

BOOST_AUTO_TEST_CASE(delete_cascades_to_everything_the_dag_owns) {
  db.write_now([&](soci::session& s) {
    register_file(s, origin("etl"), {dag("etl", "h1")}, 0, false);
    s << "INSERT INTO dag_run (dag_id, run_id, dag_version_id, run_type, state, run_after, "
         "updated_at) VALUES ('etl', 'r1', 1, 'manual', 'running', 'x', 'x')";
    s << "INSERT INTO task_instance (uuid, dag_run_id, dag_id, run_id, task_id, updated_at) "
         "VALUES ('u1', 1, 'etl', 'r1', 't', 'x')";
    s << "INSERT INTO task_instance_history (task_instance_id, try_number) VALUES (1, 1)";
    s << "INSERT INTO xcom (dag_run_id, task_id, xcom_key, value, timestamp) "
         "VALUES (1, 't', 'return_value', '1', 'x')";
  });
  auto f = db.write_now([&](soci::session& s) { return count_dag_rows(s, "etl"); });
  BOOST_TEST(f.versions == 1);
  BOOST_TEST(f.runs == 1);
  BOOST_TEST(f.task_instances == 1);
  BOOST_TEST(f.xcoms == 1);
  BOOST_TEST(db.write_now([&](soci::session& s) { return delete_dag(s, "etl"); }));
  for (auto table : {"dag", "dag_tag", "dag_version", "dag_run", "task_instance",
                     "task_instance_history", "xcom", "dag_warning"})
    BOOST_TEST(count(std::string("SELECT COUNT(*) FROM ") + table) == 0, table);
  BOOST_TEST(!db.write_now([&](soci::session& s) { return delete_dag(s, "etl"); }));
}

BOOST_AUTO_TEST_CASE(dags_no_longer_in_the_file_are_removed) {
  db.write_now([&](soci::session& s) {
    register_file(s, origin("multi"), {dag("a", "1"), dag("b", "1")}, 0, false);
  });
  auto r = db.write_now([&](soci::session& s) {
    return register_file(s, origin("multi"), {dag("a", "1")}, 0, false);
  });
  BOOST_TEST((r.removed == std::vector<std::string>{"b"}));
  BOOST_TEST(count("SELECT COUNT(*) FROM dag") == 1);
}

BOOST_AUTO_TEST_CASE(list_filters_and_orders) {
  db.write_now([&](soci::session& s) {
    register_file(s, origin("alpha"), {dag("alpha_etl", "1")}, 0, false);
    register_file(s, origin("beta"), {dag("beta_etl", "1")}, 0, true);
    register_file(s, origin("gamma"), {dag("gamma", "1")}, 0, false);
  });
  db.write_now([&](soci::session& s) {
    long long total = 0;
    dag_filter f;
    f.dag_id_patterns = like_patterns("etl");
    auto v = list_dags(s, f, {"-dag_id"}, 50, 0, &total);
    BOOST_TEST(total == 2);
    BOOST_REQUIRE(v.size() == 2u);
    BOOST_TEST(v[0].dag_id == "beta_etl");
    f = {};
    f.paused = true;
    v = list_dags(s, f, {}, 50, 0, &total);
    BOOST_TEST(total == 1);
    BOOST_TEST(v[0].dag_id == "beta_etl");
    f = {};
    v = list_dags(s, f, {}, 1, 1, &total);
    BOOST_TEST(total == 3);
    BOOST_TEST(v.size() == 1u);
    BOOST_TEST(v[0].dag_id == "beta_etl");
    f.tags = {"a", "zzz"};
    f.tags_match_all = true;
    BOOST_TEST(list_dags(s, f, {}, 50, 0, nullptr).empty());
    f.tags_match_all = false;
    BOOST_TEST(list_dags(s, f, {}, 50, 0, nullptr).size() == 3u);
  });
}

BOOST_AUTO_TEST_CASE(like_patterns_follow_airflow) {
  BOOST_TEST((like_patterns("etl") == std::vector<std::string>{"%etl%"}));
  BOOST_TEST((like_patterns("a% | b") == std::vector<std::string>{"a%", "%b%"}));
  BOOST_TEST(like_patterns(" | ").empty());
}

BOOST_AUTO_TEST_SUITE_END()
