// Reading a pod as the API returns it: its phase, whether its `task`
// container's log can be read, and whether it ended (or can never succeed:
// a failed pull, a crash loop, eviction, a lost node) and why, in one line
// for the try's log.
#pragma once

#include <optional>
#include <string>

#include <boost/json/object.hpp>

namespace leoflow::kubernetes {

struct pod_view {
  std::string name;
  std::string uid;
  std::string phase;             // Pending, Running, Succeeded, Failed, Unknown
  bool terminating = false;      // deletionTimestamp set
  bool container_started = false;  // running or terminated: its log exists
  bool finished = false;         // Succeeded or Failed: nothing more will run
  std::optional<int> exit_code;  // of the task container, once terminated
  // Set when the try cannot succeed any more, with the reason.
  std::optional<std::string> failure;
  std::optional<std::string> finished_at;  // the task container's finishedAt
};

pod_view view_pod(const boost::json::object& pod);

}  // namespace leoflow::kubernetes
