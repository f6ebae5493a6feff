// Tests executors/kubernetes/pod_status.hpp: which pods are over, which can
// never succeed, and the reason a try's log gets for each.
#include "executors/kubernetes/pod_status.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

using namespace leoflow::kubernetes;
namespace bdata = boost::unit_test::data;

namespace {

pod_view view(const char* json) { return view_pod(boost::json::parse(json).as_object()); }

struct failure_case {
  const char* pod;
  const char* reason_start;
};
std::ostream& operator<<(std::ostream& o, const failure_case& c) { return o << c.reason_start; }

const failure_case failures[] = {
    {R"({"status": {"phase": "Pending", "containerStatuses": [{"name": "task", "state": {"waiting":
        {"reason": "ErrImagePull", "message": "not found"}}}]}})", "ErrImagePull: not found"},
    {R"({"status": {"phase": "Pending", "containerStatuses": [{"name": "task", "state": {"waiting":
        {"reason": "ImagePullBackOff", "message": "Back-off pulling"}}}]}})", "ImagePullBackOff"},
    {R"({"status": {"phase": "Running", "containerStatuses": [{"name": "task", "state": {"waiting":
        {"reason": "CrashLoopBackOff"}}}]}})", "CrashLoopBackOff"},
    {R"({"status": {"phase": "Failed", "reason": "Evicted", "message": "The node was low on memory."}})",
     "Evicted: The node was low on memory."},
    {R"({"status": {"phase": "Failed", "reason": "DeadlineExceeded", "message": "Pod was active too long"}})",
     "DeadlineExceeded"},
    {R"({"status": {"phase": "Unknown", "reason": "NodeLost", "message": "node fake-node is unreachable"}})",
     "NodeLost: node fake-node is unreachable"},
    {R"({"status": {"phase": "Failed", "containerStatuses": [{"name": "task", "state": {"terminated":
        {"exitCode": 137, "reason": "OOMKilled"}}}]}})", "the task container ended with exit code 137 (OOMKilled)"},
};

}  // namespace

BOOST_DATA_TEST_CASE(hopeless_pods_fail_with_their_reason, bdata::make(failures), c) {
  const auto v = view(c.pod);
  BOOST_REQUIRE(v.failure.has_value());
  BOOST_TEST(v.failure->rfind(c.reason_start, 0) == 0u, *v.failure);
}

BOOST_AUTO_TEST_CASE(pods_on_their_way_have_no_failure) {
  BOOST_TEST(!view(R"({"metadata": {"name": "p"}})").failure);
  const auto creating = view(R"({"status": {"phase": "Pending", "containerStatuses": [{"name": "task",
      "state": {"waiting": {"reason": "ContainerCreating"}}}]}})");
  BOOST_TEST(!creating.failure);
  BOOST_TEST(!creating.container_started);
  const auto running = view(R"({"metadata": {"name": "p", "uid": "u"}, "status": {"phase": "Running",
      "containerStatuses": [{"name": "task", "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}})");
  BOOST_TEST(!running.failure);
  BOOST_TEST(running.container_started);
  BOOST_TEST(!running.finished);
  BOOST_TEST(running.name == "p");
  BOOST_TEST(running.uid == "u");
}

BOOST_AUTO_TEST_CASE(a_succeeded_pod_is_finished_with_its_exit_code) {
  const auto v = view(R"({"metadata": {"name": "p", "deletionTimestamp": "2026-01-01T00:00:00Z"},
      "status": {"phase": "Succeeded", "containerStatuses": [{"name": "task", "state": {"terminated":
      {"exitCode": 0, "reason": "Completed", "finishedAt": "2026-01-01T00:00:01Z"}}}]}})");
  BOOST_TEST(v.finished);
  BOOST_TEST(!v.failure);
  BOOST_TEST(v.terminating);
  BOOST_TEST(v.exit_code.value_or(-1) == 0);
  BOOST_TEST(v.finished_at.value_or("") == "2026-01-01T00:00:01Z");
}
