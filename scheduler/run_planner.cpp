// Trigger rules to a fixed point, mapping, empty operators, run state.
#include "scheduler/run_planner.hpp"

#include <algorithm>
#include <map>
#include <variant>

#include <fmt/format.h>

#include "common/json.hpp"
#include "scheduler/trigger_rules.hpp"

namespace leoflow::scheduler {

namespace bj = boost::json;

bool is_finished_state(const std::optional<std::string>& state) {
  return state && (*state == "success" || *state == "failed" || *state == "skipped" ||
                   *state == "upstream_failed" || *state == "removed");
}

namespace {

// The length of one mapping source: a literal list/dict or an upstream's XCom.
std::variant<std::size_t, std::string> source_length(const bj::value& ref, const std::vector<ti_view>& tis,
                                                     const xcom_lookup& xcom) {
  const auto* o = ref.if_object();
  if (!o) return std::string("a mapping argument is malformed");
  if (const auto* literal = o->if_contains("literal")) {
    if (literal->is_array()) return literal->get_array().size();
    if (literal->is_object()) return literal->get_object().size();
    return std::string("expand() needs a list or a dict");
  }
  const auto* x = json::get_object(*o, "xcom");
  if (!x) return std::string("a mapping argument is malformed");
  const auto task_id = json::get_string(*x, "task_id").value_or("");
  const auto key = json::get_string(*x, "key").value_or("return_value");
  // A mapped upstream contributes one value per map index that succeeded.
  std::size_t mapped = 0;
  bool upstream_is_mapped = false;
  for (const auto& t : tis) {
    if (t.task_id != task_id || t.map_index < 0) continue;
    upstream_is_mapped = true;
    if (t.state == "success") ++mapped;
  }
  if (upstream_is_mapped) return mapped;
  auto value = xcom(task_id, -1, key);
  if (!value)
    return fmt::format("expand() got nothing from task '{}' (no XCom '{}' was pushed)", task_id, key);
  if (value->is_array()) return value->get_array().size();
  if (value->is_object()) return value->get_object().size();
  return fmt::format("expand() needs a list or a dict from task '{}', got {}", task_id,
                     value->is_string() ? "a string" : value->is_null() ? "None" : "a scalar");
}

}  // namespace

std::variant<int, std::string> mapped_length(const task_node& task, const std::vector<ti_view>& tis,
                                             const xcom_lookup& xcom) {
  const auto& m = *task.mapping;
  const auto kind = json::get_string(m, "kind").value_or("expand");
  std::size_t total = 1;
  if (kind == "expand_kwargs") {
    const auto* source = m.if_contains("source");
    if (!source) return std::string("expand_kwargs() without a source");
    auto n = source_length(*source, tis, xcom);
    if (auto* e = std::get_if<std::string>(&n)) return *e;
    total = std::get<std::size_t>(n);
  } else {
    const auto* args = json::get_object(m, "args");
    if (!args || args->empty()) return std::string("expand() without arguments");
    for (const auto& [name, ref] : *args) {
      auto n = source_length(ref, tis, xcom);
      if (auto* e = std::get_if<std::string>(&n)) return *e;
      total *= std::get<std::size_t>(n);
    }
  }
  if (total > 100000) return fmt::format("expand() would create {} task instances (limit 100000)", total);
  return static_cast<int>(total);
}

run_plan plan_run(const dag_structure& dag, const std::vector<ti_view>& tis, const xcom_lookup& xcom,
                  timestamp now) {
  run_plan plan;
  // The state each instance will have once the plan is applied.
  std::map<std::int64_t, std::optional<std::string>> effective;
  std::map<std::string, std::vector<const ti_view*>> by_task;
  for (const auto& t : tis) {
    effective[t.id] = t.state;
    by_task[t.task_id].push_back(&t);
  }
  auto set = [&](const ti_view& t, std::string to) {
    plan.changes.push_back({t.id, t.state, to});
    effective[t.id] = std::move(to);
  };

  bool changed = true;
  while (changed) {
    changed = false;
    for (const auto& t : tis) {
      const auto& state = effective[t.id];
      if (state) continue;
      const auto* task = dag.task(t.task_id);
      if (!task) {
        set(t, "removed");
        changed = true;
        continue;
      }
      if (!is_known_trigger_rule(task->trigger_rule)) {
        set(t, "upstream_failed");
        plan.run_reason = fmt::format("task '{}' has an unknown trigger rule '{}'", t.task_id,
                                      task->trigger_rule);
        changed = true;
        continue;
      }
      upstream_states up;
      for (const auto& u : task->upstream) {
        for (const auto* ut : by_task[u]) {
          ++up.upstream;
          const auto& s = effective[ut->id];
          if (!is_finished_state(s)) continue;
          ++up.done;
          if (*s == "success") ++up.success;
          else if (*s == "skipped") ++up.skipped;
          else if (*s == "failed") ++up.failed;
          else if (*s == "upstream_failed") ++up.upstream_failed;
          else if (*s == "removed") ++up.removed;
        }
      }
      switch (evaluate_trigger_rule(task->trigger_rule, up)) {
        case trigger_decision::wait:
          break;
        case trigger_decision::skip:
          set(t, "skipped");
          changed = true;
          break;
        case trigger_decision::upstream_failed:
          set(t, "upstream_failed");
          changed = true;
          break;
        case trigger_decision::run:
          if (task->mapping && t.map_index == -1) {
            auto n = mapped_length(*task, tis, xcom);
            if (auto* e = std::get_if<std::string>(&n)) {
              plan.failures.push_back({t.id, *e});
              set(t, "failed");
              changed = true;
            } else if (std::get<int>(n) == 0) {
              set(t, "skipped");
              changed = true;
            } else {
              plan.expansions.push_back({t.id, std::get<int>(n)});
              effective[t.id] = "scheduled";  // downstream waits for the expansion
            }
          } else if (task->is_empty()) {
            set(t, "success");
            changed = true;
          } else {
            plan.ready.push_back(t.id);
            effective[t.id] = "scheduled";
          }
          break;
      }
    }
  }

  for (const auto& t : tis) {
    if (t.state != "up_for_retry") continue;
    if (!t.next_retry_at || *t.next_retry_at <= now) {
      plan.ready.push_back(t.id);
      effective[t.id] = "scheduled";
    } else if (!plan.wake_at || *t.next_retry_at < *plan.wake_at) {
      plan.wake_at = t.next_retry_at;
    }
  }

  // Highest priority first, then by map index, so fan-outs start in order.
  std::map<std::int64_t, const ti_view*> by_id;
  for (const auto& t : tis) by_id[t.id] = &t;
  std::stable_sort(plan.ready.begin(), plan.ready.end(), [&](std::int64_t a, std::int64_t b) {
    const auto* ta = dag.task(by_id[a]->task_id);
    const auto* tb = dag.task(by_id[b]->task_id);
    const int pa = ta ? ta->effective_priority : 1, pb = tb ? tb->effective_priority : 1;
    if (pa != pb) return pa > pb;
    return by_id[a]->map_index < by_id[b]->map_index;
  });

  const bool all_finished = std::all_of(tis.begin(), tis.end(),
                                        [&](const ti_view& t) { return is_finished_state(effective[t.id]); });
  if (all_finished && !tis.empty()) {
    bool leaf_failed = false;
    for (const auto* leaf : dag.leaves())
      for (const auto* t : by_task[leaf->task_id]) {
        const auto& s = effective[t->id];
        leaf_failed = leaf_failed || *s == "failed" || *s == "upstream_failed";
      }
    plan.run_state = leaf_failed ? "failed" : "success";
  } else if (tis.empty()) {
    plan.run_state = "success";
  } else {
    // Nothing can move any more (and nothing is in flight): a deadlock.
    const bool in_flight = std::any_of(tis.begin(), tis.end(), [&](const ti_view& t) {
      const auto& s = effective[t.id];
      return s && !is_finished_state(s);
    });
    if (!in_flight && plan.ready.empty() && plan.expansions.empty()) {
      plan.run_state = "failed";
      if (!plan.run_reason) plan.run_reason = "no task can run any more (deadlock)";
    }
  }
  return plan;
}

}  // namespace leoflow::scheduler
