// Validation, canonicalisation and hashing of parser output.
#include "watcher/spec_reader.hpp"

#include <algorithm>
#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/hash.hpp"
#include "common/json.hpp"

namespace leoflow::watcher {
namespace bj = boost::json;

bool valid_dag_id(std::string_view id) {
  if (id.empty() || id.size() > 250) return false;
  // "." and ".." name folders, not DAGs (the id becomes a path segment).
  if (id.find_first_not_of('.') == std::string_view::npos) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::string spec_hash(std::string_view canonical_spec, std::string_view source) {
  std::string all;
  all.reserve(canonical_spec.size() + source.size() + 1);
  all.append(canonical_spec).push_back('\0');
  all.append(source);
  return sha256_hex(all);
}

namespace {

std::string schedule_summary(const bj::object& dag) {
  if (auto s = json::get_string(dag, "timetable_summary")) return *s;
  const auto* schedule = dag.if_contains("schedule");
  if (!schedule || schedule->is_null()) return "None";
  if (schedule->is_string()) return std::string(schedule->get_string());
  return bj::serialize(*schedule);
}

std::optional<std::string> read_dag(const bj::object& dag, std::string_view source,
                                    schema::dag_registration& out) {
  auto id = json::get_string(dag, "dag_id");
  if (!id) return "a DAG without a string dag_id";
  if (!valid_dag_id(*id))
    return fmt::format("dag_id '{}' is invalid: use letters, digits, '_', '-' and '.' (at most 250)",
                       *id);
  const auto* tasks = json::get_array(dag, "tasks");
  if (!tasks) return fmt::format("DAG '{}' has no tasks array", *id);
  std::set<std::string> task_ids;
  for (const auto& t : *tasks) {
    const auto* task = t.if_object();
    auto task_id = task ? json::get_string(*task, "task_id") : std::nullopt;
    if (!task_id || task_id->empty()) return fmt::format("DAG '{}' has a task without a task_id", *id);
    if (!task_ids.insert(*task_id).second)
      return fmt::format("DAG '{}' defines task '{}' twice", *id, *task_id);
  }
  for (const auto& t : *tasks) {
    const auto& task = t.as_object();
    if (const auto* up = json::get_array(task, "upstream")) {
      for (const auto& u : *up) {
        if (!u.is_string() || !task_ids.count(std::string(u.get_string())))
          return fmt::format("task '{}' of DAG '{}' has an unknown upstream",
                             task.at("task_id").get_string().c_str(), *id);
      }
    }
  }

  out.dag_id = *id;
  out.spec = json::canonical(dag);
  out.spec_hash = spec_hash(out.spec, source);
  out.source_code = std::string(source);
  out.description = json::get_string(dag, "description");
  out.timetable_summary = schedule_summary(dag);
  if (const auto* schedule = dag.if_contains("schedule"))
    out.schedule = schedule->is_null() ? std::optional<std::string>() : json::canonical(*schedule);
  out.owners = json::get_string(dag, "owner").value_or("airflow");
  out.max_active_runs = static_cast<int>(json::get_int(dag, "max_active_runs").value_or(16));
  out.max_active_tasks = static_cast<int>(json::get_int(dag, "max_active_tasks").value_or(16));
  out.max_consecutive_failed_dag_runs =
      static_cast<int>(json::get_int(dag, "max_consecutive_failed_dag_runs").value_or(0));
  out.is_paused_upon_creation = json::get_bool(dag, "is_paused_upon_creation");
  if (const auto* tags = json::get_array(dag, "tags")) {
    std::set<std::string> unique;
    for (const auto& t : *tags)
      if (t.is_string()) unique.insert(std::string(t.get_string()));
    out.tags.assign(unique.begin(), unique.end());
  }
  if (const auto* warnings = json::get_array(dag, "warnings")) {
    for (const auto& w : *warnings) {
      const auto* o = w.if_object();
      if (!o) continue;
      schema::dag_warning_record rec;
      rec.dag_id = *id;
      rec.warning_type = json::get_string(*o, "type").value_or("warning");
      rec.message = json::get_string(*o, "message").value_or("");
      out.warnings.push_back(std::move(rec));
    }
  }
  return std::nullopt;
}

}  // namespace

std::variant<parsed_file, std::string> read_parser_output(std::string_view output,
                                                          std::string_view source) {
  boost::system::error_code ec;
  auto doc = bj::parse(output, ec);
  if (ec) return fmt::format("the parser printed something that is not JSON ({})", ec.message());
  const auto* root = doc.if_object();
  if (!root) return std::string("the parser output is not a JSON object");
  const auto* dags = json::get_array(*root, "dags");
  if (!dags) return std::string("the parser output has no \"dags\" array");
  parsed_file file;
  std::set<std::string> seen;
  for (const auto& d : *dags) {
    const auto* dag = d.if_object();
    if (!dag) return std::string("a DAG spec is not a JSON object");
    schema::dag_registration reg;
    if (auto problem = read_dag(*dag, source, reg)) return *problem;
    if (!seen.insert(reg.dag_id).second)
      return fmt::format("the file defines DAG '{}' twice", reg.dag_id);
    file.dags.push_back(std::move(reg));
    file.task_counts.push_back(static_cast<int>(json::get_array(*dag, "tasks")->size()));
  }
  return file;
}

}  // namespace leoflow::watcher
