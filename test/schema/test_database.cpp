// Fresh databases for store tests, on SQLite or on the throw-away cluster.
#include "test/schema/test_database.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <soci/soci.h>
#include <unistd.h>

#include "schema/database.hpp"

namespace leoflow::test {

namespace {

std::string cluster_dir() {
  const char* dir = std::getenv("LEOFLOW_TEST_POSTGRES_DIR");
  return dir ? dir : "";
}

}  // namespace

bool testing_postgresql() { return !cluster_dir().empty(); }

std::string postgres_server_url() {
  std::ifstream in(cluster_dir() + "/url");
  std::string url;
  if (!in || !std::getline(in, url))
    throw std::runtime_error("LEOFLOW_TEST_POSTGRES_DIR is set but holds no url: is the cluster running?");
  return url;
}

schema::database_url test_database(const std::filesystem::path& dir) {
  if (!testing_postgresql()) return schema::sqlite_database(dir / "lite.db");
  static std::atomic<int> counter{0};
  const std::string name = fmt::format("test_{}_{}", ::getpid(), counter++);
  const auto server = schema::parse_database_url(postgres_server_url());
  auto session = schema::open_session(server);
  *session << "CREATE DATABASE " + name;
  // The cluster's URL ends in its database's name; the new one replaces it.
  auto url = server;
  url.conninfo = url.conninfo.substr(0, url.conninfo.rfind('/') + 1) + name;
  return url;
}

}  // namespace leoflow::test
