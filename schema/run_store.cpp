// SQL for runs, task instances, their history, XCom, stats and the event log.
#include "schema/run_store.hpp"

#include <unistd.h>

#include <map>

#include <fmt/format.h>
#include <soci/soci.h>

#include "common/clock.hpp"
#include "common/hash.hpp"
#include "schema/query.hpp"
#include "schema/soci_optional.hpp"

namespace leoflow::schema {
namespace {

constexpr const char* run_select =
    "SELECT r.*, v.version_number AS version_number, v.uuid AS version_uuid, "
    "v.created_at AS version_created_at, v.bundle_name AS version_bundle FROM dag_run r "
    "JOIN dag_version v ON v.id = r.dag_version_id";

dag_run_record read_run(const row_reader& r) {
  dag_run_record d;
  d.id = r.integer_or("id", 0);
  d.dag_id = r.text_or("dag_id", "");
  d.run_id = r.text_or("run_id", "");
  d.dag_version_id = r.integer_or("dag_version_id", 0);
  d.run_type = r.text_or("run_type", "manual");
  d.state = r.text_or("state", "queued");
  d.logical_date = r.text("logical_date");
  d.data_interval_start = r.text("data_interval_start");
  d.data_interval_end = r.text("data_interval_end");
  d.run_after = r.text_or("run_after", "");
  d.queued_at = r.text("queued_at");
  d.start_date = r.text("start_date");
  d.end_date = r.text("end_date");
  d.conf = r.text_or("conf", "{}");
  d.note = r.text("note");
  d.triggered_by = r.text("triggered_by");
  d.triggering_user_name = r.text("triggering_user_name");
  d.last_scheduling_decision = r.text("last_scheduling_decision");
  d.updated_at = r.text_or("updated_at", "");
  d.version_number = static_cast<int>(r.integer_or("version_number", 0));
  d.version_uuid = r.text_or("version_uuid", "");
  d.version_created_at = r.text_or("version_created_at", "");
  d.bundle_name = r.text("version_bundle");
  return d;
}

constexpr const char* ti_select =
    "SELECT t.*, r.run_after AS run_after, r.logical_date AS logical_date FROM task_instance t "
    "JOIN dag_run r ON r.id = t.dag_run_id";

task_instance_record read_ti(const row_reader& r) {
  task_instance_record t;
  t.id = r.integer_or("id", 0);
  // History rows lack the identity columns; the caller fills them in.
  if (r.has("uuid")) {
    t.uuid = r.text_or("uuid", "");
    t.dag_run_id = r.integer_or("dag_run_id", 0);
    t.dag_id = r.text_or("dag_id", "");
    t.run_id = r.text_or("run_id", "");
    t.task_id = r.text_or("task_id", "");
    t.map_index = static_cast<int>(r.integer_or("map_index", -1));
  }
  t.state = r.text("state");
  t.try_number = static_cast<int>(r.integer_or("try_number", 0));
  t.max_tries = static_cast<int>(r.integer_or("max_tries", 0));
  t.operator_class = r.text("operator");
  t.operator_name = r.text("operator_name");
  t.pool = r.text_or("pool", "default_pool");
  t.pool_slots = static_cast<int>(r.integer_or("pool_slots", 1));
  t.queue = r.text_or("queue", "default");
  t.priority_weight = static_cast<int>(r.integer_or("priority_weight", 1));
  t.start_date = r.text("start_date");
  t.end_date = r.text("end_date");
  t.duration = r.real("duration");
  t.scheduled_dttm = r.text("scheduled_dttm");
  t.queued_dttm = r.text("queued_dttm");
  if (r.has("next_retry_at")) t.next_retry_at = r.text("next_retry_at");
  t.hostname = r.text("hostname");
  t.unixname = r.text("unixname");
  t.pid = r.integer("pid");
  t.executor = r.text("executor");
  if (r.has("rendered_fields")) t.rendered_fields = r.text("rendered_fields");
  if (r.has("rendered_map_index")) t.rendered_map_index = r.text("rendered_map_index");
  if (r.has("note")) t.note = r.text("note");
  t.dag_version_id = r.integer("dag_version_id");
  if (r.has("updated_at")) t.updated_at = r.text_or("updated_at", "");
  if (r.has("run_after")) t.run_after = r.text_or("run_after", "");
  if (r.has("logical_date")) t.logical_date = r.text("logical_date");
  return t;
}

// A state condition: NULL for "none", else equality; OR-ed.
std::string state_condition(sql_query& q, const std::string& column,
                            const std::vector<std::string>& states) {
  std::string any;
  for (const auto& st : states) {
    any += any.empty() ? "" : " OR ";
    any += (st == "none" || st.empty()) ? column + " IS NULL" : column + " = " + q.bind(st);
  }
  return any;
}

std::string state_condition_static(soci::session&, const std::vector<std::string>& states,
                                   std::vector<std::string>& binds) {
  std::string any;
  for (const auto& st : states) {
    any += any.empty() ? "" : " OR ";
    if (st == "none") {
      any += "state IS NULL";
    } else {
      binds.push_back(st);
      any += fmt::format("state = :s{}", binds.size());
    }
  }
  return any;
}

void apply_order(sql_query& q, const std::vector<std::string>& order_by) {
  for (const auto& o : order_by) {
    const bool desc = !o.empty() && o[0] == '-';
    q.order_by(desc ? o.substr(1) : o, desc);
  }
}

void apply_bounds(sql_query& q, const std::vector<run_filter::bound>& bounds) {
  for (const auto& b : bounds) q.where(b.column + " " + b.op + " " + q.bind(b.value));
}

std::string local_hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

}  // namespace

std::variant<dag_run_record, run_conflict> create_run(soci::session& s, const new_run& run,
                                                      const std::vector<task_seed>& tasks) {
  const std::string when = format_store_time(now());
  int taken = 0;
  s << "SELECT COUNT(*) FROM dag_run WHERE dag_id = :d AND run_id = :r", soci::into(taken),
      soci::use(run.dag_id), soci::use(run.run_id);
  if (taken)
    return run_conflict{fmt::format("DAG Run with run_id: `{}` already exists for DAG `{}`",
                                    run.run_id, run.dag_id)};
  if (run.logical_date) {
    s << "SELECT COUNT(*) FROM dag_run WHERE dag_id = :d AND logical_date = :l", soci::into(taken),
        soci::use(run.dag_id), soci::use(*run.logical_date);
    if (taken)
      return run_conflict{fmt::format("A DAG Run of `{}` with logical date {} already exists",
                                      run.dag_id, *run.logical_date)};
  }
  const std::string state = "queued";
  long long id = 0;
  s << "INSERT INTO dag_run (dag_id, run_id, dag_version_id, run_type, state, logical_date, "
       "data_interval_start, data_interval_end, run_after, queued_at, conf, note, triggered_by, "
       "triggering_user_name, updated_at) VALUES (:dag_id, :run_id, :version, :type, :state, "
       ":logical, :dis, :die, :after, :queued, :conf, :note, :by, :user, :updated) RETURNING id",
      soci::use(run.dag_id), soci::use(run.run_id), soci::use(run.dag_version_id),
      soci::use(run.run_type), soci::use(state), soci::use(run.logical_date),
      soci::use(run.data_interval_start), soci::use(run.data_interval_end), soci::use(run.run_after),
      soci::use(when), soci::use(run.conf), soci::use(run.note), soci::use(run.triggered_by),
      soci::use(run.triggering_user_name), soci::use(when), soci::into(id);
  for (const auto& t : tasks) {
    const std::string uuid = new_uuid7();
    s << "INSERT INTO task_instance (uuid, dag_run_id, dag_id, run_id, task_id, map_index, "
         "max_tries, operator, operator_name, pool, pool_slots, queue, priority_weight, "
         "dag_version_id, updated_at) VALUES (:uuid, :run, :dag_id, :run_id, :task_id, -1, :max, "
         ":op, :opname, :pool, :slots, :queue, :prio, :version, :updated)",
        soci::use(uuid), soci::use(id), soci::use(run.dag_id), soci::use(run.run_id),
        soci::use(t.task_id), soci::use(t.max_tries), soci::use(t.operator_class),
        soci::use(t.operator_name), soci::use(t.pool), soci::use(t.pool_slots), soci::use(t.queue),
        soci::use(t.priority_weight), soci::use(run.dag_version_id), soci::use(when);
  }
  return *find_run_by_id(s, id);
}

std::optional<dag_run_record> find_run(soci::session& s, const std::string& dag_id,
                                       const std::string& run_id) {
  sql_query q(run_select);
  q.where("r.dag_id = " + q.bind(dag_id)).where("r.run_id = " + q.bind(run_id));
  std::optional<dag_run_record> out;
  q.each(s, [&](const row_reader& r) { out = read_run(r); });
  return out;
}

std::optional<dag_run_record> find_run_by_id(soci::session& s, std::int64_t id) {
  sql_query q(run_select);
  q.where("r.id = " + q.bind(static_cast<long long>(id)));
  std::optional<dag_run_record> out;
  q.each(s, [&](const row_reader& r) { out = read_run(r); });
  return out;
}

std::vector<dag_run_record> active_runs(soci::session& s) {
  sql_query q(run_select);
  q.where("r.state IN ('queued', 'running')").order_by("r.run_after", false).order_by("r.id", false);
  std::vector<dag_run_record> out;
  q.each(s, [&](const row_reader& r) { out.push_back(read_run(r)); });
  return out;
}

std::vector<dag_run_record> list_runs(soci::session& s, const run_filter& f,
                                      const std::vector<std::string>& order_by, long long limit,
                                      long long offset, long long* total) {
  sql_query q(run_select);
  if (f.dag_id) q.where("r.dag_id = " + q.bind(*f.dag_id));
  if (!f.states.empty()) q.where(state_condition(q, "r.state", f.states));
  if (!f.run_types.empty()) {
    std::string in;
    for (const auto& t : f.run_types) in += (in.empty() ? "" : ",") + q.bind(t);
    q.where("r.run_type IN (" + in + ")");
  }
  if (f.run_id_pattern) q.where_like("r.run_id", *f.run_id_pattern);
  apply_bounds(q, f.bounds);
  if (total) *total = q.count(s);
  apply_order(q, order_by);
  q.order_by("r.id", false).page(limit, offset);
  std::vector<dag_run_record> out;
  q.each(s, [&](const row_reader& r) { out.push_back(read_run(r)); });
  return out;
}

bool set_run_state(soci::session& s, std::int64_t run_id, const std::vector<std::string>& from,
                   const std::string& to) {
  const std::string when = format_store_time(now());
  std::vector<std::string> binds;
  const std::string cond = state_condition_static(s, from, binds);
  const bool finished = to == "success" || to == "failed";
  std::string sql = "UPDATE dag_run SET state = :to, updated_at = :w";
  if (to == "running") sql += ", start_date = COALESCE(start_date, :w2), end_date = NULL";
  if (finished) sql += ", end_date = :w2";
  if (to == "queued") sql += ", queued_at = :w2, end_date = NULL, start_date = NULL";
  sql += " WHERE id = :id";
  if (!cond.empty()) sql += " AND (" + cond + ")";
  soci::statement st(s);
  st.alloc();
  st.prepare(sql);
  std::string to_copy = to, w = when, w2 = when;
  long long id = run_id;
  st.exchange(soci::use(to_copy));
  st.exchange(soci::use(w));
  if (to == "running" || finished || to == "queued") st.exchange(soci::use(w2));
  st.exchange(soci::use(id));
  for (auto& b : binds) st.exchange(soci::use(b));
  st.define_and_bind();
  st.execute(true);
  return st.get_affected_rows() > 0;
}

void set_run_note(soci::session& s, std::int64_t run_id, const opt_string& note) {
  const std::string when = format_store_time(now());
  s << "UPDATE dag_run SET note = :n, updated_at = :w WHERE id = :id", soci::use(note),
      soci::use(when), soci::use(static_cast<long long>(run_id));
}

std::vector<std::int64_t> active_run_ids(soci::session& s, const std::string& dag_id) {
  sql_query q("SELECT id FROM dag_run");
  q.where("dag_id = " + q.bind(dag_id)).where("state IN ('queued', 'running')");
  std::vector<std::int64_t> out;
  q.each(s, [&](const row_reader& r) { out.push_back(r.integer_or("id", 0)); });
  return out;
}

opt_string last_scheduled_logical_date(soci::session& s, const std::string& dag_id) {
  std::string last;
  soci::indicator ind = soci::i_null;
  s << "SELECT MAX(logical_date) FROM dag_run WHERE dag_id = :d AND run_type = 'scheduled'", soci::into(last, ind),
      soci::use(dag_id);
  if (ind != soci::i_ok) return std::nullopt;
  return last;
}

std::vector<std::string> run_sort_columns(const std::vector<std::string>& attributes) {
  static const std::map<std::string, std::string> columns = {
      {"id", "r.id"}, {"state", "r.state"}, {"dag_id", "r.dag_id"}, {"run_id", "r.run_id"},
      {"dag_run_id", "r.run_id"}, {"logical_date", "r.logical_date"}, {"run_after", "r.run_after"},
      {"start_date", "r.start_date"}, {"end_date", "r.end_date"}, {"updated_at", "r.updated_at"},
      {"conf", "r.conf"}, {"duration", "(julianday(r.end_date) - julianday(r.start_date))"},
      {"run_type", "r.run_type"}};
  std::vector<std::string> out;
  for (const auto& o : attributes) {
    const bool desc = !o.empty() && o[0] == '-';
    out.push_back((desc ? "-" : "") + columns.at(desc ? o.substr(1) : o));
  }
  return out;
}

void touch_run_decision(soci::session& s, std::int64_t run_id) {
  const std::string when = format_store_time(now());
  s << "UPDATE dag_run SET last_scheduling_decision = :w WHERE id = :id", soci::use(when),
      soci::use(static_cast<long long>(run_id));
}

bool delete_run(soci::session& s, std::int64_t run_id) {
  soci::statement st = (s.prepare << "DELETE FROM dag_run WHERE id = :id",
                        soci::use(static_cast<long long>(run_id)));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::vector<task_instance_record> run_task_instances(soci::session& s, std::int64_t dag_run_id) {
  sql_query q(ti_select);
  q.where("t.dag_run_id = " + q.bind(static_cast<long long>(dag_run_id)))
      .order_by("t.task_id", false)
      .order_by("t.map_index", false);
  std::vector<task_instance_record> out;
  q.each(s, [&](const row_reader& r) { out.push_back(read_ti(r)); });
  return out;
}

std::vector<task_instance_record> list_task_instances(soci::session& s, const ti_filter& f,
                                                      const std::vector<std::string>& order_by,
                                                      long long limit, long long offset,
                                                      long long* total) {
  sql_query q(ti_select);
  if (f.dag_id) q.where("t.dag_id = " + q.bind(*f.dag_id));
  if (f.run_id) q.where("t.run_id = " + q.bind(*f.run_id));
  if (f.task_id) q.where("t.task_id = " + q.bind(*f.task_id));
  if (f.map_index) q.where("t.map_index = " + q.bind(static_cast<long long>(*f.map_index)));
  if (!f.states.empty()) q.where(state_condition(q, "t.state", f.states));
  if (f.task_id_pattern) q.where_like("t.task_id", *f.task_id_pattern);
  apply_bounds(q, f.bounds);
  if (total) *total = q.count(s);
  apply_order(q, order_by);
  q.order_by("t.id", false).page(limit, offset);
  std::vector<task_instance_record> out;
  q.each(s, [&](const row_reader& r) { out.push_back(read_ti(r)); });
  return out;
}

std::optional<task_instance_record> find_task_instance(soci::session& s, std::int64_t dag_run_id,
                                                       const std::string& task_id, int map_index) {
  sql_query q(ti_select);
  q.where("t.dag_run_id = " + q.bind(static_cast<long long>(dag_run_id)))
      .where("t.task_id = " + q.bind(task_id))
      .where("t.map_index = " + q.bind(static_cast<long long>(map_index)));
  std::optional<task_instance_record> out;
  q.each(s, [&](const row_reader& r) { out = read_ti(r); });
  return out;
}

std::optional<task_instance_record> find_task_instance_by_id(soci::session& s, std::int64_t id) {
  sql_query q(ti_select);
  q.where("t.id = " + q.bind(static_cast<long long>(id)));
  std::optional<task_instance_record> out;
  q.each(s, [&](const row_reader& r) { out = read_ti(r); });
  return out;
}

std::vector<std::string> ti_sort_columns(const std::vector<std::string>& attributes) {
  std::vector<std::string> out;
  for (const auto& o : attributes) {
    const bool desc = !o.empty() && o[0] == '-';
    const std::string attr = desc ? o.substr(1) : o;
    const bool of_run = attr == "logical_date" || attr == "run_after" || attr == "data_interval_start" ||
                        attr == "data_interval_end";
    out.push_back((desc ? "-" : "") + std::string(of_run ? "r." : "t.") + attr);
  }
  return out;
}

void set_ti_note(soci::session& s, std::int64_t ti_id, const opt_string& note) {
  s << "UPDATE task_instance SET note = :n WHERE id = :id", soci::use(note), soci::use(static_cast<long long>(ti_id));
}

bool requeue_unstarted_ti(soci::session& s, std::int64_t ti_id) {
  soci::statement st = (s.prepare << "UPDATE task_instance SET state = NULL, try_number = MAX(try_number - 1, 0) "
                                     "WHERE id = :id AND state = 'queued'",
                        soci::use(static_cast<long long>(ti_id)));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::vector<task_instance_record> unfinished_task_instances(soci::session& s) {
  sql_query q(ti_select);
  q.where("t.state IN ('queued', 'running')");
  std::vector<task_instance_record> out;
  q.each(s, [&](const row_reader& r) { out.push_back(read_ti(r)); });
  return out;
}

bool set_ti_state(soci::session& s, std::int64_t ti_id, const std::vector<std::string>& from,
                  const opt_string& to) {
  const std::string when = format_store_time(now());
  std::vector<std::string> binds;
  const std::string cond = state_condition_static(s, from, binds);
  const bool finished = to && (*to == "success" || *to == "failed" || *to == "skipped" ||
                               *to == "upstream_failed" || *to == "removed");
  std::string sql = "UPDATE task_instance SET state = :to, updated_at = :w";
  if (finished)
    sql += ", end_date = COALESCE(end_date, :w2), start_date = COALESCE(start_date, :w3)";
  sql += " WHERE id = :id";
  if (!cond.empty()) sql += " AND (" + cond + ")";
  soci::statement st(s);
  st.alloc();
  st.prepare(sql);
  opt_string to_copy = to;
  std::string w = when, w2 = when, w3 = when;
  long long id = ti_id;
  st.exchange(soci::use(to_copy));
  st.exchange(soci::use(w));
  if (finished) {
    st.exchange(soci::use(w2));
    st.exchange(soci::use(w3));
  }
  st.exchange(soci::use(id));
  for (auto& b : binds) st.exchange(soci::use(b));
  st.define_and_bind();
  st.execute(true);
  return st.get_affected_rows() > 0;
}

bool queue_ti(soci::session& s, std::int64_t ti_id, const std::vector<std::string>& from,
              const std::string& hostname) {
  const std::string when = format_store_time(now());
  std::vector<std::string> binds;
  const std::string cond = state_condition_static(s, from, binds);
  std::string sql =
      "UPDATE task_instance SET state = 'queued', try_number = try_number + 1, "
      "scheduled_dttm = :w1, queued_dttm = :w2, start_date = NULL, end_date = NULL, "
      "duration = NULL, pid = NULL, next_retry_at = NULL, hostname = :host, updated_at = :w3 "
      "WHERE id = :id";
  if (!cond.empty()) sql += " AND (" + cond + ")";
  soci::statement st(s);
  st.alloc();
  st.prepare(sql);
  std::string w1 = when, w2 = when, w3 = when, host = hostname;
  long long id = ti_id;
  st.exchange(soci::use(w1));
  st.exchange(soci::use(w2));
  st.exchange(soci::use(host));
  st.exchange(soci::use(w3));
  st.exchange(soci::use(id));
  for (auto& b : binds) st.exchange(soci::use(b));
  st.define_and_bind();
  st.execute(true);
  if (st.get_affected_rows() == 0) return false;
  // A new try starts without the XComs of the previous one (as in Airflow).
  s << "DELETE FROM xcom WHERE dag_run_id = (SELECT dag_run_id FROM task_instance WHERE id = :id) "
       "AND task_id = (SELECT task_id FROM task_instance WHERE id = :id2) "
       "AND map_index = (SELECT map_index FROM task_instance WHERE id = :id3)",
      soci::use(id), soci::use(id), soci::use(id);
  return true;
}

void start_ti(soci::session& s, std::int64_t ti_id, long long pid, const std::string& executor) {
  const std::string when = format_store_time(now());
  const std::string user = [] {
    const char* u = std::getenv("USER");
    return std::string(u ? u : "root");
  }();
  const std::string host = local_hostname();
  s << "UPDATE task_instance SET state = 'running', start_date = :w, pid = :pid, executor = :ex, "
       "unixname = :user, hostname = :host, updated_at = :w2 WHERE id = :id AND state = 'queued'",
      soci::use(when), soci::use(pid), soci::use(executor), soci::use(user), soci::use(host),
      soci::use(when), soci::use(static_cast<long long>(ti_id));
}

bool finish_ti(soci::session& s, std::int64_t ti_id, int try_number, const try_result& r) {
  const std::string when = format_store_time(now());
  const auto ti = find_task_instance_by_id(s, ti_id);
  if (!ti || ti->try_number != try_number || !ti->state ||
      (*ti->state != "running" && *ti->state != "queued"))
    return false;
  std::optional<double> duration;
  if (ti->start_date) {
    if (auto start = parse_time(*ti->start_date))
      duration = std::chrono::duration<double>(now() - *start).count();
  }
  s << "UPDATE task_instance SET state = :state, end_date = :w, duration = :d, next_retry_at = :nr, "
       "rendered_fields = COALESCE(:rf, rendered_fields), updated_at = :w2 WHERE id = :id",
      soci::use(r.state), soci::use(when), soci::use(duration), soci::use(r.next_retry_at),
      soci::use(r.rendered_fields), soci::use(when), soci::use(static_cast<long long>(ti_id));
  for (const auto& [key, value] : r.xcoms) set_xcom(s, ti->dag_run_id, ti->task_id, ti->map_index, key, value);
  return true;
}

void archive_try(soci::session& s, std::int64_t ti_id) {
  s << "INSERT INTO task_instance_history (task_instance_id, try_number, state, start_date, "
       "end_date, duration, hostname, unixname, pid, executor, operator, operator_name, pool, "
       "pool_slots, queue, priority_weight, max_tries, scheduled_dttm, queued_dttm, dag_version_id) "
       "SELECT id, try_number, state, start_date, end_date, duration, hostname, unixname, pid, "
       "executor, operator, operator_name, pool, pool_slots, queue, priority_weight, max_tries, "
       "scheduled_dttm, queued_dttm, dag_version_id FROM task_instance WHERE id = :id "
       "AND try_number > 0 AND NOT EXISTS (SELECT 1 FROM task_instance_history h WHERE "
       "h.task_instance_id = :id2 AND h.try_number = task_instance.try_number)",
      soci::use(static_cast<long long>(ti_id)), soci::use(static_cast<long long>(ti_id));
}

std::vector<task_instance_record> ti_tries(soci::session& s, std::int64_t ti_id) {
  std::vector<task_instance_record> out;
  auto current = find_task_instance_by_id(s, ti_id);
  if (!current) return out;
  sql_query q("SELECT h.* FROM task_instance_history h");
  q.where("h.task_instance_id = " + q.bind(static_cast<long long>(ti_id)))
      .where("h.try_number < " + q.bind(static_cast<long long>(current->try_number)))
      .order_by("h.try_number", false);
  q.each(s, [&](const row_reader& r) {
    auto t = read_ti(r);
    t.id = current->id;
    t.uuid = current->uuid;
    t.dag_run_id = current->dag_run_id;
    t.dag_id = current->dag_id;
    t.run_id = current->run_id;
    t.task_id = current->task_id;
    t.map_index = current->map_index;
    t.run_after = current->run_after;
    t.logical_date = current->logical_date;
    out.push_back(std::move(t));
  });
  if (current->try_number > 0) out.push_back(*current);
  return out;
}

void expand_mapped(soci::session& s, std::int64_t ti_id, int count) {
  const auto ti = find_task_instance_by_id(s, ti_id);
  if (!ti || ti->map_index != -1 || count <= 0) return;
  const std::string when = format_store_time(now());
  s << "UPDATE task_instance SET map_index = 0, updated_at = :w WHERE id = :id", soci::use(when),
      soci::use(static_cast<long long>(ti_id));
  for (int i = 1; i < count; ++i) {
    const std::string uuid = new_uuid7();
    s << "INSERT INTO task_instance (uuid, dag_run_id, dag_id, run_id, task_id, map_index, "
         "max_tries, operator, operator_name, pool, pool_slots, queue, priority_weight, "
         "dag_version_id, updated_at) SELECT :uuid, dag_run_id, dag_id, run_id, task_id, :i, "
         "max_tries, operator, operator_name, pool, pool_slots, queue, priority_weight, "
         "dag_version_id, :w FROM task_instance WHERE id = :id",
        soci::use(uuid), soci::use(i), soci::use(when), soci::use(static_cast<long long>(ti_id));
  }
}

void clear_ti(soci::session& s, std::int64_t ti_id) {
  archive_try(s, ti_id);
  const std::string when = format_store_time(now());
  s << "UPDATE task_instance SET state = NULL, start_date = NULL, end_date = NULL, duration = NULL, "
       "next_retry_at = NULL, pid = NULL, updated_at = :w WHERE id = :id",
      soci::use(when), soci::use(static_cast<long long>(ti_id));
  s << "DELETE FROM xcom WHERE dag_run_id = (SELECT dag_run_id FROM task_instance WHERE id = :id) "
       "AND task_id = (SELECT task_id FROM task_instance WHERE id = :id2) "
       "AND map_index = (SELECT map_index FROM task_instance WHERE id = :id3)",
      soci::use(static_cast<long long>(ti_id)), soci::use(static_cast<long long>(ti_id)),
      soci::use(static_cast<long long>(ti_id));
}

std::vector<xcom_record> run_xcoms(soci::session& s, std::int64_t dag_run_id) {
  sql_query q("SELECT * FROM xcom");
  q.where("dag_run_id = " + q.bind(static_cast<long long>(dag_run_id)))
      .order_by("task_id", false)
      .order_by("map_index", false)
      .order_by("xcom_key", false);
  std::vector<xcom_record> out;
  q.each(s, [&](const row_reader& r) {
    out.push_back({r.integer_or("dag_run_id", 0), r.text_or("task_id", ""),
                   static_cast<int>(r.integer_or("map_index", -1)), r.text_or("xcom_key", ""),
                   r.text("value"), r.text_or("timestamp", "")});
  });
  return out;
}

std::vector<xcom_record> ti_xcoms(soci::session& s, std::int64_t dag_run_id, const std::string& task_id,
                                  std::optional<int> map_index, const opt_string& key,
                                  long long limit, long long offset, long long* total) {
  sql_query q("SELECT * FROM xcom");
  q.where("dag_run_id = " + q.bind(static_cast<long long>(dag_run_id)));
  if (task_id != "~") q.where("task_id = " + q.bind(task_id));
  if (map_index) q.where("map_index = " + q.bind(static_cast<long long>(*map_index)));
  if (key) q.where("xcom_key = " + q.bind(*key));
  if (total) *total = q.count(s);
  q.order_by("task_id", false).order_by("map_index", false).order_by("xcom_key", false).page(limit, offset);
  std::vector<xcom_record> out;
  q.each(s, [&](const row_reader& r) {
    out.push_back({r.integer_or("dag_run_id", 0), r.text_or("task_id", ""),
                   static_cast<int>(r.integer_or("map_index", -1)), r.text_or("xcom_key", ""),
                   r.text("value"), r.text_or("timestamp", "")});
  });
  return out;
}

void set_xcom(soci::session& s, std::int64_t dag_run_id, const std::string& task_id, int map_index,
              const std::string& key, const std::string& json_value) {
  const std::string when = format_store_time(now());
  const long long run = dag_run_id;
  s << "DELETE FROM xcom WHERE dag_run_id = :r AND task_id = :t AND map_index = :m AND xcom_key = :k",
      soci::use(run), soci::use(task_id), soci::use(map_index), soci::use(key);
  s << "INSERT INTO xcom (dag_run_id, task_id, map_index, xcom_key, value, timestamp) "
       "VALUES (:r, :t, :m, :k, :v, :w)",
      soci::use(run), soci::use(task_id), soci::use(map_index), soci::use(key), soci::use(json_value),
      soci::use(when);
}

bool delete_xcom(soci::session& s, std::int64_t dag_run_id, const std::string& task_id, int map_index,
                 const std::string& key) {
  soci::statement st =
      (s.prepare << "DELETE FROM xcom WHERE dag_run_id = :r AND task_id = :t AND map_index = :m "
                    "AND xcom_key = :k",
       soci::use(static_cast<long long>(dag_run_id)), soci::use(task_id), soci::use(map_index),
       soci::use(key));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::vector<dag_run_stats> run_stats(soci::session& s, const std::vector<std::string>& dag_ids) {
  sql_query q("SELECT d.dag_id AS dag_id, r.state AS state, COUNT(r.id) AS n FROM dag d "
              "LEFT JOIN dag_run r ON r.dag_id = d.dag_id");
  if (!dag_ids.empty()) {
    std::string in;
    for (const auto& id : dag_ids) in += (in.empty() ? "" : ",") + q.bind(id);
    q.where("d.dag_id IN (" + in + ")");
  } else {
    q.where("d.is_stale = 0");
  }
  q.group_by("d.dag_id, r.state").order_by("d.dag_id", false);
  std::vector<dag_run_stats> out;
  q.each(s, [&](const row_reader& r) {
    const auto dag_id = r.text_or("dag_id", "");
    if (out.empty() || out.back().dag_id != dag_id) out.push_back({dag_id, {}});
    if (auto state = r.text("state")) out.back().counts.emplace_back(*state, r.integer_or("n", 0));
  });
  return out;
}

std::vector<event_log_record> list_events(soci::session& s, const event_filter& f,
                                          const std::vector<std::string>& order_by, long long limit,
                                          long long offset, long long* total) {
  sql_query q("SELECT * FROM event_log");
  if (f.dag_id) q.where("dag_id = " + q.bind(*f.dag_id));
  if (f.task_id) q.where("task_id = " + q.bind(*f.task_id));
  if (f.run_id) q.where("run_id = " + q.bind(*f.run_id));
  if (f.owner) q.where("owner = " + q.bind(*f.owner));
  if (f.event) q.where("event = " + q.bind(*f.event));
  if (!f.included_events.empty()) {
    std::string in;
    for (const auto& e : f.included_events) in += (in.empty() ? "" : ",") + q.bind(e);
    q.where("event IN (" + in + ")");
  }
  if (!f.excluded_events.empty()) {
    std::string in;
    for (const auto& e : f.excluded_events) in += (in.empty() ? "" : ",") + q.bind(e);
    q.where("event NOT IN (" + in + ")");
  }
  apply_bounds(q, f.bounds);
  if (total) *total = q.count(s);
  apply_order(q, order_by);
  q.order_by("id", false).page(limit, offset);
  std::vector<event_log_record> out;
  q.each(s, [&](const row_reader& r) {
    event_log_record e;
    e.id = r.integer_or("id", 0);
    e.dttm = r.text_or("dttm", "");
    e.dag_id = r.text("dag_id");
    e.task_id = r.text("task_id");
    e.run_id = r.text("run_id");
    e.owner = r.text("owner");
    e.extra = r.text("extra");
    e.logical_date = r.text("logical_date");
    e.map_index = r.integer("map_index");
    e.try_number = r.integer("try_number");
    e.event = r.text_or("event", "");
    out.push_back(std::move(e));
  });
  return out;
}

std::optional<event_log_record> find_event(soci::session& s, std::int64_t id) {
  event_filter f;
  f.bounds.push_back({"id", "=", std::to_string(id)});
  auto v = list_events(s, f, {}, 1, 0, nullptr);
  if (v.empty()) return std::nullopt;
  return v.front();
}

}  // namespace leoflow::schema
