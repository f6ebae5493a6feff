// The Boost.Test entry point shared by every C++ suite.
#define BOOST_TEST_MODULE leoflow
#include <boost/test/unit_test.hpp>

#include <csignal>

// A peer closing a pipe must give EPIPE, not kill the test run.
struct ignore_sigpipe {
  ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }
};
BOOST_TEST_GLOBAL_FIXTURE(ignore_sigpipe);
