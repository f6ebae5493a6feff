// The fork server's process, its control channel and its forked jobs.
#include "executors/fork_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/console.hpp"
#include "common/json.hpp"
#include "common/paths.hpp"

namespace leoflow::executors {

namespace asio = boost::asio;
namespace bj = boost::json;
using namespace std::chrono_literals;

namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// Request ids name the FIFOs, and every server (one per interpreter) makes
// them in the same folder: the ids are unique across servers.
std::atomic<std::uint64_t> next_request_id{1};

// The channel's loops report nothing through exceptions; should one escape,
// it is shown rather than lost.
auto report_to(console& out) {
  return [&out](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      out.failure("the fork server's channel failed", ex.what());
    }
  };
}
}

// What the control channel tells about one request.
struct fork_server::pending {
  explicit pending(asio::any_io_executor ex) : signal(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer signal;  // cancelled whenever something below changes
  std::optional<long long> pid;
  std::optional<std::string> error;
  std::optional<exit_status> exit;
  bool server_gone = false;
};

struct fork_server::job::state {
  std::shared_ptr<pending> reply;
  std::string id;
  fs::path out_path, err_path;
  int out_writer = -1, err_writer = -1;  // keep the FIFOs open until the child ends

  void close_writers() {
    for (int* fd : {&out_writer, &err_writer})
      if (*fd >= 0) {
        ::close(*fd);
        *fd = -1;
      }
  }
  ~state() {
    close_writers();
    std::error_code ec;
    fs::remove(out_path, ec);
    fs::remove(err_path, ec);
  }
};

fork_server::job::job(asio::any_io_executor ex, std::shared_ptr<state> st)
    : state_(std::move(st)), out_(ex), err_(ex) {}

fork_server::job::~job() = default;

void fork_server::job::signal_group(int sig) const {
  if (pid_ > 0) ::kill(-static_cast<pid_t>(pid_), sig);
}

asio::awaitable<exit_status> fork_server::job::wait() {
  auto& reply = *state_->reply;
  while (!reply.exit && !reply.server_gone)
    co_await reply.signal.async_wait(tuple_awaitable);
  state_->close_writers();
  co_return reply.exit.value_or(exit_status{});
}

fork_server::fork_server(asio::any_io_executor strand, options o, console& out)
    : strand_(std::move(strand)), options_(std::move(o)), console_(out),
      ready_signal_(strand_, asio::steady_timer::time_point::max()) {
  std::error_code ec;
  create_private_directories(options_.fifo_dir, ec);
}

fork_server::~fork_server() { stop(); }

void fork_server::stop() {
  stopped_ = true;
  // EOF on its stdin ends the server; forked children live on until they end.
  if (process_) {
    boost::system::error_code ignored;
    process_->stdin_pipe().close(ignored);
  }
}

void fork_server::server_gone(const std::string& why) {
  if (process_) process_.reset();
  ready_ = false;
  ready_signal_.cancel();
  for (auto& [id, p] : pending_) {
    p->server_gone = true;
    p->signal.cancel();
  }
  pending_.clear();
  // Starting again at once would fail the same way: try again later.
  retry_after_ = std::chrono::steady_clock::now() + 30s;
  if (!stopped_ && !why.empty()) console_.warning(fmt::format("the Python fork server stopped: {}", why));
}

asio::awaitable<bool> fork_server::ensure_started() {
  if (stopped_) co_return false;
  if (ready_) co_return true;
  if (!starting_) {
    if (retry_after_ && std::chrono::steady_clock::now() < *retry_after_) co_return false;
    starting_ = true;
    spawn_options o;
    o.executable = options_.python;
    o.args = {"-m", "leoflow_forkserver"};
    o.env = options_.environment;
    o.working_dir = options_.working_dir;
    o.pipe_stdin = true;
    try {
      process_ = std::make_shared<child_process>(child_process::spawn(strand_, o));
    } catch (const std::system_error& e) {
      starting_ = false;
      server_gone(e.what());
      co_return false;
    }
    auto replies = read_replies(process_);
    asio::co_spawn(strand_, std::move(replies), report_to(console_));
    auto errors = drain_stderr(process_);
    asio::co_spawn(strand_, std::move(errors), report_to(console_));
  }
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (!ready_ && process_ && std::chrono::steady_clock::now() < deadline) {
    ready_signal_.expires_at(deadline);
    co_await ready_signal_.async_wait(tuple_awaitable);
  }
  starting_ = false;
  if (!ready_ && process_) {
    process_->signal_group(SIGKILL);
    server_gone("it did not start within the time limit");
  }
  co_return ready_;
}

asio::awaitable<void> fork_server::read_replies(std::shared_ptr<child_process> process) {
  asio::streambuf buffer;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(process->stdout_pipe(), buffer, '\n', tuple_awaitable);
    if (ec) break;
    std::string line(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + static_cast<long>(n));
    buffer.consume(n);
    auto doc = json::try_parse(line);
    if (!doc || !doc->is_object()) continue;
    const auto& o = doc->as_object();
    if (json::get_bool(o, "ready").value_or(false)) {
      ready_ = true;
      ready_signal_.cancel();
      continue;
    }
    auto id = json::get_string(o, "id");
    if (!id) continue;
    auto it = pending_.find(*id);
    if (it == pending_.end()) continue;
    auto& p = *it->second;
    if (auto e = json::get_string(o, "error")) {
      p.error = *e;
    } else if (o.contains("exit_code")) {
      p.exit = exit_status{static_cast<int>(json::get_int(o, "exit_code").value_or(-1)), 0};
    } else if (o.contains("signal")) {
      p.exit = exit_status{-1, static_cast<int>(json::get_int(o, "signal").value_or(0))};
    } else if (auto pid = json::get_int(o, "pid")) {
      p.pid = *pid;
    }
    auto holder = it->second;
    if (p.error || p.exit) pending_.erase(it);
    holder->signal.cancel();
  }
  if (process == process_) {
    auto status = co_await process->wait();
    server_gone(status.describe());
  }
}

asio::awaitable<void> fork_server::drain_stderr(std::shared_ptr<child_process> process) {
  asio::streambuf buffer;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(process->stderr_pipe(), buffer, '\n', tuple_awaitable);
    if (ec) co_return;
    std::string line(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + static_cast<long>(n));
    buffer.consume(n);
    while (!line.empty() && line.back() == '\n') line.pop_back();
    console_.debug(fmt::format("fork server: {}", line));
  }
}

asio::awaitable<void> fork_server::write_requests() {
  writing_ = true;
  while (!outbox_.empty() && process_) {
    auto line = std::move(outbox_.front());
    outbox_.pop_front();
    auto process = process_;
    auto [ec, n] = co_await asio::async_write(process->stdin_pipe(), asio::buffer(line), tuple_awaitable);
    if (ec) break;
  }
  writing_ = false;
}

asio::awaitable<std::unique_ptr<fork_server::job>> fork_server::fork(bj::object request) {
  if (!co_await ensure_started()) co_return nullptr;
  const std::string id = std::to_string(next_request_id++);
  auto st = std::make_shared<job::state>();
  st->id = id;
  st->out_path = options_.fifo_dir / fmt::format("{}-{}.out", ::getpid(), id);
  st->err_path = options_.fifo_dir / fmt::format("{}-{}.err", ::getpid(), id);
  std::unique_ptr<job> j(new job(strand_, st));
  for (auto [path, pipe, writer] : {std::tuple{&st->out_path, &j->out_, &st->out_writer},
                                    std::tuple{&st->err_path, &j->err_, &st->err_writer}}) {
    std::error_code ec;
    fs::remove(*path, ec);
    if (::mkfifo(path->c_str(), 0600) != 0) co_return nullptr;
    const int reader = ::open(path->c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (reader < 0) co_return nullptr;
    pipe->assign(reader);
    // Our own writer: without one a reader sees EOF before the child opened
    // its end.
    *writer = ::open(path->c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (*writer < 0) co_return nullptr;
  }
  request["id"] = id;
  request["stdout"] = st->out_path.string();
  request["stderr"] = st->err_path.string();
  st->reply = std::make_shared<pending>(strand_);
  pending_[id] = st->reply;
  outbox_.push_back(bj::serialize(request) + "\n");
  if (!writing_) {
    auto writer = write_requests();
    asio::co_spawn(strand_, std::move(writer), report_to(console_));
  }
  auto& reply = *st->reply;
  while (!reply.pid && !reply.error && !reply.server_gone)
    co_await reply.signal.async_wait(tuple_awaitable);
  if (!reply.pid) {
    if (reply.error) console_.warning(fmt::format("the fork server refused a request: {}", *reply.error));
    pending_.erase(id);
    co_return nullptr;
  }
  j->pid_ = *reply.pid;
  co_return j;
}

namespace {

asio::awaitable<void> collect(asio::readable_pipe& pipe, std::string& into, std::size_t limit,
                              const fork_server::job& j, bool& limit_hit) {
  char buf[16384];
  for (;;) {
    auto [ec, n] = co_await pipe.async_read_some(asio::buffer(buf), tuple_awaitable);
    if (n > 0) {
      const std::size_t room = limit > into.size() ? limit - into.size() : 0;
      into.append(buf, std::min(n, room));
      if (n > room && !limit_hit) {
        limit_hit = true;
        j.signal_group(SIGKILL);
      }
    }
    if (ec) co_return;
  }
}

}  // namespace

asio::awaitable<std::optional<captured_output>> fork_server::run_captured(bj::object request,
                                                                          std::chrono::milliseconds timeout,
                                                                          std::size_t limit) {
  using namespace asio::experimental::awaitable_operators;
  const auto started = std::chrono::steady_clock::now();
  auto j = co_await fork(std::move(request));
  if (!j) co_return std::nullopt;
  captured_output result;
  bool limit_hit = false;
  asio::steady_timer deadline(strand_, timeout);
  auto io = [&]() -> asio::awaitable<void> {
    auto ended = [&]() -> asio::awaitable<void> { result.status = co_await j->wait(); };
    co_await (collect(j->out(), result.out, limit, *j, limit_hit) &&
              collect(j->err(), result.err, limit, *j, limit_hit) && ended());
    deadline.cancel();
  };
  auto watchdog = [&]() -> asio::awaitable<void> {
    auto [ec] = co_await deadline.async_wait(tuple_awaitable);
    if (!ec) {
      result.timed_out = true;
      j->signal_group(SIGKILL);
    }
  };
  auto io_op = io();
  auto watchdog_op = watchdog();
  co_await (std::move(io_op) && std::move(watchdog_op));
  j->signal_group(SIGKILL);
  result.output_limit_exceeded = limit_hit;
  result.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  co_return result;
}

}  // namespace leoflow::executors
