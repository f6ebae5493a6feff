// The rules of pools as the API changes them: default_pool cannot be renamed,
// described or deleted; a name is unique; each write is logged in the same
// transaction. After a write the scheduler looks again at the tries that
// wait for slots.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/error.hpp"
#include "schema/pool_store.hpp"
#include "services/page.hpp"
#include "services/service_context.hpp"

namespace leoflow::services {

// A pool with what its task instances take of it, as the API shows it.
struct pool_view {
  schema::pool_record pool;
  schema::pool_usage usage;

  // Airflow's arithmetic: occupied is running + queued (+ deferred when the
  // pool counts them); open is what is left, -1 for an unlimited pool.
  long long occupied_slots() const;
  long long open_slots() const;
};

// Which fields a PATCH sets: every field (no update_mask) or those named.
struct pool_update {
  std::string name;  // from the path
  std::optional<long long> slots;
  std::optional<std::optional<std::string>> description;
  std::optional<bool> include_deferred;
};

class pool_service {
 public:
  explicit pool_service(service_context ctx) : ctx_(std::move(ctx)) {}

  // `order_by`: columns as pool_store names them, already validated.
  boost::asio::awaitable<page<pool_view>> list(std::optional<std::string> name_pattern,
                                               std::vector<std::string> order_by, long long limit, long long offset);
  boost::asio::awaitable<result<pool_view>> get(std::string name);
  boost::asio::awaitable<result<pool_view>> create(schema::pool_record pool);
  boost::asio::awaitable<result<pool_view>> update(pool_update change);
  boost::asio::awaitable<result<void>> remove(std::string name);

 private:
  void slots_changed();

  service_context ctx_;
};

error pool_not_found(const std::string& name);

}  // namespace leoflow::services
