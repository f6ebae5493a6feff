// Reading a DAG spec into the scheduler's structure.
#include "scheduler/dag_structure.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "common/json.hpp"

namespace leoflow::scheduler {

const task_node* dag_structure::task(const std::string& id) const {
  auto it = index.find(id);
  return it == index.end() ? nullptr : &tasks[it->second];
}

std::vector<const task_node*> dag_structure::leaves() const {
  std::vector<const task_node*> out;
  for (const auto& t : tasks)
    if (t.downstream.empty()) out.push_back(&t);
  return out;
}

std::vector<std::string> dag_structure::relatives(const std::string& id, bool downstream) const {
  std::set<std::string> seen;
  std::vector<std::string> stack{id};
  while (!stack.empty()) {
    auto current = stack.back();
    stack.pop_back();
    const auto* t = task(current);
    if (!t) continue;
    for (const auto& next : downstream ? t->downstream : t->upstream)
      if (seen.insert(next).second) stack.push_back(next);
  }
  return {seen.begin(), seen.end()};
}

std::shared_ptr<const dag_structure> read_structure(const std::string& spec_json, std::string& error) {
  auto doc = json::try_parse(spec_json);
  if (!doc || !doc->is_object()) {
    error = "the DAG spec is not a JSON object";
    return nullptr;
  }
  auto s = std::make_shared<dag_structure>();
  s->spec = doc->as_object();
  const auto& spec = s->spec;
  s->dag_id = json::get_string(spec, "dag_id").value_or("");
  s->max_active_tasks = static_cast<int>(json::get_int(spec, "max_active_tasks").value_or(16));
  s->max_active_runs = static_cast<int>(json::get_int(spec, "max_active_runs").value_or(16));
  s->dagrun_timeout = json::get_number(spec, "dagrun_timeout");
  const auto* tasks = json::get_array(spec, "tasks");
  if (!tasks) {
    error = "the DAG spec has no tasks";
    return nullptr;
  }
  for (const auto& tv : *tasks) {
    const auto* t = tv.if_object();
    if (!t) continue;
    task_node n;
    n.task_id = json::get_string(*t, "task_id").value_or("");
    n.operator_class = json::get_string(*t, "operator").value_or("BaseOperator");
    n.operator_name = json::get_string(*t, "operator_name").value_or(n.operator_class);
    n.type = json::get_string(*t, "type").value_or("python");
    n.trigger_rule = json::get_string(*t, "trigger_rule").value_or("all_success");
    if (const auto* up = json::get_array(*t, "upstream"))
      for (const auto& u : *up)
        if (u.is_string()) n.upstream.emplace_back(u.get_string());
    n.retries = static_cast<int>(json::get_int(*t, "retries").value_or(0));
    n.retry_delay = json::get_number(*t, "retry_delay").value_or(300);
    n.retry_exponential_backoff = json::get_bool(*t, "retry_exponential_backoff").value_or(false);
    n.max_retry_delay = json::get_number(*t, "max_retry_delay");
    n.execution_timeout = json::get_number(*t, "execution_timeout");
    n.pool = json::get_string(*t, "pool").value_or("default_pool");
    n.pool_slots = static_cast<int>(json::get_int(*t, "pool_slots").value_or(1));
    n.queue = json::get_string(*t, "queue").value_or("default");
    n.priority_weight = static_cast<int>(json::get_int(*t, "priority_weight").value_or(1));
    n.weight_rule = json::get_string(*t, "weight_rule").value_or("downstream");
    if (auto limit = json::get_int(*t, "max_active_tis_per_dag")) n.max_active_tis_per_dag = static_cast<int>(*limit);
    if (auto limit = json::get_int(*t, "max_active_tis_per_dagrun")) n.max_active_tis_per_dagrun = static_cast<int>(*limit);
    if (const auto* m = json::get_object(*t, "mapping")) n.mapping = *m;
    if (const auto* c = t->if_contains("executor_config"); c && !c->is_null()) n.executor_config = boost::json::serialize(*c);
    s->index[n.task_id] = s->tasks.size();
    s->tasks.push_back(std::move(n));
  }
  for (auto& t : s->tasks) {
    for (const auto& u : t.upstream) {
      auto it = s->index.find(u);
      if (it == s->index.end()) {
        error = "task " + t.task_id + " has an unknown upstream " + u;
        return nullptr;
      }
      s->tasks[it->second].downstream.push_back(t.task_id);
    }
  }
  for (auto& t : s->tasks) std::sort(t.downstream.begin(), t.downstream.end());
  for (auto& t : s->tasks) {
    t.effective_priority = t.priority_weight;
    if (t.weight_rule != "downstream" && t.weight_rule != "upstream") continue;
    for (const auto& id : s->relatives(t.task_id, t.weight_rule == "downstream"))
      t.effective_priority += s->tasks[s->index.at(id)].priority_weight;
  }
  return s;
}

double retry_delay_seconds(const task_node& task, int try_number) {
  double delay = task.retry_delay;
  if (task.retry_exponential_backoff) {
    // Airflow doubles the delay with each try (from the delay's own base).
    delay = task.retry_delay * std::pow(2.0, std::max(0, try_number - 1));
  }
  if (task.max_retry_delay) delay = std::min(delay, *task.max_retry_delay);
  return std::max(0.0, delay);
}

}  // namespace leoflow::scheduler
