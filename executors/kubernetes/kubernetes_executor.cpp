// Pods for task tries: launch, watch, logs, kill, adoption and collection.
#include "executors/kubernetes/kubernetes_executor.hpp"

#include <fstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <fmt/format.h>

#include "common/clock.hpp"
#include "common/console.hpp"
#include "common/hash.hpp"
#include "common/json.hpp"
#include "executors/kubernetes/pod_status.hpp"
#include "executors/task_log.hpp"

namespace leoflow::kubernetes {

namespace asio = boost::asio;
namespace bj = boost::json;
namespace ex = leoflow::executors;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::string encode(std::string_view s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

std::optional<bj::object> parse_object(std::string_view text) {
  auto v = json::try_parse(text);
  if (!v || !v->is_object()) return std::nullopt;
  return std::move(v->as_object());
}

std::string label_of(const bj::object& obj, const std::string& key) {
  const auto* meta = json::get_object(obj, "metadata");
  const auto* labels = meta ? json::get_object(*meta, "labels") : nullptr;
  return labels ? json::get_string(*labels, key).value_or("") : "";
}

// A pod log line's timestamp as (seconds text, nanoseconds), for ordering
// lines of RFC 3339 stamps whose fractions have different lengths.
std::pair<std::string, long> stamp_key(std::string_view ts) {
  const auto dot = ts.find('.');
  const auto z = ts.find_first_of("Z+", 19);
  std::string whole(ts.substr(0, dot == std::string_view::npos ? std::min(z, ts.size()) : dot));
  long nanos = 0;
  if (dot != std::string_view::npos) {
    std::string frac(ts.substr(dot + 1, (z == std::string_view::npos ? ts.size() : z) - dot - 1));
    frac.resize(9, '0');
    nanos = std::strtol(frac.c_str(), nullptr, 10);
  }
  return {whole, nanos};
}

// Lines the executor wrote nothing but a try's own output as.
std::size_t output_lines_in(const fs::path& log_file) {
  std::ifstream in(log_file);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);)
    if (line.find("\"logger\":\"task.stdout\"") != std::string::npos ||
        line.find("\"logger\":\"task.stderr\"") != std::string::npos)
      ++n;
  return n;
}

bool environment_to_secret(std::string_view key) {
  return key.rfind("AIRFLOW_CONN_", 0) == 0 || key.rfind("AIRFLOW_VAR_", 0) == 0;
}

}  // namespace

struct kubernetes_executor::pod_try {
  explicit pod_try(asio::any_io_executor ex) : log_stop(std::make_shared<stream_stop>(ex)) {}
  std::int64_t ti_id = 0;
  int try_number = 1;
  std::string dag_id, run_id, task_id;
  int map_index = -1;
  std::string label;  // task_id or task_id[map_index]
  std::string pod_name;
  std::string secret_name;
  bool secret_owned = false;   // deleted with its pod
  std::optional<std::string> context;  // what the runtime fetches
  std::optional<std::chrono::milliseconds> timeout;
  std::function<void(ex::task_result)> finished;
  std::unique_ptr<ex::task_log_writer> log;
  steady::time_point created_at = steady::now();
  steady::time_point last_heartbeat = steady::now();
  bool heartbeat_expected = false;  // the runtime asked for its context (or was adopted)
  bool created = false;        // the pod exists (or existed)
  bool launching = true;       // run_launch has not returned yet
  bool ended = false;          // finished was called
  bool killed = false;
  bool timed_out = false;
  std::string kill_reason;
  steady::time_point kill_deadline{};
  std::optional<ex::task_result> reported;
  steady::time_point reported_at{};
  std::string phase = "Pending";
  std::optional<std::string> pod_failure;
  bool pod_finished = false;
  bool pod_gone = false;
  std::optional<int> exit_code;
  steady::time_point finished_seen{};
  bool log_following = false;
  bool log_done = false;       // the follower ended
  std::size_t skip_lines = 0;  // adopted: output lines the log file has already
  std::pair<std::string, long> last_stamp;
  std::shared_ptr<stream_stop> log_stop;
};

template <typename Awaitable>
void kubernetes_executor::spawn(Awaitable a, const char* what) {
  ++coroutines_;
  asio::co_spawn(strand_, std::move(a), [this, what](std::exception_ptr e) {
    --coroutines_;
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      console_.failure(fmt::format("kubernetes executor: {} failed", what), ex.what());
    }
  });
}

kubernetes_executor::kubernetes_executor(asio::any_io_executor ex, kube_client& client, const ex::try_tokens& tokens,
                                         console& out, kubernetes_options options)
    : strand_(asio::make_strand(ex)), client_(client), tokens_(tokens), console_(out), options_(std::move(options)),
      watch_stop_(std::make_shared<stream_stop>(strand_)), watch_pause_(strand_), gc_timer_(strand_) {}

kubernetes_executor::~kubernetes_executor() = default;

std::string kubernetes_executor::path(std::string_view resource, std::string_view name) const {
  auto p = fmt::format("/api/v1/namespaces/{}/{}", encode(options_.namespace_name), resource);
  if (!name.empty()) p += "/" + encode(name);
  return p;
}

std::string kubernetes_executor::selector() const {
  return encode(fmt::format("{}server={}", label_prefix, label_value(options_.server_id)));
}

void kubernetes_executor::start() {
  asio::post(strand_, [this] {
    if (started_) return;
    started_ = true;
    spawn(watch_pods(), "watching pods");
    spawn(tick_loop(), "the try clock");
    spawn(collect_garbage(), "collecting finished pods and claims");
  });
}

void kubernetes_executor::launch(ex::task_request request, std::function<void(long long)> started,
                                 std::function<void(ex::task_result)> finished) {
  ++running_;
  asio::post(strand_, [this, request = std::move(request), started = std::move(started),
                       finished = std::move(finished)]() mutable {
    auto t = std::make_shared<pod_try>(strand_);
    t->ti_id = request.ti_id;
    t->try_number = request.try_number;
    t->dag_id = request.dag_id;
    t->run_id = request.run_id;
    t->task_id = request.task_id;
    t->map_index = request.map_index;
    t->label = request.map_index >= 0 ? fmt::format("{}[{}]", request.task_id, request.map_index) : request.task_id;
    t->timeout = request.timeout;
    t->finished = std::move(finished);
    t->log = std::make_unique<ex::task_log_writer>(request.log_file, request.secrets);
    t->pod_name = pod_name(request.dag_id, request.task_id, request.try_number, random_hex(4));
    t->secret_name = t->pod_name;
    tries_[t->ti_id] = t;
    by_pod_[t->pod_name] = t;
    if (stopping_) {
      t->launching = false;
      fail(t, "the server is stopping");
      return;
    }
    spawn(run_launch(t, std::move(request), std::move(started)), "launching a pod");
  });
}

asio::awaitable<std::optional<std::string>> kubernetes_executor::ensure_claim(const std::string& dag_id,
                                                                              const std::string& run_id) {
  const auto name = staging_claim_name(dag_id, run_id);
  if (known_claims_.count(name)) co_return std::nullopt;
  const auto claim = build_staging_claim(name, options_.server_id, dag_id, run_id, options_.staging_claim);
  auto reply = co_await client_.request("POST", path("persistentvolumeclaims"), bj::serialize(claim));
  if (reply.status == 409) {
    // It exists: a retry or a cleared run of a failed run, whose claim was
    // to be deleted later. It is in use again.
    const std::string unmark = fmt::format(R"({{"metadata":{{"annotations":{{"{}delete-after":null}}}}}})", label_prefix);
    auto patched = co_await client_.request("PATCH", path("persistentvolumeclaims", name), unmark,
                                            "application/merge-patch+json");
    if (!patched.ok() && patched.status != 404)
      co_return fmt::format("the staging claim {} exists but cannot be updated: {}", name, patched.reason());
  } else if (!reply.ok()) {
    co_return fmt::format("the staging claim {} cannot be created: {}", name, reply.reason());
  }
  known_claims_.insert(name);
  co_return std::nullopt;
}

asio::awaitable<void> kubernetes_executor::run_launch(try_ptr t, ex::task_request request,
                                                      std::function<void(long long)> started) {
  struct done_launching {
    pod_try& t;
    ~done_launching() { t.launching = false; }
  } guard{*t};
  t->log->line("executor", fmt::format("Starting try {} of {} as pod {} in namespace {}", t->try_number, t->label,
                                       t->pod_name, options_.namespace_name));
  auto image_job = options_.image_for(request);
  auto image = co_await std::move(image_job);
  if (t->killed || t->ended) co_return evaluate(t);
  if (!image.ok) co_return fail(t, fmt::format("the DAG's image is not available: {}", image.error));

  std::optional<std::string> claim;
  if (options_.staging) {
    if (auto problem = co_await ensure_claim(request.dag_id, request.run_id)) co_return fail(t, *problem);
    claim = staging_claim_name(request.dag_id, request.run_id);
  }

  // The context the runtime fetches: paths as the pod sees them.
  auto context = parse_object(request.context_json).value_or(bj::object{});
  if (auto file = json::get_string(context, "dag_file")) {
    const auto relative = fs::path(*file).lexically_relative(request.project_dir);
    if (!relative.empty() && relative.native().rfind("..", 0) != 0)
      context["dag_file"] = (fs::path(options_.project_mount) / relative).string();
  }
  context["heartbeat_interval"] = static_cast<std::int64_t>(options_.heartbeat_interval.count());
  t->context = bj::serialize(context);

  const auto lifetime = (request.timeout ? std::chrono::duration_cast<std::chrono::seconds>(*request.timeout)
                                         : std::chrono::seconds(24 * 3600)) +
                        std::chrono::seconds(options_.pods.deadline_slack_seconds) + 1h;
  std::vector<std::pair<std::string, std::string>> secret_values{
      {"LEOFLOW_TRY_TOKEN", tokens_.issue({t->ti_id, t->try_number}, std::chrono::system_clock::now() + lifetime)}};
  for (const auto& e : options_.environment)
    if (auto eq = e.find('='); eq != std::string::npos && environment_to_secret(std::string_view(e).substr(0, eq)))
      secret_values.emplace_back(e.substr(0, eq), e.substr(eq + 1));

  pod_request pr;
  pr.server_id = options_.server_id;
  pr.ti_id = t->ti_id;
  pr.dag_id = request.dag_id;
  pr.task_id = request.task_id;
  pr.run_id = request.run_id;
  pr.try_number = request.try_number;
  pr.map_index = request.map_index;
  pr.unique = t->pod_name.substr(t->pod_name.size() - 8);
  pr.image = image.image;
  pr.secret_name = t->secret_name;
  pr.staging_claim = claim;
  pr.execution_api_url = options_.execution_api_url;
  if (request.timeout) pr.execution_timeout = std::chrono::duration<double>(*request.timeout).count();
  pr.executor_config_json = request.executor_config;
  auto built = build_pod(pr, options_.pods);
  if (auto* problem = std::get_if<std::string>(&built)) co_return fail(t, *problem, true);
  const auto& pod = std::get<bj::object>(built);

  const auto secret = build_secret(t->secret_name, try_labels(pr), secret_values);
  auto made_secret = co_await client_.request("POST", path("secrets"), bj::serialize(secret));
  if (!made_secret.ok()) co_return fail(t, fmt::format("the try's Secret cannot be created: {}", made_secret.reason()));
  if (t->killed || t->ended) {
    spawn(delete_object("secrets", t->secret_name, 0), "deleting a Secret");
    co_return evaluate(t);
  }
  auto made_pod = co_await client_.request("POST", path("pods"), bj::serialize(pod));
  if (!made_pod.ok()) {
    spawn(delete_object("secrets", t->secret_name, 0), "deleting a Secret");
    co_return fail(t, fmt::format("the pod cannot be created: {}", made_pod.reason()),
                   made_pod.status == 400 || made_pod.status == 422);
  }
  t->created = true;
  t->created_at = steady::now();
  std::string uid;
  if (auto obj = parse_object(made_pod.body))
    if (const auto* meta = json::get_object(*obj, "metadata")) uid = json::get_string(*meta, "uid").value_or("");
  started(0);
  // The Secret goes with its pod (Kubernetes' garbage collector).
  const bj::object owner{{"metadata", bj::object{{"ownerReferences", bj::array{bj::object{{"apiVersion", "v1"},
                                                                                           {"kind", "Pod"},
                                                                                           {"name", t->pod_name},
                                                                                           {"uid", uid}}}}}}};
  auto owned = co_await client_.request("PATCH", path("secrets", t->secret_name), bj::serialize(owner),
                                        "application/merge-patch+json");
  t->secret_owned = owned.ok();
  if (!owned.ok())
    t->log->line("executor", fmt::format("The try's Secret could not be tied to its pod ({}); it is deleted when the try "
                                         "ends",
                                         owned.reason()));
  evaluate(t);
}

void kubernetes_executor::fail(const try_ptr& t, const std::string& reason, bool no_retry) {
  ex::task_result r;
  r.ti_id = t->ti_id;
  r.try_number = t->try_number;
  r.state = "failed";
  r.no_retry = no_retry;
  r.error = reason;
  finalize(t, std::move(r), reason);
}

void kubernetes_executor::start_kill(const try_ptr& t, std::string reason, bool timed_out) {
  if (t->ended || t->killed) return;
  t->killed = true;
  t->timed_out = timed_out;
  t->kill_reason = std::move(reason);
  t->kill_deadline = steady::now() + options_.kill_grace + 15s;
  t->log->line("executor", fmt::format("Stopping the try: {}", t->kill_reason));
  if (t->created && !t->pod_gone)
    spawn(delete_object("pods", t->pod_name, static_cast<int>(options_.kill_grace.count())), "deleting a pod");
  evaluate(t);
}

void kubernetes_executor::kill(std::int64_t ti_id, std::string reason) {
  asio::post(strand_, [this, ti_id, reason = std::move(reason)]() mutable {
    auto it = tries_.find(ti_id);
    if (it != tries_.end()) start_kill(it->second, std::move(reason), false);
  });
}

// Decides whether a try is over, from everything known about it.
void kubernetes_executor::evaluate(const try_ptr& t) {
  if (t->ended || (t->launching && !t->created && !t->killed)) return;
  const auto now = steady::now();
  const bool pod_over = t->pod_gone || t->pod_finished || !t->created;
  const bool log_over = !t->log_following || t->log_done;
  if (t->killed) {
    if (t->launching && !t->created) return;  // run_launch sees it and stops
    if ((pod_over && log_over) || now > t->kill_deadline) {
      ex::task_result r;
      r.ti_id = t->ti_id;
      r.try_number = t->try_number;
      r.state = "failed";
      r.timed_out = t->timed_out;
      r.error = t->timed_out ? fmt::format("Task timed out ({})", t->kill_reason)
                             : fmt::format("Task was killed ({})", t->kill_reason);
      finalize(t, std::move(r), fmt::format("The task was killed: {}", t->kill_reason));
    }
    return;
  }
  if (t->reported) {
    if ((pod_over && log_over) || now > t->reported_at + options_.report_grace + options_.kill_grace) {
      auto r = *t->reported;
      finalize(t, std::move(r), {});
    }
    return;
  }
  if (t->pod_failure) {
    // The kubelet gave up (or will not start it): the pod goes at once.
    if (!t->pod_finished && !t->pod_gone && t->created)
      spawn(delete_object("pods", t->pod_name, 0), "deleting a pod");
    if (log_over || now > t->finished_seen + options_.report_grace) fail(t, "the pod failed: " + *t->pod_failure);
    return;
  }
  if (t->pod_gone) return fail(t, "the pod was deleted before the task finished (by someone else, or with its node)");
  if (t->pod_finished && log_over && now > t->finished_seen + options_.report_grace)
    fail(t, fmt::format("the pod ended (exit code {}) without the task reporting a result", t->exit_code.value_or(-1)));
}

void kubernetes_executor::finalize(const try_ptr& t, ex::task_result result, const std::string& line) {
  if (t->ended) return;
  t->ended = true;
  t->log_stop->stop();
  t->log->flush_partial();
  if (!line.empty()) t->log->line("executor", line);
  if (t->exit_code) t->log->line("executor", fmt::format("The pod's task container ended with exit code {}", *t->exit_code));
  t->log->line("executor", fmt::format("Task {} ended: {}", t->label, result.state));
  t->log.reset();
  if (t->created && !t->pod_gone) {
    if (t->killed || t->pod_failure)
      spawn(delete_object("pods", t->pod_name, 0), "deleting a pod");
    else
      pending_deletes_[t->pod_name] = steady::now() + options_.delete_finished_pods_after;
  }
  if (!t->created || !t->secret_owned) spawn(delete_object("secrets", t->secret_name, 0), "deleting a Secret");
  tries_.erase(t->ti_id);
  by_pod_.erase(t->pod_name);
  result.ti_id = t->ti_id;
  result.try_number = t->try_number;
  auto done = std::move(t->finished);
  --running_;
  if (done) done(std::move(result));
}

asio::awaitable<void> kubernetes_executor::delete_object(std::string resource, std::string name, int grace_seconds) {
  const std::string body = fmt::format(R"({{"apiVersion":"v1","kind":"DeleteOptions","gracePeriodSeconds":{},"propagationPolicy":"Background"}})",
                                       grace_seconds);
  auto reply = co_await client_.request("DELETE", path(resource, name), body);
  if (!reply.ok() && reply.status != 404)
    console_.warning(fmt::format("kubernetes: deleting {} {} failed: {}", resource, name, reply.reason()));
}

void kubernetes_executor::on_pod(const bj::object& pod, bool deleted) {
  const auto v = view_pod(pod);
  auto it = by_pod_.find(v.name);
  if (it == by_pod_.end()) {
    if (deleted) pending_deletes_.erase(v.name);
    return;
  }
  auto t = it->second;
  if (t->ended) return;
  t->phase = v.phase;
  if (v.exit_code) t->exit_code = v.exit_code;
  if (deleted) t->pod_gone = true;
  if (v.finished && !t->pod_finished) {
    t->pod_finished = true;
    t->finished_seen = steady::now();
  }
  if (v.failure && !t->pod_failure) {
    t->pod_failure = v.failure;
    if (!t->pod_finished) t->finished_seen = steady::now();
  }
  if ((v.container_started || v.finished) && !t->log_following && !t->pod_gone) {
    t->log_following = true;
    spawn(follow_log(t), "following a pod's log");
  }
  evaluate(t);
}

asio::awaitable<void> kubernetes_executor::follow_log(try_ptr t) {
  asio::steady_timer pause(strand_);
  auto on_line = [t](std::string_view line) {
    if (t->ended || !t->log) return;
    const auto space = line.find(' ');
    const auto stamp = stamp_key(line.substr(0, space));
    const auto text = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    if (!t->last_stamp.first.empty() && stamp <= t->last_stamp) return;  // seen before a reconnect
    t->last_stamp = stamp;
    if (t->skip_lines > 0) {
      --t->skip_lines;
      return;
    }
    t->log->line("stdout", text);
  };
  for (int attempt = 0; !t->ended && !stopping_; ++attempt) {
    std::string target = path("pods", t->pod_name) + "/log?container=task&follow=true&timestamps=true";
    if (!t->last_stamp.first.empty()) target += "&sinceTime=" + encode(t->last_stamp.first + "Z");
    auto streaming = client_.stream_lines(target, on_line, t->log_stop, std::chrono::hours(24));
    auto reply = co_await std::move(streaming);
    if (t->ended || t->log_stop->stopped()) break;
    if (reply.status == 404) break;  // the pod is gone
    if (reply.ok() && reply.error.empty()) {
      // The stream ends when the container does, or when the connection
      // drops: ask the pod which.
      auto now = co_await client_.request("GET", path("pods", t->pod_name));
      if (now.status == 404) break;
      if (auto obj = parse_object(now.body)) {
        const auto v = view_pod(*obj);
        if (v.finished || v.exit_code) break;
      }
    }
    pause.expires_after(attempt < 5 ? 200ms : 1s);
    co_await pause.async_wait(tuple_awaitable);
  }
  t->log_done = true;
  evaluate(t);
}

asio::awaitable<void> kubernetes_executor::check_gone(try_ptr t) {
  auto reply = co_await client_.request("GET", path("pods", t->pod_name));
  if (reply.status == 404 && !t->ended) {
    t->pod_gone = true;
    evaluate(t);
  } else if (auto obj = parse_object(reply.body); obj && reply.ok()) {
    on_pod(*obj, false);
  }
}

asio::awaitable<void> kubernetes_executor::watch_pods() {
  auto& pause = watch_pause_;
  int failures = 0;
  while (!stopping_) {
    auto listing = co_await client_.request("GET", path("pods") + "?labelSelector=" + selector());
    auto list = listing.ok() ? parse_object(listing.body) : std::nullopt;
    if (!list) {
      if (!watch_warned_ && ++failures >= 3) {
        watch_warned_ = true;
        console_.warning(fmt::format("kubernetes: cannot list the pods of namespace {}: {} (retrying)",
                                     options_.namespace_name, listing.reason()));
      }
      pause.expires_after(std::min<std::chrono::milliseconds>(std::chrono::milliseconds(200 * (1 << std::min(failures, 6))), 10s));
      co_await pause.async_wait(tuple_awaitable);
      continue;
    }
    if (watch_warned_) console_.info("kubernetes: the API server answers again");
    watch_warned_ = false;
    failures = 0;
    std::set<std::string> present;
    if (const auto* items = json::get_array(*list, "items"))
      for (const auto& item : *items)
        if (const auto* pod = item.if_object()) {
          present.insert(view_pod(*pod).name);
          on_pod(*pod, false);
        }
    // Tracked pods the list does not have may have gone while no watch ran.
    for (const auto& [name, t] : std::map<std::string, try_ptr>(by_pod_))
      if (t->created && !t->ended && !present.count(name)) spawn(check_gone(t), "checking a pod");
    std::string version;
    if (const auto* meta = json::get_object(*list, "metadata")) version = json::get_string(*meta, "resourceVersion").value_or("");

    bool relist = false;
    int drops = 0;
    while (!stopping_ && !relist) {
      auto on_event = [this, &version, &relist](std::string_view line) {
        auto event = parse_object(line);
        if (!event) return;
        const auto type = json::get_string(*event, "type").value_or("");
        const auto* obj = json::get_object(*event, "object");
        if (!obj) return;
        if (type == "ERROR") {
          // 410 Gone: our resourceVersion is too old; anything else, start over too.
          relist = true;
          return;
        }
        if (const auto* meta = json::get_object(*obj, "metadata"))
          if (auto rv = json::get_string(*meta, "resourceVersion")) version = *rv;
        if (type == "BOOKMARK") return;
        on_pod(*obj, type == "DELETED");
      };
      const auto target = fmt::format("{}?labelSelector={}&watch=true&allowWatchBookmarks=true&timeoutSeconds=300&"
                                      "resourceVersion={}",
                                      path("pods"), selector(), encode(version));
      auto watching = client_.stream_lines(target, on_event, watch_stop_, std::chrono::seconds(330));
      auto reply = co_await std::move(watching);
      if (stopping_) break;
      if (reply.status == 410 || (reply.status != 0 && !reply.ok())) relist = true;
      if (!reply.error.empty()) {
        // Dropped (an API server restart): watch again from where we were;
        // a refused connection waits a little longer each time.
        ++drops;
        if (drops > 3) relist = true;
        pause.expires_after(std::chrono::milliseconds(100 * std::min(drops, 20)));
        co_await pause.async_wait(tuple_awaitable);
      } else {
        drops = 0;
      }
    }
  }
}

asio::awaitable<void> kubernetes_executor::tick_loop() {
  asio::steady_timer timer(strand_);
  while (!stopping_ || !tries_.empty()) {
    timer.expires_after(options_.tick);
    co_await timer.async_wait(tuple_awaitable);
    const auto now = steady::now();
    for (const auto& [id, t] : std::map<std::int64_t, try_ptr>(tries_)) {
      if (t->ended) continue;
      if (!t->killed && !t->reported && t->created) {
        if (t->heartbeat_expected && !t->pod_finished && now - t->last_heartbeat > options_.heartbeat_timeout) {
          start_kill(t, fmt::format("the task stopped heartbeating for {} s", options_.heartbeat_timeout.count()), false);
          continue;
        }
        if (t->timeout && now - t->created_at > *t->timeout + std::chrono::seconds(options_.pods.deadline_slack_seconds) + 30s) {
          start_kill(t, fmt::format("execution_timeout of {:.1f} s exceeded",
                                    std::chrono::duration<double>(*t->timeout).count()),
                     true);
          continue;
        }
        if (t->phase == "Pending" && !t->heartbeat_expected && now - t->created_at > options_.pending_timeout) {
          start_kill(t, fmt::format("the pod stayed Pending for {} s", options_.pending_timeout.count()), false);
          continue;
        }
      }
      evaluate(t);
    }
    if (stopping_ && tries_.empty()) break;
  }
}

asio::awaitable<void> kubernetes_executor::collect_garbage() {
  while (!stopping_) {
    const auto now = steady::now();
    for (auto it = pending_deletes_.begin(); it != pending_deletes_.end();) {
      if (it->second <= now) {
        spawn(delete_object("pods", it->first, 0), "deleting a finished pod");
        it = pending_deletes_.erase(it);
      } else {
        ++it;
      }
    }
    // Finished pods no try of ours waits for (left by an earlier server).
    auto pods = co_await client_.request("GET", path("pods") + "?labelSelector=" + selector());
    if (auto list = pods.ok() ? parse_object(pods.body) : std::nullopt)
      if (const auto* items = json::get_array(*list, "items"))
        for (const auto& item : *items) {
          const auto* pod = item.if_object();
          if (!pod) continue;
          const auto v = view_pod(*pod);
          if (by_pod_.count(v.name) || pending_deletes_.count(v.name) || v.terminating) continue;
          if (v.finished) {
            pending_deletes_[v.name] = now + options_.delete_finished_pods_after;
          } else if (adoption_done_) {
            // Running, but no try of the store's runs it (its try was
            // requeued after a crash, or ended while no server listened).
            console_.warning(fmt::format("kubernetes: deleting pod {}: no running try owns it", v.name));
            spawn(delete_object("pods", v.name, static_cast<int>(options_.kill_grace.count())), "deleting an orphan pod");
          }
        }
    // Claims of runs that are over: failed runs keep theirs until the
    // delete-after mark, claims of runs that are gone (or ended while no
    // server watched) are orphans.
    if (options_.staging && options_.active_runs) {
      auto active_job = options_.active_runs();
      auto active = co_await std::move(active_job);
      auto claims = co_await client_.request("GET", path("persistentvolumeclaims") + "?labelSelector=" + selector());
      if (auto list = claims.ok() ? parse_object(claims.body) : std::nullopt)
        if (const auto* items = json::get_array(*list, "items"))
          for (const auto& item : *items) {
            const auto* claim = item.if_object();
            const auto* meta = claim ? json::get_object(*claim, "metadata") : nullptr;
            if (!meta || meta->contains("deletionTimestamp")) continue;
            const auto name = json::get_string(*meta, "name").value_or("");
            const auto* notes = json::get_object(*meta, "annotations");
            const auto dag = notes ? json::get_string(*notes, std::string(label_prefix) + "dag-id") : std::nullopt;
            const auto run = notes ? json::get_string(*notes, std::string(label_prefix) + "run-id") : std::nullopt;
            const auto after = notes ? json::get_string(*notes, std::string(label_prefix) + "delete-after") : std::nullopt;
            bool in_use = false;
            for (const auto& [id, t] : tries_) in_use = in_use || (dag == t->dag_id && run == t->run_id);
            if (in_use) continue;
            bool remove = false;
            if (after) {
              auto when = parse_time(*after);
              remove = when && *when <= leoflow::now();
            } else if (dag && run && !active.count({*dag, *run})) {
              remove = true;
            }
            if (remove) {
              known_claims_.erase(name);
              spawn(delete_object("persistentvolumeclaims", name, 0), "deleting a staging claim");
            }
          }
    }
    gc_timer_.expires_after(options_.gc_interval);
    co_await gc_timer_.async_wait(tuple_awaitable);
  }
}

void kubernetes_executor::run_ended(const std::string& dag_id, const std::string& run_id, bool succeeded) {
  if (!options_.staging) return;
  asio::post(strand_, [this, dag_id, run_id, succeeded] {
    const auto name = staging_claim_name(dag_id, run_id);
    known_claims_.erase(name);
    if (succeeded) {
      spawn(delete_object("persistentvolumeclaims", name, 0), "deleting a staging claim");
      return;
    }
    const auto until = leoflow::now() + options_.keep_failed_staging;
    const std::string mark = fmt::format(R"({{"metadata":{{"annotations":{{"{}delete-after":"{}"}}}}}})", label_prefix,
                                         format_api_time(until));
    auto job = [](kube_client& client, std::string target, std::string body) -> asio::awaitable<void> {
      auto reply = co_await client.request("PATCH", target, body, "application/merge-patch+json");
      (void)reply;  // a claim that is not there (the run never ran a pod) needs nothing
    };
    spawn(job(client_, path("persistentvolumeclaims", name), mark), "marking a staging claim");
  });
}

asio::awaitable<std::vector<std::int64_t>> kubernetes_executor::adopt(std::vector<ex::adoptable_try> tries,
                                                                      std::function<void(ex::task_result)> finished) {
  auto job = [this, tries = std::move(tries), finished]() -> asio::awaitable<std::vector<std::int64_t>> {
    std::vector<std::int64_t> taken;
    struct done_adopting {
      bool& flag;
      ~done_adopting() { flag = true; }  // after the adopted pods are tracked
    } mark{adoption_done_};
    if (tries.empty()) co_return taken;
    auto listing = co_await client_.request("GET", path("pods") + "?labelSelector=" + selector());
    auto list = listing.ok() ? parse_object(listing.body) : std::nullopt;
    if (!list) {
      console_.warning(fmt::format("kubernetes: cannot list pods to take over running tries: {}", listing.reason()));
      co_return taken;
    }
    std::map<std::pair<std::string, std::string>, bj::object> pods;
    if (const auto* items = json::get_array(*list, "items"))
      for (const auto& item : *items)
        if (const auto* pod = item.if_object())
          pods[{label_of(*pod, std::string(label_prefix) + "ti-id"), label_of(*pod, std::string(label_prefix) + "try-number")}] = *pod;
    for (const auto& a : tries) {
      auto found = pods.find({std::to_string(a.ti_id), std::to_string(a.try_number)});
      if (found == pods.end()) continue;
      const auto v = view_pod(found->second);
      if (v.finished || v.terminating) continue;  // it ended while no server listened: its result is lost
      auto t = std::make_shared<pod_try>(strand_);
      t->ti_id = a.ti_id;
      t->try_number = a.try_number;
      t->dag_id = a.dag_id;
      t->run_id = a.run_id;
      t->task_id = a.task_id;
      t->map_index = a.map_index;
      t->label = a.map_index >= 0 ? fmt::format("{}[{}]", a.task_id, a.map_index) : a.task_id;
      t->pod_name = v.name;
      t->secret_name = v.name;
      t->secret_owned = true;
      t->created = true;
      t->launching = false;
      t->heartbeat_expected = true;
      t->skip_lines = output_lines_in(a.log_file);
      t->finished = finished;
      t->log = std::make_unique<ex::task_log_writer>(a.log_file, a.secrets);
      t->log->line("executor", fmt::format("Leoflow restarted while this try ran; its pod {} is still {}: following it again",
                                           v.name, v.phase));
      ++running_;
      tries_[t->ti_id] = t;
      by_pod_[t->pod_name] = t;
      taken.push_back(t->ti_id);
      on_pod(found->second, false);
    }
    co_return taken;
  };
  co_return co_await asio::co_spawn(strand_, job(), asio::use_awaitable);
}

asio::awaitable<void> kubernetes_executor::shutdown(std::chrono::milliseconds grace) {
  auto job = [this, grace]() -> asio::awaitable<void> {
    asio::steady_timer poll(strand_);
    const auto deadline = steady::now() + grace;
    while (!tries_.empty() && steady::now() < deadline) {
      poll.expires_after(50ms);
      co_await poll.async_wait(tuple_awaitable);
    }
    for (const auto& [id, t] : std::map<std::int64_t, try_ptr>(tries_)) start_kill(t, "the server is stopping", false);
    const auto hard = steady::now() + options_.kill_grace + 5s;
    while (!tries_.empty() && steady::now() < hard) {
      poll.expires_after(50ms);
      co_await poll.async_wait(tuple_awaitable);
    }
    for (const auto& [id, t] : std::map<std::int64_t, try_ptr>(tries_)) fail(t, "the server stopped");
    stopping_ = true;
    // Everything else ends when told: the watch's stream and pauses, the
    // collector's timer; requests in flight end within their timeout.
    while (coroutines_ > 0) {
      watch_stop_->stop();
      watch_pause_.cancel();
      gc_timer_.cancel();
      poll.expires_after(20ms);
      co_await poll.async_wait(tuple_awaitable);
    }
  };
  co_await asio::co_spawn(strand_, job(), asio::use_awaitable);
}

asio::awaitable<std::optional<ex::live_try>> kubernetes_executor::find(ex::try_identity id) {
  auto job = [this, id]() -> asio::awaitable<std::optional<ex::live_try>> {
    auto it = tries_.find(id.ti_id);
    if (it == tries_.end() || it->second->try_number != id.try_number || it->second->ended) co_return std::nullopt;
    const auto& t = *it->second;
    co_return ex::live_try{t.ti_id, t.try_number, t.dag_id, t.run_id, t.task_id, t.map_index};
  };
  co_return co_await asio::co_spawn(strand_, job(), asio::use_awaitable);
}

asio::awaitable<std::optional<std::string>> kubernetes_executor::context(ex::try_identity id) {
  auto job = [this, id]() -> asio::awaitable<std::optional<std::string>> {
    auto it = tries_.find(id.ti_id);
    if (it == tries_.end() || it->second->try_number != id.try_number || it->second->ended || it->second->killed)
      co_return std::nullopt;
    auto& t = *it->second;
    t.heartbeat_expected = true;
    t.last_heartbeat = steady::now();
    co_return t.context;
  };
  co_return co_await asio::co_spawn(strand_, job(), asio::use_awaitable);
}

asio::awaitable<bool> kubernetes_executor::heartbeat(ex::try_identity id) {
  auto job = [this, id]() -> asio::awaitable<bool> {
    auto it = tries_.find(id.ti_id);
    if (it == tries_.end() || it->second->try_number != id.try_number || it->second->ended || it->second->killed)
      co_return false;
    it->second->heartbeat_expected = true;
    it->second->last_heartbeat = steady::now();
    co_return true;
  };
  co_return co_await asio::co_spawn(strand_, job(), asio::use_awaitable);
}

asio::awaitable<ex::report_outcome> kubernetes_executor::report(ex::try_identity id, std::string result_json,
                                                                std::string& error) {
  auto job = [this, id, text = std::move(result_json), &error]() -> asio::awaitable<ex::report_outcome> {
    auto it = tries_.find(id.ti_id);
    if (it == tries_.end() || it->second->try_number != id.try_number || it->second->ended || it->second->killed)
      co_return ex::report_outcome::unknown_try;
    auto t = it->second;
    if (t->reported) co_return ex::report_outcome::already_reported;
    auto doc = parse_object(text);
    if (!doc || !json::get_string(*doc, "state")) {
      error = "the body must be the runtime's result document (an object with a state)";
      co_return ex::report_outcome::invalid;
    }
    ex::task_result r;
    ex::read_task_result(text, r);
    if (r.state == "failed" && r.error.empty()) r.error = "the task failed";
    t->reported = std::move(r);
    t->reported_at = steady::now();
    evaluate(t);
    co_return ex::report_outcome::accepted;
  };
  co_return co_await asio::co_spawn(strand_, job(), asio::use_awaitable);
}

}  // namespace leoflow::kubernetes
