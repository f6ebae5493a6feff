// SQL for DAGs, versions, tags, warnings, import errors and the event log.
#include "schema/dag_store.hpp"

#include <map>
#include <set>

#include <fmt/format.h>
#include <soci/soci.h>

#include "common/clock.hpp"
#include "common/hash.hpp"
#include "schema/query.hpp"
#include "schema/soci_optional.hpp"

namespace leoflow::schema {
namespace {

dag_record read_dag(const row_reader& r) {
  dag_record d;
  d.dag_id = r.text_or("dag_id", "");
  d.is_paused = r.flag("is_paused");
  d.is_stale = r.flag("is_stale");
  d.fileloc = r.text_or("fileloc", "");
  d.relative_fileloc = r.text("relative_fileloc");
  d.bundle_name = r.text("bundle_name");
  d.project_dir = r.text("project_dir");
  d.description = r.text("description");
  d.timetable_summary = r.text("timetable_summary");
  d.timetable_description = r.text("timetable_description");
  d.schedule = r.text("schedule");
  d.owners = r.text_or("owners", "airflow");
  d.max_active_runs = static_cast<int>(r.integer_or("max_active_runs", 16));
  d.max_active_tasks = static_cast<int>(r.integer_or("max_active_tasks", 16));
  d.max_consecutive_failed_dag_runs =
      static_cast<int>(r.integer_or("max_consecutive_failed_dag_runs", 0));
  d.has_task_concurrency_limits = r.flag("has_task_concurrency_limits");
  d.last_parsed_time = r.text("last_parsed_time");
  d.last_parse_duration = r.real("last_parse_duration");
  d.next_dagrun_logical_date = r.text("next_dagrun_logical_date");
  d.next_dagrun_data_interval_start = r.text("next_dagrun_data_interval_start");
  d.next_dagrun_data_interval_end = r.text("next_dagrun_data_interval_end");
  d.next_dagrun_run_after = r.text("next_dagrun_run_after");
  d.created_at = r.text_or("created_at", "");
  d.dependencies = r.text_or("dependencies", "[]");
  d.venv_name = r.text("venv_name");
  d.has_import_errors = r.flag("has_import_errors");
  return d;
}

constexpr const char* dag_select =
    "SELECT d.*, (SELECT COUNT(*) FROM import_error ie WHERE ie.filename = d.fileloc) AS "
    "has_import_errors FROM dag d";

// The state of a DAG's latest run, as a SQL expression over `dag d`.
constexpr const char* latest_run_state =
    "(SELECT r.state FROM dag_run r WHERE r.dag_id = d.dag_id ORDER BY r.run_after DESC, r.id DESC LIMIT 1)";
constexpr const char* latest_run_start =
    "(SELECT r.start_date FROM dag_run r WHERE r.dag_id = d.dag_id ORDER BY r.run_after DESC, r.id DESC LIMIT 1)";

void load_tags(soci::session& s, std::vector<dag_record>& dags) {
  if (dags.empty()) return;
  std::map<std::string, dag_record*> by_id;
  sql_query q("SELECT dag_id, name FROM dag_tag");
  std::string in;
  for (auto& d : dags) {
    by_id[d.dag_id] = &d;
    in += (in.empty() ? "" : ",") + q.bind(d.dag_id);
  }
  q.where("dag_id IN (" + in + ")").order_by("name", false);
  q.each(s, [&](const row_reader& r) {
    if (auto it = by_id.find(r.text_or("dag_id", "")); it != by_id.end())
      it->second->tags.push_back(r.text_or("name", ""));
  });
}

dag_version_record read_version(const row_reader& r) {
  dag_version_record v;
  v.id = r.integer_or("id", 0);
  v.uuid = r.text_or("uuid", "");
  v.dag_id = r.text_or("dag_id", "");
  v.version_number = static_cast<int>(r.integer_or("version_number", 0));
  v.spec_hash = r.text_or("spec_hash", "");
  if (r.has("spec")) v.spec = r.text_or("spec", "");
  if (r.has("source_code")) v.source_code = r.text_or("source_code", "");
  v.bundle_name = r.text("bundle_name");
  v.created_at = r.text_or("created_at", "");
  return v;
}

constexpr const char* version_columns =
    "id, uuid, dag_id, version_number, spec_hash, bundle_name, created_at";

import_error_record read_import_error(const row_reader& r) {
  return {r.integer_or("id", 0), r.text_or("filename", ""), r.text("bundle_name"),
          r.text_or("stack_trace", ""), r.text_or("timestamp", "")};
}

void write_dag_columns(soci::session& s, const dag_registration& d, const file_origin& origin,
                       double parse_duration, const std::string& when) {
  const int concurrency_limits = d.has_task_concurrency_limits ? 1 : 0;
  s << "UPDATE dag SET is_stale = 0, fileloc = :fileloc, relative_fileloc = :rel, "
       "bundle_name = :bundle, project_dir = :project, description = :description, "
       "timetable_summary = :summary, timetable_description = :tdesc, schedule = :schedule, "
       "owners = :owners, max_active_runs = :mar, max_active_tasks = :mat, "
       "max_consecutive_failed_dag_runs = :mcf, has_task_concurrency_limits = :htcl, "
       "last_parsed_time = :parsed, last_parse_duration = :duration, dependencies = :deps, "
       "venv_name = :venv WHERE dag_id = :dag_id",
      soci::use(origin.fileloc), soci::use(origin.relative_fileloc), soci::use(origin.bundle_name),
      soci::use(origin.project_dir), soci::use(d.description), soci::use(d.timetable_summary),
      soci::use(d.timetable_description), soci::use(d.schedule), soci::use(d.owners),
      soci::use(d.max_active_runs), soci::use(d.max_active_tasks),
      soci::use(d.max_consecutive_failed_dag_runs), soci::use(concurrency_limits),
      soci::use(when), soci::use(parse_duration), soci::use(d.dependencies), soci::use(d.venv_name), soci::use(d.dag_id);
  s << "DELETE FROM dag_tag WHERE dag_id = :dag_id", soci::use(d.dag_id);
  for (const auto& tag : d.tags)
    s << "INSERT INTO dag_tag (dag_id, name) VALUES (:dag_id, :name)", soci::use(d.dag_id),
        soci::use(tag);
  s << "DELETE FROM dag_warning WHERE dag_id = :dag_id", soci::use(d.dag_id);
  for (const auto& w : d.warnings)
    s << "INSERT INTO dag_warning (dag_id, warning_type, message, timestamp) "
         "VALUES (:dag_id, :type, :message, :ts)",
        soci::use(d.dag_id), soci::use(w.warning_type), soci::use(w.message), soci::use(when);
}

}  // namespace

file_registration register_file(soci::session& s, const file_origin& origin,
                                const std::vector<dag_registration>& dags, double parse_duration,
                                bool paused_at_creation) {
  file_registration result;
  const std::string when = format_store_time(now());
  soci::transaction tx(s);

  for (const auto& d : dags) {
    std::string owner_file;
    int stale = 0;
    soci::indicator ind = soci::i_ok;
    s << "SELECT fileloc, is_stale FROM dag WHERE dag_id = :id", soci::into(owner_file, ind),
        soci::into(stale), soci::use(d.dag_id);
    if (s.got_data() && owner_file != origin.fileloc && !stale) {
      result.conflict = fmt::format("DAG id '{}' is already defined in {}; a dag_id must be unique",
                                    d.dag_id, owner_file);
      tx.rollback();
      return result;
    }
  }

  for (const auto& d : dags) {
    registered_dag reg{d.dag_id};
    int exists = 0;
    s << "SELECT COUNT(*) FROM dag WHERE dag_id = :id", soci::into(exists), soci::use(d.dag_id);
    if (!exists) {
      const int paused = d.is_paused_upon_creation.value_or(paused_at_creation) ? 1 : 0;
      s << "INSERT INTO dag (dag_id, is_paused, fileloc, created_at) VALUES (:id, :paused, :f, :c)",
          soci::use(d.dag_id), soci::use(paused), soci::use(origin.fileloc), soci::use(when);
    }
    write_dag_columns(s, d, origin, parse_duration, when);

    int latest = 0;
    std::string latest_hash;
    soci::indicator hash_ind = soci::i_null;
    s << "SELECT version_number, spec_hash FROM dag_version WHERE dag_id = :id "
         "ORDER BY version_number DESC LIMIT 1",
        soci::into(latest), soci::into(latest_hash, hash_ind), soci::use(d.dag_id);
    if (!s.got_data()) latest = 0;
    if (latest > 0 && latest_hash == d.spec_hash) {
      reg.version_number = latest;
      reg.outcome = registration_outcome::unchanged;
    } else {
      reg.version_number = latest + 1;
      reg.outcome = latest == 0 ? registration_outcome::created : registration_outcome::new_version;
      const std::string uuid = new_uuid7();
      s << "INSERT INTO dag_version (uuid, dag_id, version_number, spec_hash, spec, source_code, "
           "bundle_name, created_at) VALUES (:uuid, :dag_id, :n, :hash, :spec, :source, :bundle, "
           ":created)",
          soci::use(uuid), soci::use(d.dag_id), soci::use(reg.version_number),
          soci::use(d.spec_hash), soci::use(d.spec), soci::use(d.source_code),
          soci::use(origin.bundle_name), soci::use(when);
    }
    result.dags.push_back(reg);
  }

  // DAGs this file defined before but not any more.
  std::set<std::string> now_defined;
  for (const auto& d : dags) now_defined.insert(d.dag_id);
  {
    sql_query q("SELECT dag_id FROM dag");
    q.where("fileloc = " + q.bind(origin.fileloc));
    q.each(s, [&](const row_reader& r) {
      auto id = r.text_or("dag_id", "");
      if (!now_defined.count(id)) result.removed.push_back(id);
    });
  }
  for (const auto& id : result.removed) s << "DELETE FROM dag WHERE dag_id = :id", soci::use(id);

  s << "DELETE FROM import_error WHERE filename = :f", soci::use(origin.fileloc);
  tx.commit();
  return result;
}

void record_import_error(soci::session& s, const std::string& filename,
                         const std::string& bundle_name, const std::string& stack_trace) {
  const std::string when = format_store_time(now());
  soci::transaction tx(s);
  int exists = 0;
  s << "SELECT COUNT(*) FROM import_error WHERE filename = :f", soci::into(exists),
      soci::use(filename);
  if (exists) {
    s << "UPDATE import_error SET stack_trace = :t, bundle_name = :b, timestamp = :w "
         "WHERE filename = :f",
        soci::use(stack_trace), soci::use(bundle_name), soci::use(when), soci::use(filename);
  } else {
    s << "INSERT INTO import_error (filename, bundle_name, stack_trace, timestamp) "
         "VALUES (:f, :b, :t, :w)",
        soci::use(filename), soci::use(bundle_name), soci::use(stack_trace), soci::use(when);
  }
  tx.commit();
}

std::vector<std::string> dag_ids_in_file(soci::session& s, const std::string& fileloc) {
  std::vector<std::string> ids;
  sql_query q("SELECT dag_id FROM dag");
  q.where("fileloc = " + q.bind(fileloc));
  q.each(s, [&](const row_reader& r) { ids.push_back(r.text_or("dag_id", "")); });
  return ids;
}

bool delete_dag(soci::session& s, const std::string& dag_id) {
  soci::statement st = (s.prepare << "DELETE FROM dag WHERE dag_id = :id", soci::use(dag_id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::vector<std::string> delete_project(soci::session& s, const std::string& project_dir) {
  std::vector<std::string> ids;
  soci::transaction tx(s);
  sql_query q("SELECT dag_id FROM dag");
  q.where("project_dir = " + q.bind(project_dir));
  q.each(s, [&](const row_reader& r) { ids.push_back(r.text_or("dag_id", "")); });
  s << "DELETE FROM dag WHERE project_dir = :p", soci::use(project_dir);
  const std::string prefix = project_dir + "/%";
  s << "DELETE FROM import_error WHERE filename LIKE :p", soci::use(prefix);
  tx.commit();
  return ids;
}

dag_footprint count_dag_rows(soci::session& s, const std::string& dag_id) {
  dag_footprint f;
  s << "SELECT COUNT(*) FROM dag_version WHERE dag_id = :id", soci::into(f.versions),
      soci::use(dag_id);
  s << "SELECT COUNT(*) FROM dag_run WHERE dag_id = :id", soci::into(f.runs), soci::use(dag_id);
  s << "SELECT COUNT(*) FROM task_instance WHERE dag_id = :id", soci::into(f.task_instances),
      soci::use(dag_id);
  s << "SELECT COUNT(*) FROM xcom x JOIN dag_run r ON r.id = x.dag_run_id WHERE r.dag_id = :id",
      soci::into(f.xcoms), soci::use(dag_id);
  return f;
}

void set_stale(soci::session& s, const std::string& dag_id, bool stale) {
  const int v = stale ? 1 : 0;
  s << "UPDATE dag SET is_stale = :s WHERE dag_id = :id", soci::use(v), soci::use(dag_id);
}

std::vector<dag_project> list_dag_projects(soci::session& s) {
  std::vector<dag_project> out;
  sql_query q("SELECT dag_id, project_dir, fileloc, is_stale FROM dag");
  q.each(s, [&](const row_reader& r) {
    out.push_back({r.text_or("dag_id", ""), r.text("project_dir"), r.text_or("fileloc", ""),
                   r.flag("is_stale")});
  });
  return out;
}

std::vector<dag_record> list_dags(soci::session& s, const dag_filter& f,
                                  const std::vector<std::string>& order_by, long long limit,
                                  long long offset, long long* total) {
  sql_query q(dag_select);
  if (!f.dag_id_patterns.empty()) {
    std::string any;
    for (const auto& p : f.dag_id_patterns)
      any += (any.empty() ? "" : " OR ") + ("d.dag_id LIKE " + q.bind(p));
    q.where(any);
  }
  if (!f.dag_ids.empty()) {
    std::string in;
    for (const auto& id : f.dag_ids) in += (in.empty() ? "" : ",") + q.bind(id);
    q.where("d.dag_id IN (" + in + ")");
  }
  if (!f.tags.empty()) {
    std::string in;
    for (const auto& t : f.tags) in += (in.empty() ? "" : ",") + q.bind(t);
    if (f.tags_match_all)
      q.where(fmt::format("(SELECT COUNT(DISTINCT t.name) FROM dag_tag t WHERE t.dag_id = d.dag_id "
                          "AND t.name IN ({})) = {}",
                          in, f.tags.size()));
    else
      q.where("EXISTS (SELECT 1 FROM dag_tag t WHERE t.dag_id = d.dag_id AND t.name IN (" + in + "))");
  }
  if (!f.owners.empty()) {
    std::string in;
    for (const auto& o : f.owners) in += (in.empty() ? "" : ",") + q.bind(o);
    q.where("d.owners IN (" + in + ")");
  }
  if (f.paused) q.where(*f.paused ? "d.is_paused = 1" : "d.is_paused = 0");
  if (f.exclude_stale) q.where("d.is_stale = 0");
  if (f.bundle_name) q.where("d.bundle_name = " + q.bind(*f.bundle_name));
  if (f.has_import_errors)
    q.where(std::string(*f.has_import_errors ? "" : "NOT ") +
            "EXISTS (SELECT 1 FROM import_error ie WHERE ie.filename = d.fileloc)");
  if (f.last_run_state) q.where(std::string(latest_run_state) + " = " + q.bind(*f.last_run_state));
  if (total) *total = q.count(s);
  for (const auto& o : order_by) {
    const bool desc = !o.empty() && o[0] == '-';
    q.order_by(desc ? o.substr(1) : o, desc);
  }
  q.order_by("d.dag_id", false).page(limit, offset);
  std::vector<dag_record> out;
  q.each(s, [&](const row_reader& r) { out.push_back(read_dag(r)); });
  load_tags(s, out);
  return out;
}

std::vector<std::string> dag_sort_columns(const std::vector<std::string>& attributes) {
  static const std::map<std::string, std::string> columns = {
      {"dag_id", "d.dag_id"},
      {"dag_display_name", "d.dag_id"},
      {"next_dagrun", "d.next_dagrun_run_after"},
      {"state", latest_run_state},
      {"last_run_state", latest_run_state},
      {"start_date", latest_run_start},
      {"last_run_start_date", latest_run_start},
  };
  std::vector<std::string> out;
  for (const auto& o : attributes) {
    const bool desc = !o.empty() && o[0] == '-';
    out.push_back((desc ? "-" : "") + columns.at(desc ? o.substr(1) : o));
  }
  return out;
}

long long count_runs(soci::session& s, const std::string& dag_id, const std::vector<std::string>& states) {
  sql_query q("SELECT id FROM dag_run");
  q.where("dag_id = " + q.bind(dag_id));
  std::string in;
  for (const auto& st : states) in += (in.empty() ? "" : ",") + q.bind(st);
  if (!in.empty()) q.where("state IN (" + in + ")");
  return q.count(s);
}

std::optional<dag_record> find_dag(soci::session& s, const std::string& dag_id) {
  dag_filter f;
  f.dag_ids = {dag_id};
  f.exclude_stale = false;
  auto v = list_dags(s, f, {}, 1, 0, nullptr);
  if (v.empty()) return std::nullopt;
  return std::move(v.front());
}

bool set_paused(soci::session& s, const std::string& dag_id, bool paused) {
  const int v = paused ? 1 : 0;
  soci::statement st = (s.prepare << "UPDATE dag SET is_paused = :p WHERE dag_id = :id",
                        soci::use(v), soci::use(dag_id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

void set_next_dagrun(soci::session& s, const std::string& dag_id, const opt_string& next,
                     const std::string& timetable_description) {
  s << "UPDATE dag SET next_dagrun_logical_date = :n1, next_dagrun_data_interval_start = :n2, "
       "next_dagrun_data_interval_end = :n3, next_dagrun_run_after = :n4, timetable_description = :d "
       "WHERE dag_id = :id",
      soci::use(next), soci::use(next), soci::use(next), soci::use(next), soci::use(timetable_description),
      soci::use(dag_id);
}

std::vector<dag_version_record> list_versions(soci::session& s, const std::string& dag_id,
                                              std::optional<int> version_number, bool descending,
                                              const std::string& order_column, long long limit,
                                              long long offset, long long* total) {
  sql_query q(fmt::format("SELECT {} FROM dag_version", version_columns));
  q.where("dag_id = " + q.bind(dag_id));
  if (version_number) q.where("version_number = " + q.bind(static_cast<long long>(*version_number)));
  if (total) *total = q.count(s);
  q.order_by(order_column, descending).page(limit, offset);
  std::vector<dag_version_record> out;
  q.each(s, [&](const row_reader& r) { out.push_back(read_version(r)); });
  return out;
}

std::optional<dag_version_record> find_version(soci::session& s, const std::string& dag_id,
                                               std::optional<int> version_number,
                                               bool with_content) {
  sql_query q(fmt::format("SELECT {}{} FROM dag_version", version_columns,
                          with_content ? ", spec, source_code" : ""));
  q.where("dag_id = " + q.bind(dag_id));
  if (version_number) q.where("version_number = " + q.bind(static_cast<long long>(*version_number)));
  q.order_by("version_number", true).page(1, 0);
  std::optional<dag_version_record> out;
  q.each(s, [&](const row_reader& r) { out = read_version(r); });
  return out;
}

std::optional<dag_version_record> find_version_by_id(soci::session& s, std::int64_t id,
                                                     bool with_content) {
  sql_query q(fmt::format("SELECT {}{} FROM dag_version", version_columns,
                          with_content ? ", spec, source_code" : ""));
  q.where("id = " + q.bind(static_cast<long long>(id)));
  std::optional<dag_version_record> out;
  q.each(s, [&](const row_reader& r) { out = read_version(r); });
  return out;
}

std::vector<import_error_record> list_import_errors(soci::session& s,
                                                    const std::vector<std::string>& filename_patterns,
                                                    const std::vector<std::string>& order_by,
                                                    long long limit, long long offset,
                                                    long long* total) {
  sql_query q("SELECT * FROM import_error");
  if (!filename_patterns.empty()) {
    std::string any;
    for (const auto& p : filename_patterns)
      any += (any.empty() ? "" : " OR ") + ("filename LIKE " + q.bind(p));
    q.where(any);
  }
  if (total) *total = q.count(s);
  q.order_by_each(order_by).order_by("id", false).page(limit, offset);
  std::vector<import_error_record> out;
  q.each(s, [&](const row_reader& r) { out.push_back(read_import_error(r)); });
  return out;
}

std::optional<import_error_record> find_import_error(soci::session& s, std::int64_t id) {
  sql_query q("SELECT * FROM import_error");
  q.where("id = " + q.bind(static_cast<long long>(id)));
  std::optional<import_error_record> out;
  q.each(s, [&](const row_reader& r) { out = read_import_error(r); });
  return out;
}

std::vector<dag_warning_record> list_dag_warnings(soci::session& s, const opt_string& dag_id,
                                                  const opt_string& warning_type,
                                                  const std::vector<std::string>& order_by,
                                                  long long limit, long long offset,
                                                  long long* total) {
  sql_query q("SELECT * FROM dag_warning");
  if (dag_id) q.where("dag_id = " + q.bind(*dag_id));
  if (warning_type) q.where("warning_type = " + q.bind(*warning_type));
  if (total) *total = q.count(s);
  for (const auto& o : order_by) {
    const bool desc = !o.empty() && o[0] == '-';
    q.order_by(desc ? o.substr(1) : o, desc);
  }
  q.order_by("dag_id", false).order_by("message", false).page(limit, offset);
  std::vector<dag_warning_record> out;
  q.each(s, [&](const row_reader& r) {
    out.push_back({r.text_or("dag_id", ""), r.text_or("warning_type", ""),
                   r.text_or("message", ""), r.text_or("timestamp", "")});
  });
  return out;
}

std::vector<std::string> list_tags(soci::session& s, const opt_string& pattern, bool descending,
                                   long long limit, long long offset, long long* total) {
  sql_query q("SELECT DISTINCT name FROM dag_tag");
  if (pattern) q.where_like("name", *pattern);
  if (total) *total = q.count(s);
  q.order_by("name", descending).page(limit, offset);
  std::vector<std::string> out;
  q.each(s, [&](const row_reader& r) { out.push_back(r.text_or("name", "")); });
  return out;
}

void log_event(soci::session& s, const event_record& e) {
  const std::string when = format_store_time(now());
  s << "INSERT INTO event_log (dttm, dag_id, task_id, run_id, map_index, try_number, event, owner, "
       "extra, logical_date) VALUES (:dttm, :dag_id, :task_id, :run_id, :map_index, :try_number, "
       ":event, :owner, :extra, :logical_date)",
      soci::use(when), soci::use(e.dag_id), soci::use(e.task_id), soci::use(e.run_id),
      soci::use(e.map_index), soci::use(e.try_number), soci::use(e.event), soci::use(e.owner),
      soci::use(e.extra), soci::use(e.logical_date);
}

}  // namespace leoflow::schema
