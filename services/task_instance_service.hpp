// The rules of task instances as the API changes them: marking (and noting)
// one with its relatives, clearing a DAG's instances across runs. Each write
// is one transaction; then tries are stopped, the scheduler woken and the
// change published.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "schema/run_store.hpp"
#include "services/run_actions.hpp"
#include "services/run_service.hpp"
#include "services/service_context.hpp"

namespace leoflow::services {

// PATCH of a task instance: the instances `selection` covers get the new
// state and/or the note.
struct ti_patch {
  std::string task_id;
  std::optional<int> map_index;  // nullopt or -1: every map index
  selection relatives;           // include_upstream / include_downstream
  std::optional<std::string> new_state;
  bool set_note = false;
  std::optional<std::string> note;
};

// Task instances with the DAG versions they refer to, by id.
struct instances_with_versions {
  std::vector<schema::task_instance_record> task_instances;
  std::map<std::int64_t, schema::dag_version_record> versions;
};

// POST /dags/{dag_id}/clearTaskInstances.
struct ti_clear {
  bool dry_run = true;
  bool reset_dag_runs = true;
  bool prevent_running_task = false;
  selection chosen;
  std::optional<std::string> run_id;
  std::optional<timestamp> start_date, end_date;  // on the runs' logical date (or run_after)
};

class task_instance_service {
 public:
  explicit task_instance_service(service_context ctx) : ctx_(std::move(ctx)) {}

  boost::asio::awaitable<result<instances_with_versions>> patch(std::string dag_id, std::string run_id, ti_patch p);

  // The instances cleared (or that would be, on a dry run), run by run.
  boost::asio::awaitable<result<std::vector<run_instances>>> clear(std::string dag_id, ti_clear c);

 private:
  service_context ctx_;
};

// The version records a list of instances refers to, by id.
std::map<std::int64_t, schema::dag_version_record> versions_of(soci::session& s,
                                                             const std::vector<schema::task_instance_record>& tis);

}  // namespace leoflow::services
