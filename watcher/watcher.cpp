// The watcher service: events, debounce, the parse queue, registration.
#include "watcher/watcher.hpp"

#include <sys/inotify.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/console.hpp"
#include "common/secret_masker.hpp"
#include "common/offload.hpp"
#include "common/paths.hpp"
#include "schema/database.hpp"
#include "schema/dag_store.hpp"
#include "watcher/spec_reader.hpp"

namespace leoflow::watcher {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

bool is_within(const fs::path& path, const fs::path& dir) {
  auto p = path.begin();
  for (auto d = dir.begin(); d != dir.end(); ++d, ++p) {
    if (d->empty()) continue;
    if (p == path.end() || *p != *d) return false;
  }
  return true;
}

// True when any component below `base` is an ignored name.
bool has_ignored_component(const fs::path& path, const fs::path& base) {
  auto rel = path.lexically_relative(base);
  for (const auto& part : rel)
    if (part != "." && is_ignored_name(part.string())) return true;
  return false;
}

std::optional<std::string> read_text(const fs::path& file) {
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) return std::nullopt;
  std::string out;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return out;
}

// 1200 → "1,200", as the progress line reads.
std::string with_thousands(std::size_t n) {
  const auto digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

struct prepared {
  project info;
  std::string fingerprint;
  std::optional<std::string> source;
};

}  // namespace

template <typename Awaitable>
void watcher::spawn(Awaitable a, const char* what) {
  asio::co_spawn(strand_, std::move(a), [this, what](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      console_.failure(fmt::format("watcher: {} failed", what), ex.what());
    }
  });
}

watcher::watcher(asio::any_io_executor ex, schema::database& db, console& out,
                 watcher_options options, watcher_listener listener)
    : strand_(asio::make_strand(ex)), db_(db), console_(out), options_(std::move(options)),
      listener_(std::move(listener)), inotify_(strand_), tick_timer_(strand_),
      idle_timer_(strand_), progress_timer_(strand_) {
  for (auto& root : options_.roots) root = fs::weakly_canonical(fs::absolute(root));
  if (options_.max_parallel == 0) options_.max_parallel = 1;
}

watcher::~watcher() { disk_pool_.join(); }

asio::awaitable<void> watcher::start() {
  co_await asio::co_spawn(strand_, initial_round(), asio::use_awaitable);
}

asio::awaitable<void> watcher::initial_round() {
  const auto roots = options_.roots;
  auto scan = [roots] { return discover_projects(roots); };
  auto found = co_await offload(disk_pool_, std::move(scan));

  // The store may remember DAGs whose folders went away while we were not
  // running (delete them) or that live outside today's folders (stale).
  std::set<fs::path> dirs;
  for (const auto& p : found) dirs.insert(p.dir);
  auto list_known = [](soci::session& s) { return schema::list_dag_projects(s); };
  auto known = co_await db_.read(std::move(list_known));
  std::set<fs::path> vanished;
  for (const auto& d : known) {
    const fs::path dir = d.project_dir.value_or(fs::path(d.fileloc).parent_path().string());
    if (dirs.count(dir)) continue;
    if (under_root(dir)) {
      vanished.insert(dir);
    } else if (!d.is_stale) {
      const auto id = d.dag_id;
      auto mark_stale = [id](soci::session& s) { schema::set_stale(s, id, true); };
      co_await db_.write(std::move(mark_stale));
    }
  }
  for (const auto& dir : vanished) co_await remove_project(dir, "folder gone");

  for (const auto& root : options_.roots) watch_tree(root);
  for (const auto& p : found) add_project(p);
  for (const auto& p : found) enqueue(p.dir);
  spawn(inotify_loop(), "the change listener");
  spawn(tick_loop(), "the periodic scan");
  if (!found.empty()) spawn(report_progress(found.size()), "the progress report");

  if (running_ > 0 || !queue_.empty()) {
    idle_timer_.expires_at(asio::steady_timer::time_point::max());
    co_await idle_timer_.async_wait(tuple_awaitable);
  }
}

void watcher::stop() {
  asio::post(strand_, [this] {
    stopping_ = true;
    inotify_.close();
    tick_timer_.cancel();
    idle_timer_.cancel();
    progress_timer_.cancel();
  });
}

void watcher::touch(const fs::path& path) {
  asio::post(strand_, [this, path] {
    if (auto* st = project_for(fs::weakly_canonical(fs::absolute(path))))
      note_change(*st, options_.settle, true);
    else
      schedule_rescan();
  });
}

asio::awaitable<std::vector<project>> watcher::projects() {
  auto snapshot = [this]() -> asio::awaitable<std::vector<project>> {
    std::vector<project> out;
    for (const auto& [dir, st] : projects_) out.push_back(st.info);
    co_return out;
  };
  co_return co_await asio::co_spawn(strand_, snapshot(), asio::use_awaitable);
}

bool watcher::under_root(const fs::path& path) const {
  for (const auto& root : options_.roots)
    if (is_within(path, root)) return true;
  return false;
}

watcher::project_state* watcher::project_for(const fs::path& path) {
  project_state* best = nullptr;
  std::size_t best_len = 0;
  for (auto& [dir, st] : projects_) {
    const auto len = dir.native().size();
    if (len >= best_len && is_within(path, dir)) {
      best = &st;
      best_len = len;
    }
  }
  return best;
}

void watcher::watch_tree(const fs::path& dir) {
  if (!inotify_.watch(dir)) return;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code dec;
    if (it->is_directory(dec) && !it->is_symlink(dec) &&
        !is_ignored_name(it->path().filename().string()))
      watch_tree(it->path());
  }
}

void watcher::add_project(const project& p) {
  auto [it, inserted] = projects_.try_emplace(p.dir);
  it->second.info = p;
  if (inserted) watch_tree(p.dir);
}

void watcher::schedule_rescan() {
  if (rescan_pending_ || stopping_) return;
  rescan_pending_ = true;
  spawn(rescan(), "a rescan");
}

asio::awaitable<void> watcher::inotify_loop() {
  while (!stopping_) {
    boost::system::error_code ec;
    auto events = co_await inotify_.next(ec);
    if (ec) co_return;
    for (const auto& ev : events) on_event(ev);
  }
}

void watcher::on_event(const fs_event& ev) {
  if (ev.overflow()) {
    // Some events were lost: compare every project with the disk.
    for (auto& [dir, st] : projects_) st.parsed_fingerprint.clear();
    schedule_rescan();
    return;
  }
  if (ev.removes_watched_dir()) {
    if (projects_.count(ev.path) || std::count(options_.roots.begin(), options_.roots.end(), ev.path))
      schedule_rescan();
    return;
  }
  auto* st = project_for(ev.path);
  const fs::path base = st ? st->info.dir : ev.path.parent_path();
  if (has_ignored_component(ev.path, base)) return;
  if (ev.is_dir() && (ev.mask & (IN_CREATE | IN_MOVED_TO))) watch_tree(ev.path);
  if (ev.is_dir() && (ev.mask & (IN_DELETE | IN_MOVED_FROM)) && projects_.count(ev.path)) {
    schedule_rescan();
    return;
  }
  if (!st || (ev.is_dir() && projects_.count(ev.path) && ev.path == st->info.dir && st->info.dir != st->info.root)) {
    // Something changed beside the projects (a new folder, a dag.py appearing
    // in a folder that was not a project yet): look at the set again.
    schedule_rescan();
    if (!st) return;
  }
  if (ev.mask & IN_ATTRIB) return;  // touch: the tick's fingerprint decides
  note_change(*st, ev.completes_write() ? options_.settle : options_.quiet, true);
}

void watcher::note_change(project_state& st, std::chrono::milliseconds delay, bool announce) {
  st.due = std::chrono::steady_clock::now() + delay;
  st.announced = st.announced || announce;
  if (st.parsing) st.dirty = true;
  if (!st.debouncing) {
    st.debouncing = true;
    spawn(debounce(st.info.dir), "debouncing");
  }
}

asio::awaitable<void> watcher::debounce(fs::path dir) {
  asio::steady_timer timer(strand_);
  for (;;) {
    auto it = projects_.find(dir);
    if (it == projects_.end() || stopping_) co_return;
    if (std::chrono::steady_clock::now() >= it->second.due) break;
    timer.expires_at(it->second.due);
    co_await timer.async_wait(tuple_awaitable);
  }
  auto it = projects_.find(dir);
  if (it == projects_.end()) co_return;
  it->second.debouncing = false;
  enqueue(dir);
}

void watcher::enqueue(const fs::path& dir) {
  auto it = projects_.find(dir);
  if (it == projects_.end() || stopping_) return;
  auto& st = it->second;
  if (st.parsing) {
    st.dirty = true;
    return;
  }
  if (st.queued) return;
  st.queued = true;
  queue_.push_back(dir);
  pump();
}

void watcher::pump() {
  while (running_ < options_.max_parallel && !queue_.empty() && !stopping_) {
    auto dir = queue_.front();
    queue_.erase(queue_.begin());
    auto it = projects_.find(dir);
    if (it == projects_.end()) continue;
    it->second.queued = false;
    it->second.parsing = true;
    it->second.dirty = false;
    ++running_;
    spawn(parse(dir), "a parse");
  }
  // Virtualenvs only when no parse waits: registering comes first.
  while (running_ < options_.max_parallel && queue_.empty() && !environment_queue_.empty() && !stopping_) {
    auto dir = environment_queue_.front();
    environment_queue_.erase(environment_queue_.begin());
    ++running_;
    ++preparing_;
    spawn(prepare_later(dir), "preparing a virtualenv");
  }
  if (running_ == preparing_ && queue_.empty()) idle_timer_.cancel();
}

asio::awaitable<void> watcher::prepare_later(fs::path dir) {
  std::exception_ptr failure;
  try {
    auto it = projects_.find(dir);
    if (it != projects_.end()) {
      it->second.environment_queued = false;
      const project info = it->second.info;
      auto preparing = options_.prepare_environment(info);
      auto env = co_await std::move(preparing);
      if (env.install_error)
        co_await record_error(info, info.dag_file, "installing the project's dependencies failed", *env.install_error);
    }
  } catch (...) {
    failure = std::current_exception();
  }
  --running_;
  --preparing_;
  pump();
  if (failure) std::rethrow_exception(failure);
}

asio::awaitable<void> watcher::report_progress(std::size_t total) {
  // Quiet when the first round is quick; then one line a second.
  const auto begun = std::chrono::steady_clock::now();
  bool reported = false;
  for (;;) {
    progress_timer_.expires_after(1s);
    auto [ec] = co_await progress_timer_.async_wait(tuple_awaitable);
    if (ec || stopping_) co_return;
    const bool done = running_ == preparing_ && queue_.empty();
    const auto finished = std::min(parsed_, total);
    if (done) {
      if (reported)
        console_.info(fmt::format("registered {} DAG{} in {:.1f} s", with_thousands(total), total == 1 ? "" : "s",
                                  std::chrono::duration<double>(std::chrono::steady_clock::now() - begun).count()));
      co_return;
    }
    console_.info(fmt::format("registering {} DAG{} … {}/{}", with_thousands(total), total == 1 ? "" : "s",
                              with_thousands(finished), with_thousands(total)));
    reported = true;
  }
}

asio::awaitable<void> watcher::parse(fs::path dir) {
  std::exception_ptr failure;
  try {
    co_await parse_project(dir);
  } catch (...) {
    failure = std::current_exception();
  }
  // Done with this project: a change that arrived meanwhile parses again.
  --running_;
  ++parsed_;
  if (auto it = projects_.find(dir); it != projects_.end()) {
    it->second.parsing = false;
    if (it->second.dirty && !stopping_) {
      it->second.dirty = false;
      enqueue(dir);
    }
  }
  pump();
  if (failure) std::rethrow_exception(failure);
}

asio::awaitable<void> watcher::parse_project(fs::path dir) {
  auto it = projects_.find(dir);
  if (it == projects_.end()) co_return;
  if (it->second.announced) {
    console_.info("change detected → reloading …");
    it->second.announced = false;
  }
  const auto root = it->second.info.root;
  auto read_disk = [root, dir] {
    prepared p{read_project(root, dir), fingerprint(dir), std::nullopt};
    p.source = read_text(p.info.dag_file);
    return p;
  };
  auto prep = co_await offload(disk_pool_, std::move(read_disk));
  it = projects_.find(dir);
  if (it == projects_.end()) co_return;
  it->second.info = prep.info;
  const project info = prep.info;

  if (info.config_error) {
    co_await record_error(info, info.config_file,
                          fmt::format("reading {}", info.config_file.filename().string()),
                          *info.config_error);
  } else if (!prep.source) {
    co_await record_error(info, info.dag_file,
                          fmt::format("no DAG file: {} not found in {}",
                                      info.dag_file.filename().string(), info.dir.string()),
                          fmt::format("FileNotFoundError: {} does not exist", info.dag_file.string()));
  } else {
    parse_environment env{options_.parser.python, std::nullopt, {}};
    // Nothing to install: the shared interpreter (one warm fork server for
    // every such project) parses now, the virtualenv comes after.
    const bool later = options_.prepare_environment && info.dependencies.empty();
    if (options_.prepare_environment && !later) env = co_await options_.prepare_environment(info);
    auto outcome = co_await run_parser(options_.parser, info.dag_file, info.dir, env.python, env.pycache, later);
    it = projects_.find(dir);
    if (it == projects_.end()) co_return;
    if (it->second.dirty) co_return;  // a newer save is waiting: it wins
    it->second.parsed_fingerprint = prep.fingerprint;
    if (!outcome.ok) {
      co_await record_error(info, info.dag_file, outcome.headline, outcome.detail);
      co_return;
    }
    auto read = read_parser_output(outcome.output, *prep.source);
    if (auto* problem = std::get_if<std::string>(&read)) {
      co_await record_error(info, info.dag_file,
                            fmt::format("reading the parser's output for {}", info.dag_file.string()),
                            *problem);
      co_return;
    }
    auto& parsed = std::get<parsed_file>(read);
    if (parsed.dags.empty()) {
      // A file caught half-written, or emptied by an editor, defines nothing
      // for a moment: that must not delete the history of what it defined.
      // Its DAGs keep serving; removing them is deleting the folder, or
      // `leoflow lite forget`.
      auto defined = [fileloc = info.dag_file.string()](soci::session& s) { return schema::dag_ids_in_file(s, fileloc); };
      auto ids = co_await db_.read(std::move(defined));
      if (!ids.empty()) {
        std::string names;
        for (const auto& id : ids) names += (names.empty() ? "" : ", ") + id;
        co_await record_error(info, info.dag_file, fmt::format("{} defines no DAG", info.dag_file.filename().string()),
                              fmt::format("ValueError: {} defines no DAG any more (it defined {}). To remove {}, "
                                          "delete its project folder or run `leoflow lite forget {}`.",
                                          info.dag_file.string(), names, ids.size() == 1 ? "it" : "them", names));
        co_return;
      }
    }
    if (options_.prepare_image && !parsed.dags.empty()) {
      auto preparing = options_.prepare_image(info);
      auto problem = co_await std::move(preparing);
      it = projects_.find(dir);
      if (it == projects_.end()) co_return;
      if (problem) {
        co_await record_error(info, info.dag_file, "building the DAG's image failed", *problem);
        co_return;
      }
    }
    boost::json::array deps;
    for (const auto& d : info.dependencies) deps.push_back(boost::json::value(d));
    for (auto& d : parsed.dags) {
      d.dependencies = boost::json::serialize(deps);
      d.venv_name = info.venv_name;
    }
    schema::file_origin origin{info.dag_file.string(),
                              info.dag_file.lexically_relative(info.root).string(),
                              info.bundle_name, info.dir.string()};
    const double seconds = outcome.seconds;
    const bool paused = options_.paused_at_creation;
    auto registration = [origin, dags = parsed.dags, seconds, paused](soci::session& s) {
      return schema::register_file(s, origin, dags, seconds, paused);
    };
    auto result = co_await db_.write(std::move(registration));
    if (result.conflict) {
      co_await record_error(info, info.dag_file, "duplicate dag_id", *result.conflict);
      co_return;
    }
    if (auto st = projects_.find(dir); later && st != projects_.end() && !st->second.environment_queued) {
      st->second.environment_queued = true;
      environment_queue_.push_back(dir);
    }
    if (env.install_error) {
      // The parse worked, the dependencies did not: the DAG shows it.
      co_await record_error(info, info.dag_file, "installing the project's dependencies failed", *env.install_error);
    } else if (listener_.import_status) {
      listener_.import_status(origin.fileloc, {});
    }
    for (std::size_t i = 0; i < result.dags.size(); ++i) {
      const auto& r = result.dags[i];
      const int tasks = parsed.task_counts[i];
      switch (r.outcome) {
        case schema::registration_outcome::created:
        case schema::registration_outcome::new_version:
          console_.success(fmt::format("{}: registered version {} ({} task{}, {:.2f} s)", r.dag_id,
                                       r.version_number, tasks, tasks == 1 ? "" : "s", seconds));
          if (listener_.dag_registered) listener_.dag_registered(r.dag_id, r.version_number, origin.fileloc);
          break;
        case schema::registration_outcome::unchanged:
          console_.info(fmt::format("· {}: unchanged (version {}, {} task{})", r.dag_id,
                                    r.version_number, tasks, tasks == 1 ? "" : "s"));
          break;
      }
      for (const auto& w : parsed.dags[i].warnings)
        console_.warning(fmt::format("{}: {}", r.dag_id, w.message));
    }
    if (parsed.dags.empty())
      console_.warning(fmt::format("{}: defines no DAG", info.dag_file.string()));
    for (const auto& id : result.removed) {
      console_.failure(fmt::format("removed dag \"{}\" from registry (no longer defined in {})", id,
                                   info.dag_file.filename().string()));
      const auto logs = options_.logs_dir / safe_path_segment(id);
      auto remove_logs = [logs] {
        std::error_code ec;
        fs::remove_all(logs, ec);
      };
      co_await offload(disk_pool_, std::move(remove_logs));
      if (listener_.dag_removed) listener_.dag_removed(id);
    }
  }
}

asio::awaitable<void> watcher::record_error(const project& p, const fs::path& file,
                                            std::string headline, std::string detail) {
  // A traceback can quote a secret (a connection URI in the environment, a
  // password in an exception's message): it is shown to every viewer.
  if (options_.secrets) {
    const auto masker = options_.secrets->current();
    headline = masker->mask(headline);
    detail = masker->mask(detail);
  }
  const std::string fileloc = file.string();
  const std::string bundle = p.bundle_name;
  const std::string trace = detail;
  const std::string dir = p.dir.string();
  auto record = [fileloc, bundle, trace, dir](soci::session& s) {
    schema::record_import_error(s, fileloc, bundle, trace);
    std::vector<std::string> ids;
    for (const auto& d : schema::list_dag_projects(s))
      if (d.project_dir && *d.project_dir == dir) ids.push_back(d.dag_id);
    return ids;
  };
  auto serving = co_await db_.write(std::move(record));
  std::string note;
  for (const auto& id : serving) note += fmt::format("\n({} keeps serving its last good version)", id);
  console_.failure(headline, detail + note);
  if (listener_.import_status) listener_.import_status(fileloc, detail);
}

asio::awaitable<void> watcher::rescan() {
  // Let a burst of folder events settle before looking.
  asio::steady_timer settle(strand_, options_.settle);
  co_await settle.async_wait(tuple_awaitable);
  rescan_pending_ = false;
  if (stopping_) co_return;
  const auto roots = options_.roots;
  auto scan = [roots] { return discover_projects(roots); };
  auto found = co_await offload(disk_pool_, std::move(scan));
  std::set<fs::path> present;
  for (const auto& p : found) {
    present.insert(p.dir);
    if (!projects_.count(p.dir)) {
      add_project(p);
      note_change(projects_.at(p.dir), options_.settle, true);
    }
  }
  std::vector<fs::path> gone;
  for (const auto& [dir, st] : projects_)
    if (!present.count(dir)) gone.push_back(dir);
  for (const auto& dir : gone) {
    inotify_.forget(dir);
    projects_.erase(dir);
    queue_.erase(std::remove(queue_.begin(), queue_.end(), dir), queue_.end());
    co_await remove_project(dir, "folder gone");
  }
  for (const auto& root : options_.roots) watch_tree(root);
}

asio::awaitable<void> watcher::remove_project(fs::path dir, std::string reason) {
  const std::string d = dir.string();
  auto remove = [d](soci::session& s) { return schema::delete_project(s, d); };
  auto removed = co_await db_.write(std::move(remove));
  for (const auto& id : removed) {
    console_.failure(fmt::format("removed dag \"{}\" from registry ({})", id, reason));
    const auto logs = options_.logs_dir / safe_path_segment(id);
    auto remove_logs = [logs] {
      std::error_code ec;
      fs::remove_all(logs, ec);
    };
    co_await offload(disk_pool_, std::move(remove_logs));
    if (listener_.dag_removed) listener_.dag_removed(id);
  }
}

asio::awaitable<void> watcher::tick_loop() {
  while (!stopping_) {
    tick_timer_.expires_after(options_.tick);
    auto [ec] = co_await tick_timer_.async_wait(tuple_awaitable);
    if (ec || stopping_) co_return;
    // The set-diff: projects that appeared or vanished.
    const auto roots = options_.roots;
    auto scan = [roots] { return discover_projects(roots); };
    auto found = co_await offload(disk_pool_, std::move(scan));
    std::set<fs::path> present;
    bool differs = false;
    for (const auto& p : found) {
      present.insert(p.dir);
      differs = differs || !projects_.count(p.dir);
    }
    for (const auto& [dir, st] : projects_) differs = differs || !present.count(dir);
    if (differs) schedule_rescan();
    // Changes inotify did not report (network file systems, lost events).
    std::vector<fs::path> idle;
    for (const auto& [dir, st] : projects_)
      if (!st.parsing && !st.queued && !st.debouncing) idle.push_back(dir);
    auto take_prints = [idle] {
      std::vector<std::pair<fs::path, std::string>> out;
      for (const auto& d : idle) out.emplace_back(d, fingerprint(d));
      return out;
    };
    auto prints = co_await offload(disk_pool_, std::move(take_prints));
    for (const auto& [dir, print] : prints) {
      auto it = projects_.find(dir);
      if (it == projects_.end() || it->second.parsing || it->second.queued) continue;
      if (print != it->second.parsed_fingerprint) note_change(it->second, 0ms, true);
    }
  }
}

}  // namespace leoflow::watcher
