// Listing, pausing and deleting DAGs.
#include "services/dag_service.hpp"

#include <filesystem>
#include <system_error>

#include <soci/soci.h>

#include "common/event_bus.hpp"
#include "common/paths.hpp"
#include "schema/database.hpp"
#include "services/scheduling.hpp"

namespace leoflow::services {

namespace asio = boost::asio;

asio::awaitable<page<schema::dag_record>> dag_service::list(schema::dag_filter filter,
                                                             std::vector<std::string> order_by, long long limit,
                                                             long long offset) {
  auto read = [filter = std::move(filter), columns = schema::dag_sort_columns(order_by), limit,
               offset](soci::session& s) {
    page<schema::dag_record> out;
    out.items = schema::list_dags(s, filter, columns, limit, offset, &out.total_entries);
    return out;
  };
  co_return co_await ctx_.db.read(std::move(read));
}

asio::awaitable<result<schema::dag_record>> dag_service::set_paused(std::string dag_id, bool paused) {
  auto update = [dag_id, paused](soci::session& s) -> std::optional<schema::dag_record> {
    soci::transaction tx(s);
    if (!schema::set_paused(s, dag_id, paused)) return std::nullopt;
    schema::log_event(s, {paused ? "paused" : "unpaused", dag_id});
    auto after = schema::find_dag(s, dag_id);
    tx.commit();
    return after;
  };
  auto dag = co_await ctx_.db.write(std::move(update));
  if (!dag) co_return dag_not_found(dag_id);
  paused_changed(dag_id, paused);
  co_return std::move(*dag);
}

asio::awaitable<page<schema::dag_record>> dag_service::set_paused_matching(schema::dag_filter filter, bool paused,
                                                                            long long limit, long long offset) {
  auto update = [filter = std::move(filter), paused](soci::session& s) {
    soci::transaction tx(s);
    auto dags = schema::list_dags(s, filter, {}, 1000000, 0, nullptr);
    for (auto& d : dags) {
      schema::set_paused(s, d.dag_id, paused);
      d.is_paused = paused;
    }
    tx.commit();
    return dags;
  };
  auto dags = co_await ctx_.db.write(std::move(update));
  for (const auto& d : dags) paused_changed(d.dag_id, paused);
  co_return page_of(std::move(dags), limit, offset);
}

asio::awaitable<result<void>> dag_service::remove(std::string dag_id) {
  auto remove = [dag_id](soci::session& s) {
    soci::transaction tx(s);
    const bool deleted = schema::delete_dag(s, dag_id);
    if (deleted) schema::log_event(s, {"delete_dag", dag_id});
    tx.commit();
    return deleted;
  };
  const bool deleted = co_await ctx_.db.write(std::move(remove));
  if (!deleted) co_return dag_not_found(dag_id);
  auto logs = ctx_.logs_dir / safe_path_segment(dag_id);
  auto remove_logs = [logs] {
    std::error_code ec;
    std::filesystem::remove_all(logs, ec);
  };
  co_await ctx_.db.run_blocking(std::move(remove_logs));
  if (ctx_.dag_deleted) ctx_.dag_deleted(dag_id);
  co_return result<void>{};
}

void dag_service::paused_changed(const std::string& dag_id, bool paused) {
  if (ctx_.scheduler && !paused) ctx_.scheduler->wake_dag(dag_id);
  ctx_.events.publish(live_event_type::dag, {{"dag_id", dag_id}, {"is_paused", paused}});
}

}  // namespace leoflow::services
