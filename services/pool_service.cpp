// Listing, creating, changing and deleting pools.
#include "services/pool_service.hpp"

#include <fmt/format.h>
#include <soci/soci.h>

#include "schema/database.hpp"
#include "services/scheduling.hpp"

namespace leoflow::services {

namespace asio = boost::asio;

namespace {

pool_view view_of(soci::session& s, schema::pool_record p) {
  const auto usage = schema::usage_of_pools(s, {p.name})[p.name];
  return {std::move(p), usage};
}

}  // namespace

long long pool_view::occupied_slots() const {
  return usage.running + usage.queued + (pool.include_deferred ? usage.deferred : 0);
}

long long pool_view::open_slots() const {
  if (pool.slots < 0) return -1;
  return pool.slots - occupied_slots();
}

error pool_not_found(const std::string& name) { return not_found(not_found_text("Pool", {{"name", name}})); }

asio::awaitable<page<pool_view>> pool_service::list(std::optional<std::string> name_pattern,
                                                    std::vector<std::string> order_by, long long limit,
                                                    long long offset) {
  auto read = [=](soci::session& s) {
    page<pool_view> out;
    auto pools = schema::list_pools(s, name_pattern, order_by, limit, offset, &out.total_entries);
    std::vector<std::string> names;
    for (const auto& p : pools) names.push_back(p.name);
    auto usage = names.empty() ? std::map<std::string, schema::pool_usage>{} : schema::usage_of_pools(s, names);
    for (auto& p : pools) {
      const auto u = usage[p.name];
      out.items.push_back({std::move(p), u});
    }
    return out;
  };
  co_return co_await ctx_.db.read(std::move(read));
}

asio::awaitable<result<pool_view>> pool_service::get(std::string name) {
  auto read = [name](soci::session& s) -> std::optional<pool_view> {
    auto p = schema::find_pool(s, name);
    if (!p) return std::nullopt;
    return view_of(s, std::move(*p));
  };
  auto found = co_await ctx_.db.read(std::move(read));
  if (!found) co_return pool_not_found(name);
  co_return std::move(*found);
}

asio::awaitable<result<pool_view>> pool_service::create(schema::pool_record pool) {
  auto write = [pool](soci::session& s) -> std::optional<pool_view> {
    soci::transaction tx(s);
    if (!schema::insert_pool(s, pool)) return std::nullopt;
    schema::log_event(s, {"post_pool", std::nullopt, std::nullopt, std::nullopt, std::nullopt, pool.name});
    auto stored = schema::find_pool(s, pool.name);
    tx.commit();
    return view_of(s, std::move(*stored));
  };
  auto created = co_await ctx_.db.write(std::move(write));
  if (!created) co_return conflict(fmt::format("The Pool with name: `{}` already exists", pool.name));
  slots_changed();
  co_return std::move(*created);
}

asio::awaitable<result<pool_view>> pool_service::update(pool_update change) {
  if (change.name == schema::default_pool_name && change.description)
    co_return invalid_argument("Only slots and included_deferred can be modified on Default Pool");
  auto write = [change](soci::session& s) -> std::optional<pool_view> {
    soci::transaction tx(s);
    auto p = schema::find_pool(s, change.name);
    if (!p) return std::nullopt;
    if (change.slots) p->slots = *change.slots;
    if (change.description) p->description = *change.description;
    if (change.include_deferred) p->include_deferred = *change.include_deferred;
    schema::update_pool(s, *p);
    schema::log_event(s, {"patch_pool", std::nullopt, std::nullopt, std::nullopt, std::nullopt, change.name});
    tx.commit();
    return view_of(s, std::move(*p));
  };
  auto updated = co_await ctx_.db.write(std::move(write));
  if (!updated) co_return pool_not_found(change.name);
  slots_changed();
  co_return std::move(*updated);
}

asio::awaitable<result<void>> pool_service::remove(std::string name) {
  if (name == schema::default_pool_name) co_return invalid_argument("Default Pool can't be deleted");
  auto write = [name](soci::session& s) {
    soci::transaction tx(s);
    const bool deleted = schema::delete_pool(s, name);
    if (deleted) schema::log_event(s, {"delete_pool", std::nullopt, std::nullopt, std::nullopt, std::nullopt, name});
    tx.commit();
    return deleted;
  };
  if (!co_await ctx_.db.write(std::move(write))) co_return pool_not_found(name);
  slots_changed();
  co_return result<void>{};
}

void pool_service::slots_changed() {
  if (ctx_.scheduler) ctx_.scheduler->capacity_changed();
}

}  // namespace leoflow::services
