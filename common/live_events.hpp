// The one list of live events the server publishes on /ui/events: each
// event's name and payload fields. Publishers name events by live_event_type;
// `leoflow routes --events-json` dumps this list, and the UI's TypeScript
// union (www/src/live/liveEventTypes.generated.ts) is generated from it.
#pragma once

#include <array>
#include <span>
#include <string_view>

namespace leoflow {

enum class live_event_type { dag, dag_version, dag_removed, import_error, dag_run, task_instance, resync };

struct live_event_field {
  std::string_view name;
  std::string_view type;  // as TypeScript says it: string, number, boolean, string | null
  bool always = true;     // false: a client must do without it
};

struct live_event_spec {
  live_event_type type;
  std::string_view name;
  std::string_view about;
  std::span<const live_event_field> fields;
};

namespace detail {
inline constexpr live_event_field dag_fields[] = {{"dag_id", "string"}, {"is_paused", "boolean"}};
inline constexpr live_event_field dag_version_fields[] = {
    {"dag_id", "string"}, {"version_number", "number"}, {"fileloc", "string", false}};
inline constexpr live_event_field dag_removed_fields[] = {{"dag_id", "string"}};
inline constexpr live_event_field import_error_fields[] = {
    {"filename", "string"}, {"stack_trace", "string"}, {"cleared", "boolean"}};
inline constexpr live_event_field dag_run_fields[] = {{"dag_id", "string"}, {"run_id", "string"}, {"state", "string"}};
inline constexpr live_event_field task_instance_fields[] = {
    {"dag_id", "string"},   {"run_id", "string"},         {"task_id", "string"},
    {"map_index", "number"}, {"state", "string | null"}, {"try_number", "number"}};
}  // namespace detail

inline constexpr std::array<live_event_spec, 7> live_events = {{
    {live_event_type::dag, "dag", "a DAG was paused or unpaused", detail::dag_fields},
    {live_event_type::dag_version, "dag_version", "a DAG file registered a new version", detail::dag_version_fields},
    {live_event_type::dag_removed, "dag_removed", "a DAG was deleted or its file vanished", detail::dag_removed_fields},
    {live_event_type::import_error, "import_error", "a DAG file failed to import, or imports again",
     detail::import_error_fields},
    {live_event_type::dag_run, "dag_run", "a run changed state", detail::dag_run_fields},
    {live_event_type::task_instance, "task_instance", "a task instance changed state", detail::task_instance_fields},
    {live_event_type::resync, "resync", "this client missed events: refetch everything", {}},
}};

// The event's name on the wire (`event:` in the stream).
constexpr std::string_view to_string(live_event_type t) {
  for (const auto& e : live_events)
    if (e.type == t) return e.name;
  return {};
}

}  // namespace leoflow
