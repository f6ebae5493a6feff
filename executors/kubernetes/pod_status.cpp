// Interpreting a pod's status.
#include "executors/kubernetes/pod_status.hpp"

#include <fmt/format.h>

#include "common/json.hpp"

namespace leoflow::kubernetes {

namespace bj = boost::json;

namespace {

// Waiting reasons after which the container will not run as asked.
bool hopeless_wait(const std::string& reason) {
  return reason == "ErrImagePull" || reason == "ImagePullBackOff" || reason == "InvalidImageName" ||
         reason == "ErrImageNeverPull" || reason == "CrashLoopBackOff" || reason == "CreateContainerConfigError" ||
         reason == "CreateContainerError" || reason == "RunContainerError";
}

std::string with_message(const std::string& reason, const std::optional<std::string>& message) {
  if (!message || message->empty()) return reason;
  auto m = *message;
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return fmt::format("{}: {}", reason, m);
}

}  // namespace

pod_view view_pod(const bj::object& pod) {
  pod_view v;
  if (const auto* meta = json::get_object(pod, "metadata")) {
    v.name = json::get_string(*meta, "name").value_or("");
    v.uid = json::get_string(*meta, "uid").value_or("");
    v.terminating = meta->contains("deletionTimestamp") && !meta->at("deletionTimestamp").is_null();
  }
  const auto* status = json::get_object(pod, "status");
  if (!status) {
    v.phase = "Pending";
    return v;
  }
  v.phase = json::get_string(*status, "phase").value_or("Pending");
  const auto pod_reason = json::get_string(*status, "reason");
  const auto pod_message = json::get_string(*status, "message");

  const bj::object* task = nullptr;
  if (const auto* statuses = json::get_array(*status, "containerStatuses"))
    for (const auto& s : *statuses)
      if (const auto* so = s.if_object(); so && json::get_string(*so, "name") == std::optional<std::string>("task"))
        task = so;
  const bj::object* state = task ? json::get_object(*task, "state") : nullptr;
  std::string terminated_line;
  if (state) {
    if (json::get_object(*state, "running")) v.container_started = true;
    if (const auto* t = json::get_object(*state, "terminated")) {
      v.container_started = true;
      if (auto code = json::get_int(*t, "exitCode")) v.exit_code = static_cast<int>(*code);
      v.finished_at = json::get_string(*t, "finishedAt");
      terminated_line = fmt::format("the task container ended with exit code {}{}", v.exit_code.value_or(-1),
                                    [&] {
                                      auto reason = json::get_string(*t, "reason");
                                      return reason && *reason != "Error" && *reason != "Completed"
                                                 ? fmt::format(" ({})", *reason)
                                                 : std::string();
                                    }());
    }
    if (const auto* w = json::get_object(*state, "waiting")) {
      const auto reason = json::get_string(*w, "reason").value_or("");
      if (hopeless_wait(reason)) v.failure = with_message(reason, json::get_string(*w, "message"));
    }
  }

  if (v.phase == "Succeeded" || v.phase == "Failed") v.finished = true;
  if (v.phase == "Failed") {
    if (pod_reason)
      v.failure = with_message(*pod_reason, pod_message);  // Evicted, DeadlineExceeded, NodeLost...
    else if (!terminated_line.empty())
      v.failure = terminated_line;
    else
      v.failure = with_message("the pod failed", pod_message);
  } else if (v.phase == "Unknown" || pod_reason == std::optional<std::string>("NodeLost")) {
    v.failure = with_message(pod_reason.value_or("the pod's node stopped reporting"), pod_message);
  }
  return v;
}

}  // namespace leoflow::kubernetes
