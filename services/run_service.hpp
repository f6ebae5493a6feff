// The rules of DAG runs as the API changes them: triggering, marking (and
// noting), clearing for a re-run, deleting. Each write is one transaction;
// then tries are stopped, the scheduler woken and the change published.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "schema/run_store.hpp"
#include "services/run_actions.hpp"
#include "services/service_context.hpp"

namespace leoflow::services {

struct trigger_request {
  std::string dag_id;
  std::optional<std::string> run_id;
  std::optional<timestamp> logical_date;
  std::optional<timestamp> data_interval_start;
  std::optional<timestamp> data_interval_end;
  std::optional<timestamp> run_after;
  boost::json::object conf;
  std::optional<std::string> note;
  std::string triggered_by = "rest_api";
  std::optional<std::string> user;
};

// PATCH of a run: a new state (queued, success, failed) and/or a note.
struct run_patch {
  std::optional<std::string> state;
  bool set_note = false;
  std::optional<std::string> note;
};

// Task instances with the run they belong to (a clear's dry run lists them).
struct run_instances {
  schema::dag_run_record run;
  std::vector<schema::task_instance_record> task_instances;
};

// What a clear of one run answers: the instances it would clear (dry run)
// or the run after the clear.
struct run_clear_outcome {
  std::optional<run_instances> would_clear;
  std::optional<schema::dag_run_record> run;
};

class run_service {
 public:
  explicit run_service(service_context ctx) : ctx_(std::move(ctx)) {}

  // Creates a queued run with its task instances; unavailable without a
  // scheduler, conflict when the run id or logical date is taken.
  boost::asio::awaitable<result<schema::dag_run_record>> trigger(trigger_request r);

  boost::asio::awaitable<result<schema::dag_run_record>> patch(std::string dag_id, std::string run_id,
                                                                run_patch p);

  boost::asio::awaitable<result<run_clear_outcome>> clear(std::string dag_id, std::string run_id, bool dry_run,
                                                          bool only_failed);

  // Deletes the run (its instances and XCom) and records it in one
  // transaction, then removes its logs off the I/O threads.
  boost::asio::awaitable<result<void>> remove(std::string dag_id, std::string run_id);

 private:
  service_context ctx_;
};

}  // namespace leoflow::services
