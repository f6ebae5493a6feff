// What the execution API asks of the executor that runs a try: whether a try
// is live (and which task instance it is), its task context, its heartbeat
// and its result. Implemented by executors whose tries talk back over HTTP
// (the Kubernetes executor). Every call may come from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "executors/try_tokens.hpp"

namespace leoflow::executors {

struct live_try {
  std::int64_t ti_id = 0;
  int try_number = 0;
  std::string dag_id;
  std::string run_id;
  std::string task_id;
  int map_index = -1;
};

enum class report_outcome { accepted, unknown_try, already_reported, invalid };

class try_endpoint {
 public:
  virtual ~try_endpoint() = default;
  // The try, while it runs; nullopt once it ended or was never launched here.
  virtual boost::asio::awaitable<std::optional<live_try>> find(try_identity id) = 0;
  // Its task context (docs/contracts.md, with paths as the pod sees them);
  // nullopt when it cannot be given (the try ended, or the server restarted
  // before the try asked).
  virtual boost::asio::awaitable<std::optional<std::string>> context(try_identity id) = 0;
  // false when the try is no longer wanted (it should stop).
  virtual boost::asio::awaitable<bool> heartbeat(try_identity id) = 0;
  // The runtime's result document (docs/contracts.md) as JSON text; `error`
  // says what is wrong with an invalid one.
  virtual boost::asio::awaitable<report_outcome> report(try_identity id, std::string result_json, std::string& error) = 0;
};

}  // namespace leoflow::executors
