// Runs each task try as a pod through the Kubernetes API: a per-try Secret
// (the try's token, the server's AIRFLOW_CONN_*/AIRFLOW_VAR_*) owned by the
// pod, the run's /staging claim, the pod itself. The runtime in the pod
// fetches its context and pushes its result through the execution API
// (try_endpoint); one list+watch of the namespace's pods catches what it
// cannot say (failed pulls, evictions, deletions, lost nodes); the pod's log
// is followed into the try's log file. Kill deletes the pod; finished pods,
// claims of ended runs and orphans are collected. All state on one strand.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "executors/executor.hpp"
#include "executors/kubernetes/kube_client.hpp"
#include "executors/kubernetes/pod_spec.hpp"
#include "executors/try_endpoint.hpp"

namespace leoflow {
class console;
}

namespace leoflow::kubernetes {

struct image_result {
  bool ok = false;
  std::string image;
  std::string error;
};

struct kubernetes_options {
  std::string namespace_name = "default";
  std::string server_id;  // labels the objects of this server
  pod_defaults pods;
  bool staging = true;
  staging_settings staging_claim;
  std::chrono::seconds keep_failed_staging{24 * 3600};
  std::chrono::seconds delete_finished_pods_after{300};
  std::chrono::seconds heartbeat_interval{10};
  std::chrono::seconds heartbeat_timeout{120};
  std::chrono::seconds pending_timeout{600};  // Pending (unschedulable, no node) that long fails
  std::chrono::seconds kill_grace{30};         // the pod's deletion grace period
  std::chrono::seconds report_grace{10};       // a result may arrive after the pod's end is seen
  std::chrono::seconds gc_interval{60};
  std::chrono::milliseconds tick{250};
  std::string execution_api_url;  // what pods call, e.g. http://host:port/execution
  std::string project_mount = "/opt/leoflow/project";
  std::vector<std::string> environment;  // the server's; AIRFLOW_CONN_*/AIRFLOW_VAR_* go into the Secret
  // The image a try runs in (built per DAG version).
  std::function<boost::asio::awaitable<image_result>(const executors::task_request&)> image_for;
  // (dag_id, run_id) of the runs that are queued or running, for collecting
  // the claims of runs that ended while no server watched.
  std::function<boost::asio::awaitable<std::set<std::pair<std::string, std::string>>>()> active_runs;
};

class kubernetes_executor : public executors::executor, public executors::try_endpoint {
 public:
  kubernetes_executor(boost::asio::any_io_executor ex, kube_client& client, const executors::try_tokens& tokens,
                      console& out, kubernetes_options options);
  ~kubernetes_executor() override;

  // Starts the watch and the collector.
  void start();

  void launch(executors::task_request request, std::function<void(long long pid)> started,
              std::function<void(executors::task_result)> finished) override;
  void kill(std::int64_t ti_id, std::string reason) override;
  boost::asio::awaitable<void> shutdown(std::chrono::milliseconds grace) override;
  boost::asio::awaitable<std::vector<std::int64_t>> adopt(std::vector<executors::adoptable_try> tries,
                                                          std::function<void(executors::task_result)> finished) override;
  void run_ended(const std::string& dag_id, const std::string& run_id, bool succeeded) override;
  std::size_t running() const override { return running_.load(); }
  std::string name() const override { return "kubernetes"; }

  boost::asio::awaitable<std::optional<executors::live_try>> find(executors::try_identity id) override;
  boost::asio::awaitable<std::optional<std::string>> context(executors::try_identity id) override;
  boost::asio::awaitable<bool> heartbeat(executors::try_identity id) override;
  boost::asio::awaitable<executors::report_outcome> report(executors::try_identity id, std::string result_json,
                                                           std::string& error) override;

 private:
  struct pod_try;
  using try_ptr = std::shared_ptr<pod_try>;

  boost::asio::awaitable<void> run_launch(try_ptr t, executors::task_request request,
                                          std::function<void(long long)> started);
  boost::asio::awaitable<std::optional<std::string>> ensure_claim(const std::string& dag_id, const std::string& run_id);
  boost::asio::awaitable<void> watch_pods();
  boost::asio::awaitable<void> follow_log(try_ptr t);
  boost::asio::awaitable<void> tick_loop();
  boost::asio::awaitable<void> collect_garbage();
  boost::asio::awaitable<void> delete_object(std::string resource, std::string name, int grace_seconds);
  boost::asio::awaitable<void> check_gone(try_ptr t);

  void on_pod(const boost::json::object& pod, bool deleted);
  void evaluate(const try_ptr& t);
  void finalize(const try_ptr& t, executors::task_result result, const std::string& line);
  void fail(const try_ptr& t, const std::string& reason, bool no_retry = false);
  void start_kill(const try_ptr& t, std::string reason, bool timed_out);
  std::string path(std::string_view resource, std::string_view name = {}) const;
  std::string selector() const;
  template <typename Awaitable>
  void spawn(Awaitable a, const char* what);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  kube_client& client_;
  const executors::try_tokens& tokens_;
  console& console_;
  kubernetes_options options_;
  std::map<std::int64_t, try_ptr> tries_;        // by task instance id, on strand_
  std::map<std::string, try_ptr> by_pod_;        // by pod name, on strand_
  std::set<std::string> known_claims_;           // claims created or seen, on strand_
  std::map<std::string, std::chrono::steady_clock::time_point> pending_deletes_;  // pod -> when
  std::shared_ptr<stream_stop> watch_stop_;
  boost::asio::steady_timer watch_pause_;
  boost::asio::steady_timer gc_timer_;
  std::atomic<std::size_t> running_{0};
  std::atomic<int> coroutines_{0};
  bool started_ = false;
  bool adoption_done_ = false;  // from then on, a running pod no try owns is an orphan
  bool stopping_ = false;
  bool watch_warned_ = false;
};

}  // namespace leoflow::kubernetes
