// SOCI repository for Airflow's pools (the slot_pool table) and what the
// task instances take of them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <soci/session.h>

#include "schema/dag_store.hpp"

namespace leoflow::schema {

inline constexpr const char* default_pool_name = "default_pool";

struct pool_record {
  std::int64_t id = 0;
  std::string name;
  long long slots = 0;  // -1: unlimited
  opt_string description;
  bool include_deferred = false;
};

// The slots a pool's task instances take, by state (sums of pool_slots).
struct pool_usage {
  long long running = 0, queued = 0, scheduled = 0, deferred = 0;
};

// `order_by`: columns (id, pool, slots, description, include_deferred), '-'
// for descending; the caller has whitelisted them.
std::vector<pool_record> list_pools(soci::session& s, const opt_string& name_pattern,
                                    const std::vector<std::string>& order_by, long long limit, long long offset,
                                    long long* total);
std::optional<pool_record> find_pool(soci::session& s, const std::string& name);
// Every pool's size, by name: what the scheduler admits tries against.
std::map<std::string, long long> pool_sizes(soci::session& s);
// False when a pool of that name exists.
bool insert_pool(soci::session& s, const pool_record& p);
// Updates slots, description and include_deferred by name; false when none.
bool update_pool(soci::session& s, const pool_record& p);
bool delete_pool(soci::session& s, const std::string& name);
// Usage of the named pools (all pools when `names` is empty).
std::map<std::string, pool_usage> usage_of_pools(soci::session& s, const std::vector<std::string>& names);

}  // namespace leoflow::schema
