// SQL for pools.
#include "schema/pool_store.hpp"

#include <soci/soci.h>

#include "schema/query.hpp"
#include "schema/soci_optional.hpp"

namespace leoflow::schema {
namespace {

pool_record read_pool(const row_reader& r) {
  return {r.integer_or("id", 0), r.text_or("pool", ""), r.integer_or("slots", 0), r.text("description"),
          r.flag("include_deferred")};
}

}  // namespace

std::vector<pool_record> list_pools(soci::session& s, const opt_string& name_pattern,
                                    const std::vector<std::string>& order_by, long long limit, long long offset,
                                    long long* total) {
  sql_query q("SELECT * FROM slot_pool");
  if (name_pattern) q.where_like("pool", *name_pattern);
  if (total) *total = q.count(s);
  q.order_by_each(order_by).order_by("id", false).page(limit, offset);
  std::vector<pool_record> out;
  q.each(s, [&](const row_reader& r) { out.push_back(read_pool(r)); });
  return out;
}

std::optional<pool_record> find_pool(soci::session& s, const std::string& name) {
  sql_query q("SELECT * FROM slot_pool");
  q.where("pool = " + q.bind(name));
  std::optional<pool_record> out;
  q.each(s, [&](const row_reader& r) { out = read_pool(r); });
  return out;
}

std::map<std::string, long long> pool_sizes(soci::session& s) {
  std::map<std::string, long long> out;
  sql_query q("SELECT pool, slots FROM slot_pool");
  q.each(s, [&](const row_reader& r) { out[r.text_or("pool", "")] = r.integer_or("slots", 0); });
  return out;
}

bool insert_pool(soci::session& s, const pool_record& p) {
  if (find_pool(s, p.name)) return false;
  const int deferred = p.include_deferred ? 1 : 0;
  s << "INSERT INTO slot_pool (pool, slots, description, include_deferred) VALUES (:p, :s, :d, :i)",
      soci::use(p.name), soci::use(p.slots), soci::use(p.description), soci::use(deferred);
  return true;
}

bool update_pool(soci::session& s, const pool_record& p) {
  const int deferred = p.include_deferred ? 1 : 0;
  soci::statement st = (s.prepare << "UPDATE slot_pool SET slots = :s, description = :d, include_deferred = :i "
                                     "WHERE pool = :p",
                        soci::use(p.slots), soci::use(p.description), soci::use(deferred), soci::use(p.name));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

bool delete_pool(soci::session& s, const std::string& name) {
  soci::statement st = (s.prepare << "DELETE FROM slot_pool WHERE pool = :p", soci::use(name));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::map<std::string, pool_usage> usage_of_pools(soci::session& s, const std::vector<std::string>& names) {
  std::map<std::string, pool_usage> out;
  sql_query q("SELECT pool, state, SUM(pool_slots) AS n FROM task_instance");
  q.where("state IN ('running', 'queued', 'scheduled', 'deferred')");
  if (!names.empty()) {
    std::string any;
    for (const auto& n : names) any += (any.empty() ? "pool IN (" : ", ") + q.bind(n);
    q.where(any + ")");
  }
  q.group_by("pool, state");
  q.each(s, [&](const row_reader& r) {
    auto& u = out[r.text_or("pool", "")];
    const auto state = r.text_or("state", "");
    const long long n = r.integer_or("n", 0);
    if (state == "running") u.running = n;
    else if (state == "queued") u.queued = n;
    else if (state == "scheduled") u.scheduled = n;
    else u.deferred = n;
  });
  return out;
}

}  // namespace leoflow::schema
