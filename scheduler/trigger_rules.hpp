// Airflow's trigger rules as a pure function: given the states of a task's
// direct upstream task instances, should it run now, wait, be skipped, or be
// marked upstream_failed? Mapped upstreams count every map index.
#pragma once

#include <string_view>

namespace leoflow::scheduler {

struct upstream_states {
  int success = 0;
  int skipped = 0;
  int failed = 0;
  int upstream_failed = 0;
  int removed = 0;
  int done = 0;      // finished in any way (the five above)
  int upstream = 0;  // how many upstream task instances there are
};

enum class trigger_decision { wait, run, skip, upstream_failed };

bool is_known_trigger_rule(std::string_view rule);

// Unknown rules wait forever is never what a user wants: callers check
// is_known_trigger_rule first and fail the task with a message.
trigger_decision evaluate_trigger_rule(std::string_view rule, const upstream_states& up);

const char* to_string(trigger_decision d);

}  // namespace leoflow::scheduler
