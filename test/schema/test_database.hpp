// The database a store test runs on: a SQLite file in the test's folder, or,
// when LEOFLOW_TEST_POSTGRES_DIR names a running throw-away cluster (ctest's
// `postgres` fixture, test/support/postgres_cluster.sh), a new empty
// PostgreSQL database on it, so the same cases cover both backends.
#pragma once

#include <filesystem>
#include <string>

#include "schema/database_url.hpp"

namespace leoflow::test {

// True when the suite runs against PostgreSQL.
bool testing_postgresql();

// A fresh database for one test: `dir / "lite.db"` on SQLite.
schema::database_url test_database(const std::filesystem::path& dir);

// The cluster's URL (a database any test may use for server-wide checks).
std::string postgres_server_url();

}  // namespace leoflow::test
