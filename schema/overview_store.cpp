// Queries of the UI's overview screens.
#include "schema/overview_store.hpp"

#include <soci/soci.h>

#include "schema/query.hpp"

namespace leoflow::schema {

namespace {

// Runs `sql` with its parameters bound in order and calls `f` per row.
template <typename F>
void each_row(soci::session& s, const std::string& sql, std::vector<std::string> values, F f) {
  soci::statement st(s);
  soci::row row;
  st.alloc();
  st.prepare(sql);
  for (auto& v : values) st.exchange(soci::use(v));
  st.exchange(soci::into(row));
  st.define_and_bind();
  st.execute(false);
  while (st.fetch()) f(row_reader(row));
}

state_counts counts_by_state(soci::session& s, const std::string& sql, std::vector<std::string> values) {
  state_counts out;
  each_row(s, sql, std::move(values), [&](const row_reader& r) {
    out.emplace_back(r.text_or("state", "no_status"), r.integer_or("n", 0));
  });
  return out;
}

}  // namespace

dashboard_counts count_for_dashboard(soci::session& s, const std::string& since) {
  dashboard_counts out;
  each_row(s, "SELECT COUNT(*) AS total, COALESCE(SUM(is_paused), 0) AS paused FROM dag WHERE is_stale = 0", {},
           [&](const row_reader& r) {
             out.dags = r.integer_or("total", 0);
             out.paused_dags = r.integer_or("paused", 0);
           });
  each_row(s,
           "SELECT COUNT(*) AS n FROM dag d WHERE d.is_stale = 0 AND (SELECT r.state FROM dag_run r "
           "WHERE r.dag_id = d.dag_id ORDER BY r.run_after DESC, r.id DESC LIMIT 1) = 'failed'",
           {}, [&](const row_reader& r) { out.failed_dags = r.integer_or("n", 0); });
  each_row(s, "SELECT COUNT(DISTINCT dag_id) AS n FROM dag_run WHERE state = 'running'", {},
           [&](const row_reader& r) { out.running_dags = r.integer_or("n", 0); });
  out.active_runs = counts_by_state(
      s, "SELECT state, COUNT(*) AS n FROM dag_run WHERE state IN ('queued', 'running') GROUP BY state", {});
  out.run_states =
      counts_by_state(s, "SELECT state, COUNT(*) AS n FROM dag_run WHERE run_after >= :since GROUP BY state", {since});
  out.task_instance_states = counts_by_state(s,
                                             "SELECT COALESCE(ti.state, 'no_status') AS state, COUNT(*) AS n "
                                             "FROM task_instance ti JOIN dag_run r ON r.id = ti.dag_run_id "
                                             "WHERE r.run_after >= :since GROUP BY COALESCE(ti.state, 'no_status')",
                                             {since});
  return out;
}

std::vector<run_summary> latest_runs(soci::session& s, const std::string& dag_id, long long limit) {
  sql_query q(
      "SELECT r.id, r.run_id, r.state, r.run_type, r.run_after, r.logical_date, r.start_date, "
      "r.end_date, v.version_number FROM dag_run r LEFT JOIN dag_version v ON v.id = r.dag_version_id");
  q.where("r.dag_id = " + q.bind(dag_id));
  q.order_by("r.run_after", true).order_by("r.id", true).page(limit, 0);
  std::vector<run_summary> out;
  q.each(s, [&](const row_reader& r) {
    out.push_back({r.integer_or("id", 0), r.text_or("run_id", ""), r.text_or("state", ""), r.text_or("run_type", ""),
                   r.text("run_after"), r.text("logical_date"), r.text("start_date"), r.text("end_date"),
                   r.integer("version_number")});
  });
  return out;
}

std::vector<task_instance_summary> task_instances_of_runs(soci::session& s, const std::vector<std::int64_t>& run_ids) {
  std::vector<task_instance_summary> out;
  if (run_ids.empty()) return out;
  sql_query q(
      "SELECT ti.run_id, ti.task_id, ti.state, ti.map_index, ti.try_number, ti.start_date, ti.end_date "
      "FROM task_instance ti");
  std::string in;
  for (auto id : run_ids) in += (in.empty() ? "" : ", ") + q.bind(static_cast<long long>(id));
  q.where("ti.dag_run_id IN (" + in + ")");
  q.each(s, [&](const row_reader& r) {
    out.push_back({r.text_or("run_id", ""), r.text_or("task_id", ""), r.text("state"),
                   static_cast<int>(r.integer_or("map_index", -1)), r.integer_or("try_number", 0),
                   r.text("start_date"), r.text("end_date")});
  });
  return out;
}

}  // namespace leoflow::schema
