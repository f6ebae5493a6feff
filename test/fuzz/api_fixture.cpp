// The harnesses' server: see api_fixture.hpp.
#include "test/fuzz/api_fixture.hpp"

#include <cstdlib>
#include <stdexcept>
#include <variant>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "server/route_table.hpp"
#include "watcher/spec_reader.hpp"

namespace leoflow::fuzz {

namespace fs = std::filesystem;

const char* const seed_parser_output =
    R"({"spec_version": 1, "dags": [{"dag_id": "etl", "schedule": "0 6 * * *", "tags": ["a"],
        "tasks": [{"task_id": "extract", "upstream": []}, {"task_id": "load", "upstream": ["extract"]}]}]})";

namespace {

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "leoflow-fuzz-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

}  // namespace

api_fixture::api_fixture()
    : dir_(make_temp_dir()), null_(std::fopen("/dev/null", "w")), out_(console::style::journal, null_, null_) {
  fs::create_directories(dir_ / "dags" / "etl");
  db_ = std::make_unique<schema::database>(dir_ / "lite.db");

  // One DAG, so that handlers get past "DAG not found" to their real work.
  auto parsed = watcher::read_parser_output(seed_parser_output, "# dag.py");
  const auto& file = std::get<watcher::parsed_file>(parsed);
  schema::file_origin origin{(dir_ / "dags/etl/dag.py").string(), "etl/dag.py", "dags",
                            (dir_ / "dags/etl").string()};
  auto registration = db_->write_now([&](soci::session& s) {
    return schema::register_file(s, origin, file.dags, 0.1, false);
  });
  if (registration.dags.size() != 1) throw std::runtime_error("the seed DAG was not registered");

  api_ = std::make_unique<api::api_context>(
      api::api_context{*db_, out_, events_, "fuzz", (dir_ / "logs").string()});
  ide_ = std::make_unique<ide::ide_service>(std::vector<fs::path>{dir_ / "dags"});
  gate_ = std::make_unique<auth::gate>(dir_ / "config.yaml", out_);
  add_main_routes(routes_, *api_, *ide_, *gate_);
  filter_ = [gate = gate_.get()](http::request& req) { return gate->filter(req); };
}

api_fixture::~api_fixture() {
  gate_.reset();
  ide_.reset();
  api_.reset();
  db_.reset();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
  std::fclose(null_);
}

api_fixture& api_fixture::instance() {
  static api_fixture fixture;
  return fixture;
}

http::response api_fixture::run(http::request& req) {
  boost::asio::io_context io;
  http::response res;
  std::exception_ptr failure;
  auto answer = http::respond(req, routes_, filter_, out_);
  boost::asio::co_spawn(io, std::move(answer), [&](std::exception_ptr e, http::response r) {
    failure = e;
    res = std::move(r);
  });
  io.run();
  // respond() turns handler exceptions into 500s; one escaping it is a bug.
  if (failure) std::rethrow_exception(failure);
  return res;
}

}  // namespace leoflow::fuzz
