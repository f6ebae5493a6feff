// The trigger-rule table, following Airflow's TriggerRuleDep.
#include "scheduler/trigger_rules.hpp"

#include <array>

namespace leoflow::scheduler {

namespace {
constexpr std::array<std::string_view, 12> known = {
    "all_success", "all_failed", "all_done", "all_done_min_one_success", "all_skipped",
    "one_success", "one_failed", "one_done", "none_failed", "none_failed_min_one_success",
    "none_skipped", "always"};
}

bool is_known_trigger_rule(std::string_view rule) {
  for (auto r : known)
    if (r == rule) return true;
  return false;
}

const char* to_string(trigger_decision d) {
  switch (d) {
    case trigger_decision::wait: return "wait";
    case trigger_decision::run: return "run";
    case trigger_decision::skip: return "skip";
    case trigger_decision::upstream_failed: return "upstream_failed";
  }
  return "?";
}

trigger_decision evaluate_trigger_rule(std::string_view rule, const upstream_states& up) {
  using d = trigger_decision;
  // A task without upstream runs whatever its rule says.
  if (up.upstream == 0 || rule == "always") return d::run;
  const bool all_done = up.done >= up.upstream;
  const int failures = up.failed + up.upstream_failed;

  if (rule == "all_success") {
    if (failures) return d::upstream_failed;
    if (up.skipped) return d::skip;
    return up.success + up.removed >= up.upstream ? d::run : d::wait;
  }
  if (rule == "all_failed") {
    if (up.success || up.skipped) return d::skip;
    return failures + up.removed >= up.upstream ? d::run : d::wait;
  }
  if (rule == "all_done") return all_done ? d::run : d::wait;
  if (rule == "all_done_min_one_success") {
    // Skipped upstreams do not count as done for this rule.
    if (up.skipped) return d::skip;
    const int non_skipped_done = up.success + up.failed + up.upstream_failed + up.removed;
    if (non_skipped_done < up.upstream) return d::wait;
    return up.success ? d::run : d::upstream_failed;
  }
  if (rule == "all_skipped") {
    if (up.success || up.failed || up.upstream_failed) return d::skip;
    return up.skipped + up.removed >= up.upstream ? d::run : d::wait;
  }
  if (rule == "one_success") {
    if (up.success) return d::run;
    if (all_done && up.done == up.skipped) return d::skip;
    return all_done ? d::upstream_failed : d::wait;
  }
  if (rule == "one_failed") {
    if (failures) return d::run;
    return all_done ? d::skip : d::wait;
  }
  if (rule == "one_done") {
    if (up.success || up.failed) return d::run;
    return all_done ? d::skip : d::wait;
  }
  if (rule == "none_failed") {
    if (failures) return d::upstream_failed;
    return up.success + up.skipped + up.removed >= up.upstream ? d::run : d::wait;
  }
  if (rule == "none_failed_min_one_success") {
    if (failures) return d::upstream_failed;
    if (up.skipped >= up.upstream) return d::skip;
    return up.success + up.skipped + up.removed >= up.upstream ? d::run : d::wait;
  }
  if (rule == "none_skipped") {
    if (up.skipped) return d::skip;
    return all_done ? d::run : d::wait;
  }
  return d::wait;
}

}  // namespace leoflow::scheduler
