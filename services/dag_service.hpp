// The rules of DAGs as the API changes them: listing (with the latest run's
// state), pausing one or many, deleting one with its logs. Each write is one
// transaction; then the scheduler is woken and the change published.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/error.hpp"
#include "schema/dag_store.hpp"
#include "services/page.hpp"
#include "services/service_context.hpp"

namespace leoflow::services {

class dag_service {
 public:
  explicit dag_service(service_context ctx) : ctx_(std::move(ctx)) {}

  // `order_by`: API attributes (dag_id, last_run_state, ...), '-' for
  // descending, already validated. `last_run_state` keeps the DAGs whose
  // latest run is in that state.
  boost::asio::awaitable<page<schema::dag_record>> list(schema::dag_filter filter,
                                                         std::vector<std::string> order_by,
                                                         long long limit, long long offset);

  // Pauses or unpauses one DAG and records it in the event log.
  boost::asio::awaitable<result<schema::dag_record>> set_paused(std::string dag_id, bool paused);

  // Pauses or unpauses every DAG the filter matches, in one transaction;
  // answers the page asked for.
  boost::asio::awaitable<page<schema::dag_record>> set_paused_matching(schema::dag_filter filter, bool paused,
                                                                        long long limit, long long offset);

  // Deletes the DAG (versions, runs, task instances, XCom) and records it in
  // one transaction, then removes its logs off the I/O threads.
  boost::asio::awaitable<result<void>> remove(std::string dag_id);

 private:
  void paused_changed(const std::string& dag_id, bool paused);

  service_context ctx_;
};

}  // namespace leoflow::services
