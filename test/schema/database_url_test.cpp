// Tests schema/database_url.hpp: the accepted forms, clear refusals, and that
// a password never shows in what is printed.
#include "schema/database_url.hpp"

#include <boost/test/unit_test.hpp>

#include "schema/database.hpp"
#include "test/support/temp_home.hpp"

using namespace leoflow;
using namespace leoflow::schema;

BOOST_AUTO_TEST_SUITE(database_url_suite)

BOOST_AUTO_TEST_CASE(sqlite_urls_name_an_absolute_file) {
  auto url = parse_database_url("sqlite:///var/lib/leoflow/dev/lite.db");
  BOOST_TEST((url.kind == backend::sqlite));
  BOOST_TEST(url.sqlite_file == "/var/lib/leoflow/dev/lite.db");
  BOOST_TEST(url.display() == "sqlite:///var/lib/leoflow/dev/lite.db");
}

BOOST_AUTO_TEST_CASE(postgresql_urls_and_keyword_strings_go_to_libpq_unchanged) {
  for (const char* text : {"postgresql://leoflow@db.example:5432/leoflow", "postgres://u@/db?host=/run/pg",
                           "host=/run/pg dbname=leoflow user=leoflow"}) {
    auto url = parse_database_url(text);
    BOOST_TEST((url.kind == backend::postgresql));
    BOOST_TEST(url.conninfo == text);
  }
}

BOOST_AUTO_TEST_CASE(passwords_never_show_when_printed) {
  BOOST_TEST(parse_database_url("postgresql://leoflow:s3cr3t-pw@db:5432/leoflow").display() ==
             "postgresql://leoflow:***@db:5432/leoflow");
  BOOST_TEST(parse_database_url("postgresql://leoflow@db/leoflow?sslmode=require&password=s3cr3t-pw").display() ==
             "postgresql://leoflow@db/leoflow?sslmode=require&password=***");
  BOOST_TEST(parse_database_url("host=db password='a \\' b' user=leoflow").display() ==
             "host=db password=*** user=leoflow");
  BOOST_TEST(parse_database_url("host=db password=s3cr3t-pw user=leoflow").display() ==
             "host=db password=*** user=leoflow");
  BOOST_TEST(redact_conninfo("FATAL: password authentication failed for user \"leoflow\"") ==
             "FATAL: password authentication failed for user \"leoflow\"");
}

BOOST_AUTO_TEST_CASE(anything_else_is_refused_saying_what_is_accepted) {
  for (const char* text : {"", "mysql://root@db/x", "sqlite://relative.db", "lite.db", "sqlite:///a.db?mode=ro"}) {
    try {
      parse_database_url(text);
      BOOST_FAIL(std::string("accepted ") + text);
    } catch (const store_error& e) {
      BOOST_TEST(std::string(e.what()).find("sqlite:///") != std::string::npos, e.what());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_password_file_adds_the_password_to_either_form) {
  test::temp_dir dir;
  test::write_file(dir.path() / "pw", "p@ss w'rd\n");
  auto uri = with_password_file(parse_database_url("postgresql://leoflow@db/leoflow"), dir.path() / "pw");
  BOOST_TEST(uri.conninfo == "postgresql://leoflow@db/leoflow?password=p%40ss%20w%27rd");
  BOOST_TEST(uri.display() == "postgresql://leoflow@db/leoflow?password=***");
  auto kv = with_password_file(parse_database_url("host=db user=leoflow"), dir.path() / "pw");
  BOOST_TEST(kv.conninfo == "host=db user=leoflow password='p@ss w\\'rd'");
  BOOST_TEST(kv.display() == "host=db user=leoflow password=***");
  BOOST_CHECK_THROW(with_password_file(parse_database_url("host=db"), dir.path() / "missing"), store_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(postgresql_keywords_suite)

BOOST_AUTO_TEST_CASE(uris_become_libpq_keywords) {
  using leoflow::schema::parse_database_url;
  using leoflow::schema::postgresql_keywords;
  BOOST_TEST(postgresql_keywords(parse_database_url("postgresql://leo%40x:p%27w@%2Frun%2Fpg:5433/my%20db?sslmode=disable")) ==
             "user='leo@x' password='p\\'w' host='/run/pg' port='5433' dbname='my db' sslmode='disable'");
  BOOST_TEST(postgresql_keywords(parse_database_url("postgresql://[::1]:5432,db2/leoflow")) ==
             "host='::1,db2' port='5432,' dbname='leoflow'");
  BOOST_TEST(postgresql_keywords(parse_database_url("postgres://db")) == "host='db'");
  BOOST_TEST(postgresql_keywords(parse_database_url("host=db dbname=x")) == "host=db dbname=x");
}

BOOST_AUTO_TEST_SUITE_END()
