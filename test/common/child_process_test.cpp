// Tests common/child_process.hpp with real processes: capture, exit codes,
// signals, timeouts that kill grandchildren, output limits.
#include "common/child_process.hpp"

#include <csignal>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include "test/support/temp_home.hpp"

using namespace leoflow;
using namespace std::chrono_literals;

namespace {

captured_output run_bash(const std::string& script, std::chrono::milliseconds timeout = 10s,
                         std::size_t limit = 1 << 20, std::string input = {}) {
  boost::asio::io_context io;
  spawn_options o;
  o.executable = "/bin/bash";
  o.args = {"-c", script};
  o.env = current_environment();
  auto fut = boost::asio::co_spawn(io, run_captured(o, input, timeout, limit), boost::asio::use_future);
  io.run();
  return fut.get();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(child_process_suite)

BOOST_AUTO_TEST_CASE(captures_both_streams_and_exit_code) {
  auto r = run_bash("echo out; echo err >&2; exit 3");
  BOOST_TEST(r.out == "out\n");
  BOOST_TEST(r.err == "err\n");
  BOOST_TEST(r.status.code == 3);
  BOOST_TEST(!r.timed_out);
  BOOST_TEST(r.status.describe() == "exit status 3");
}

BOOST_AUTO_TEST_CASE(feeds_stdin) {
  auto r = run_bash("cat", 10s, 1 << 20, "hello stdin");
  BOOST_TEST(r.out == "hello stdin");
  BOOST_TEST(r.status.success());
}

BOOST_AUTO_TEST_CASE(reports_death_by_signal) {
  auto r = run_bash("kill -SEGV $$");
  BOOST_TEST(r.status.signal == SIGSEGV);
  BOOST_TEST(r.status.describe() == "killed by signal 11 (SIGSEGV)");
}

BOOST_AUTO_TEST_CASE(timeout_kills_the_whole_group) {
  test::temp_dir dir;
  const auto marker = dir.path() / "grandchild-survived";
  // The grandchild would write the marker after the timeout if it survived;
  // it holds our stdout open, so the capture only ends once it is dead.
  auto r = run_bash("(sleep 3; touch " + marker.string() + ") & sleep 30", 300ms);
  BOOST_TEST(r.timed_out);
  BOOST_TEST(r.status.signal == SIGKILL);
  BOOST_TEST(!std::filesystem::exists(marker));
}

BOOST_AUTO_TEST_CASE(output_limit_kills_and_truncates) {
  auto r = run_bash("yes leoflow", 10s, 64 * 1024);
  BOOST_TEST(r.output_limit_exceeded);
  BOOST_TEST(r.out.size() == 64u * 1024u);
  BOOST_TEST(r.status.signal == SIGKILL);
}

BOOST_AUTO_TEST_CASE(closing_stdout_early_still_waits_for_exit) {
  auto r = run_bash("exec >&-; echo still-running >&2; exit 4");
  BOOST_TEST(r.status.code == 4);
  BOOST_TEST(r.err == "still-running\n");
}

BOOST_AUTO_TEST_CASE(missing_executable_throws_a_clear_error) {
  boost::asio::io_context io;
  spawn_options o;
  o.executable = "/nonexistent/python";
  BOOST_CHECK_THROW(child_process::spawn(io.get_executor(), o), std::system_error);
}

BOOST_AUTO_TEST_SUITE_END()
