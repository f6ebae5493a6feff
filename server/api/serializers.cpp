// Airflow response shapes from store records and specs.
#include "server/api/serializers.hpp"

#include <cmath>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "common/hash.hpp"
#include "common/json.hpp"
#include "common/secret_masker.hpp"

namespace leoflow::api {

bj::value api_time(const std::optional<std::string>& stored) {
  auto t = store_to_api_time(stored);
  if (!t) return nullptr;
  return bj::value(*t);
}

namespace {

std::optional<double> seconds_of(const bj::value* v) {
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return double(v->get_int64());
  if (v->is_uint64()) return double(v->get_uint64());
  return std::nullopt;
}

bj::value field_or_null(const bj::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v ? *v : bj::value(nullptr);
}

bj::value spec_time(const bj::object& o, std::string_view key) {
  auto s = json::get_string(o, key);
  if (!s) return nullptr;
  if (auto t = parse_time(*s)) return bj::value(format_api_time(*t));
  return bj::value(*s);
}

}  // namespace

bj::value time_delta(const bj::value* seconds) {
  auto s = seconds_of(seconds);
  if (!s) return nullptr;
  const long long total_us = std::llround(*s * 1e6);
  const long long days = total_us / (86400LL * 1000000);
  const long long rest = total_us - days * 86400LL * 1000000;
  return bj::object{{"__type", "TimeDelta"},
                    {"days", days},
                    {"seconds", rest / 1000000},
                    {"microseconds", rest % 1000000}};
}

bj::value iso_duration(const bj::value* seconds) {
  auto s = seconds_of(seconds);
  if (!s) return nullptr;
  long long total = std::llround(*s);
  const long long days = total / 86400;
  total %= 86400;
  std::string out = "P";
  if (days) out += fmt::format("{}D", days);
  if (total || !days) {
    out += "T";
    if (total / 3600) out += fmt::format("{}H", total / 3600);
    if (total % 3600 / 60) out += fmt::format("{}M", total % 3600 / 60);
    if (total % 60 || total == 0) out += fmt::format("{}S", total % 60);
  }
  return bj::value(out);
}

std::string file_token(const std::string& fileloc) { return sha256_hex(fileloc).substr(0, 40); }

bj::object dag_response(const schema::dag_record& d) {
  bj::array tags;
  for (const auto& t : d.tags)
    tags.push_back(bj::object{{"name", t}, {"dag_id", d.dag_id}, {"dag_display_name", d.dag_id}});
  bj::array owners;
  owners.push_back(bj::value(d.owners));
  return bj::object{
      {"dag_id", d.dag_id},
      {"dag_display_name", d.dag_id},
      {"is_paused", d.is_paused},
      {"is_stale", d.is_stale},
      {"last_parsed_time", api_time(d.last_parsed_time)},
      {"last_parse_duration",
       d.last_parse_duration ? bj::value(*d.last_parse_duration) : bj::value(nullptr)},
      {"last_expired", nullptr},
      {"bundle_name", json::nullable(d.bundle_name)},
      {"bundle_version", nullptr},
      {"relative_fileloc", json::nullable(d.relative_fileloc)},
      {"fileloc", d.fileloc},
      {"description", json::nullable(d.description)},
      {"timetable_summary", json::nullable(d.timetable_summary)},
      {"timetable_description", json::nullable(d.timetable_description)},
      {"timetable_partitioned", false},
      {"tags", std::move(tags)},
      {"max_active_tasks", d.max_active_tasks},
      {"max_active_runs", d.max_active_runs},
      {"max_consecutive_failed_dag_runs", d.max_consecutive_failed_dag_runs},
      {"has_task_concurrency_limits", d.has_task_concurrency_limits},
      {"has_import_errors", d.has_import_errors},
      {"next_dagrun_logical_date", api_time(d.next_dagrun_logical_date)},
      {"next_dagrun_data_interval_start", api_time(d.next_dagrun_data_interval_start)},
      {"next_dagrun_data_interval_end", api_time(d.next_dagrun_data_interval_end)},
      {"next_dagrun_run_after", api_time(d.next_dagrun_run_after)},
      {"allowed_run_types", nullptr},
      {"owners", std::move(owners)},
      {"file_token", file_token(d.fileloc)},
  };
}

bj::object dag_version_response(const schema::dag_version_record& v) {
  return bj::object{{"id", v.uuid},
                    {"version_number", v.version_number},
                    {"dag_id", v.dag_id},
                    {"bundle_name", json::nullable(v.bundle_name)},
                    {"bundle_version", nullptr},
                    {"created_at", api_time(v.created_at)},
                    {"dag_display_name", v.dag_id},
                    {"bundle_url", nullptr}};
}

bj::object dag_details_response(const schema::dag_record& d, const bj::object& spec,
                                const std::optional<schema::dag_version_record>& latest,
                                long long active_runs) {
  bj::object out = dag_response(d);
  out["catchup"] = json::get_bool(spec, "catchup").value_or(false);
  out["dag_run_timeout"] = iso_duration(spec.if_contains("dagrun_timeout"));
  out["asset_expression"] = nullptr;
  out["doc_md"] = field_or_null(spec, "doc_md");
  out["start_date"] = spec_time(spec, "start_date");
  out["end_date"] = spec_time(spec, "end_date");
  out["is_paused_upon_creation"] = field_or_null(spec, "is_paused_upon_creation");
  const auto* params = json::get_object(spec, "params");
  out["params"] = params ? bj::value(*params) : bj::value(bj::object{});
  out["render_template_as_native_obj"] =
      json::get_bool(spec, "render_template_as_native_obj").value_or(false);
  out["template_search_path"] = nullptr;
  out["timezone"] = "UTC";
  out["last_parsed"] = api_time(d.last_parsed_time);
  const auto* default_args = json::get_object(spec, "default_args");
  out["default_args"] = default_args ? bj::value(*default_args) : bj::value(bj::object{});
  out["owner_links"] = bj::object{};
  out["is_favorite"] = false;
  out["active_runs_count"] = active_runs;
  out["concurrency"] = d.max_active_tasks;
  out["latest_dag_version"] = latest ? bj::value(dag_version_response(*latest)) : bj::value(nullptr);
  return out;
}

bj::object task_response(const bj::object& task, const bj::object& dag_spec,
                         const std::vector<std::string>& downstream) {
  bj::array down;
  for (const auto& id : downstream) down.push_back(bj::value(id));
  bj::object params;
  if (const auto* p = json::get_object(dag_spec, "params")) {
    for (const auto& [name, value] : *p) {
      bj::object entry = value.is_object() ? value.as_object() : bj::object{{"value", value}};
      entry["source"] = "dag";
      params[name] = std::move(entry);
    }
  }
  const auto* template_fields = json::get_array(task, "template_fields");
  const bool mapped = task.if_contains("mapping") && !task.at("mapping").is_null();
  return bj::object{
      {"task_id", field_or_null(task, "task_id")},
      {"task_display_name", field_or_null(task, "task_id")},
      {"owner", field_or_null(task, "owner")},
      {"start_date", spec_time(task, "start_date")},
      {"end_date", spec_time(task, "end_date")},
      {"trigger_rule", field_or_null(task, "trigger_rule")},
      {"depends_on_past", json::get_bool(task, "depends_on_past").value_or(false)},
      {"wait_for_downstream", json::get_bool(task, "wait_for_downstream").value_or(false)},
      {"retries", double(json::get_number(task, "retries").value_or(0))},
      {"queue", field_or_null(task, "queue")},
      {"pool", field_or_null(task, "pool")},
      {"pool_slots", double(json::get_number(task, "pool_slots").value_or(1))},
      {"execution_timeout", time_delta(task.if_contains("execution_timeout"))},
      {"retry_delay", time_delta(task.if_contains("retry_delay"))},
      {"retry_exponential_backoff",
       json::get_bool(task, "retry_exponential_backoff").value_or(false) ? 2.0 : 0.0},
      {"priority_weight", double(json::get_number(task, "priority_weight").value_or(1))},
      {"weight_rule", field_or_null(task, "weight_rule")},
      {"ui_color", field_or_null(task, "ui_color")},
      {"ui_fgcolor", field_or_null(task, "ui_fgcolor")},
      {"template_fields", template_fields ? bj::value(*template_fields) : bj::value(bj::array{})},
      {"downstream_task_ids", std::move(down)},
      {"doc_md", field_or_null(task, "doc_md")},
      {"operator_name", field_or_null(task, "operator_name")},
      {"params", std::move(params)},
      {"class_ref", bj::object{{"module_path", field_or_null(task, "operator_module")},
                               {"class_name", field_or_null(task, "operator")}}},
      {"is_mapped", mapped},
      {"extra_links", bj::array{}},
  };
}

bj::object import_error_response(const schema::import_error_record& e) {
  return bj::object{{"import_error_id", e.id},
                    {"timestamp", api_time(e.timestamp)},
                    {"filename", e.filename},
                    {"bundle_name", json::nullable(e.bundle_name)},
                    {"stack_trace", e.stack_trace}};
}

namespace {

std::optional<double> seconds_between(const std::optional<std::string>& from, const std::optional<std::string>& to) {
  if (!from || !to) return std::nullopt;
  auto a = parse_time(*from), b = parse_time(*to);
  if (!a || !b) return std::nullopt;
  return std::chrono::duration<double>(*b - *a).count();
}

bj::value number_or_null(const std::optional<double>& v) { return v ? bj::value(*v) : bj::value(nullptr); }

// The version a run was created from, as far as the run's record tells.
schema::dag_version_record version_of_run(const schema::dag_run_record& r) {
  schema::dag_version_record v;
  v.uuid = r.version_uuid;
  v.version_number = r.version_number;
  v.dag_id = r.dag_id;
  v.bundle_name = r.bundle_name;
  v.created_at = r.version_created_at;
  return v;
}

}  // namespace

bj::object dag_run_response(const schema::dag_run_record& r) {
  const auto v = version_of_run(r);
  auto conf = json::try_parse(r.conf);
  return bj::object{
      {"dag_run_id", r.run_id},
      {"dag_id", r.dag_id},
      {"logical_date", api_time(r.logical_date)},
      {"queued_at", api_time(r.queued_at)},
      {"start_date", api_time(r.start_date)},
      {"end_date", api_time(r.end_date)},
      {"duration", number_or_null(seconds_between(r.start_date, r.end_date))},
      {"data_interval_start", api_time(r.data_interval_start)},
      {"data_interval_end", api_time(r.data_interval_end)},
      {"run_after", api_time(r.run_after)},
      {"last_scheduling_decision", api_time(r.last_scheduling_decision)},
      {"run_type", r.run_type},
      {"state", r.state},
      {"triggered_by", json::nullable(r.triggered_by)},
      {"triggering_user_name", json::nullable(r.triggering_user_name)},
      {"conf", conf && conf->is_object() ? *conf : bj::value(bj::object{})},
      {"note", json::nullable(r.note)},
      {"dag_versions", bj::array{dag_version_response(v)}},
      {"bundle_version", nullptr},
      {"dag_display_name", r.dag_id},
      {"partition_key", nullptr},
  };
}

bj::object task_instance_response(const schema::task_instance_record& t,
                                  const std::optional<schema::dag_version_record>& version, bool history) {
  bj::object o{
      {"task_id", t.task_id},
      {"dag_id", t.dag_id},
      {"dag_run_id", t.run_id},
      {"map_index", t.map_index},
      {"start_date", api_time(t.start_date)},
      {"end_date", api_time(t.end_date)},
      {"duration", number_or_null(t.duration)},
      {"state", json::nullable(t.state)},
      {"try_number", t.try_number},
      {"max_tries", t.max_tries},
      {"task_display_name", t.task_id},
      {"dag_display_name", t.dag_id},
      {"hostname", json::nullable(t.hostname)},
      {"unixname", json::nullable(t.unixname)},
      {"pool", t.pool},
      {"pool_slots", t.pool_slots},
      {"queue", t.queue},
      {"priority_weight", t.priority_weight},
      {"operator", json::nullable(t.operator_class)},
      {"operator_name", json::nullable(t.operator_name)},
      {"queued_when", api_time(t.queued_dttm)},
      {"scheduled_when", api_time(t.scheduled_dttm)},
      {"pid", t.pid ? bj::value(*t.pid) : bj::value(nullptr)},
      {"executor", json::nullable(t.executor)},
      {"executor_config", "{}"},
      {"dag_version", version ? bj::value(dag_version_response(*version)) : bj::value(nullptr)},
  };
  if (!history) {
    o["id"] = t.uuid;
    o["logical_date"] = api_time(t.logical_date);
    o["run_after"] = api_time(t.run_after);
    o["note"] = json::nullable(t.note);
    o["rendered_map_index"] = json::nullable(t.rendered_map_index);
    auto rendered = t.rendered_fields ? json::try_parse(*t.rendered_fields) : std::nullopt;
    o["rendered_fields"] = rendered && rendered->is_object() ? *rendered : bj::value(bj::object{});
    o["trigger"] = nullptr;
    o["triggerer_job"] = nullptr;
  }
  return o;
}

bj::object xcom_response(const schema::xcom_record& x, const std::string& dag_id, const std::string& run_id,
                         const std::string& run_after, const std::optional<std::string>& logical_date) {
  return bj::object{{"key", x.key},
                    {"timestamp", api_time(x.timestamp)},
                    {"logical_date", api_time(logical_date)},
                    {"map_index", x.map_index},
                    {"task_id", x.task_id},
                    {"dag_id", dag_id},
                    {"run_id", run_id},
                    {"dag_display_name", dag_id},
                    {"task_display_name", x.task_id},
                    {"run_after", api_time(run_after)}};
}

bj::array task_instances_of_run(const schema::dag_run_record& run,
                                const std::vector<schema::task_instance_record>& tis) {
  const auto v = version_of_run(run);
  bj::array items;
  for (const auto& t : tis) items.push_back(task_instance_response(t, v));
  return items;
}

bj::array task_instances_with_versions(const std::vector<schema::task_instance_record>& tis,
                                       const std::map<std::int64_t, schema::dag_version_record>& versions,
                                       bool history) {
  bj::array items;
  for (const auto& t : tis) {
    std::optional<schema::dag_version_record> version;
    if (t.dag_version_id)
      if (auto it = versions.find(*t.dag_version_id); it != versions.end()) version = it->second;
    items.push_back(task_instance_response(t, version, history));
  }
  return items;
}

bj::object list_response(std::string_view key, bj::array items, long long total_entries) {
  return bj::object{{key, std::move(items)}, {"total_entries", total_entries}};
}

bj::object list_response(std::string_view key, bj::array items) {
  const auto total = static_cast<long long>(items.size());
  return list_response(key, std::move(items), total);
}

bj::object event_log_response(const schema::event_log_record& e) {
  return bj::object{{"event_log_id", e.id},
                    {"when", api_time(e.dttm)},
                    {"dag_id", json::nullable(e.dag_id)},
                    {"task_id", json::nullable(e.task_id)},
                    {"run_id", json::nullable(e.run_id)},
                    {"map_index", e.map_index ? bj::value(*e.map_index) : bj::value(nullptr)},
                    {"try_number", e.try_number ? bj::value(*e.try_number) : bj::value(nullptr)},
                    {"event", e.event},
                    {"logical_date", api_time(e.logical_date)},
                    {"owner", json::nullable(e.owner)},
                    {"extra", json::nullable(e.extra)},
                    {"dag_display_name", json::nullable(e.dag_id)},
                    {"task_display_name", json::nullable(e.task_id)}};
}

bj::object variable_response(const schema::variable_record& v) {
  // As Airflow: a sensitive key's value, and values under sensitive keys of
  // a JSON value, read as "***".
  bj::value value = json::nullable(v.value);
  if (v.value) {
    if (is_sensitive_name(v.key))
      value = secret_mask;
    else if (auto redacted = redact_sensitive_keys(*v.value))
      value = *redacted;
  }
  return bj::object{{"key", v.key},
                    {"value", std::move(value)},
                    {"description", json::nullable(v.description)},
                    {"is_encrypted", false},
                    {"team_name", nullptr}};
}

bj::object connection_response(const schema::connection_record& c) {
  return bj::object{{"connection_id", c.conn_id},
                    {"conn_type", c.conn_type},
                    {"description", json::nullable(c.description)},
                    {"host", json::nullable(c.host)},
                    {"login", json::nullable(c.login)},
                    {"schema", json::nullable(c.schema_name)},
                    {"port", c.port ? bj::value(*c.port) : bj::value(nullptr)},
                    // Secrets are write-only through the API.
                    {"password", c.password ? bj::value("***") : bj::value(nullptr)},
                    {"extra", c.extra ? bj::value(redact_sensitive_keys(*c.extra).value_or(*c.extra))
                                      : bj::value(nullptr)},
                    {"team_name", nullptr}};
}

}  // namespace leoflow::api
