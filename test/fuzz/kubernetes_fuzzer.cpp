// Fuzzes what the Kubernetes executor reads from outside: try tokens and
// result documents from pods (through the execution API), pods from the API
// server, and executor_config from DAG files. The first byte picks the
// reader; a token made without the key must never verify, and every pod
// built must keep Lite's fixed parts.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>

#include "executors/executor.hpp"
#include "executors/kubernetes/pod_spec.hpp"
#include "executors/kubernetes/pod_status.hpp"
#include "executors/try_tokens.hpp"

namespace {

const auto tokens = leoflow::executors::try_tokens::from_key(std::string(32, 'k'));

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0:
      if (tokens.verify(rest)) __builtin_trap();  // forged without the key
      break;
    case 1: {
      leoflow::executors::task_result r;
      leoflow::executors::read_task_result(rest, r);
      if (r.state != "success" && r.state != "skipped" && r.state != "failed") __builtin_trap();
      break;
    }
    case 2: {
      boost::system::error_code ec;
      auto v = boost::json::parse(rest, ec);
      if (!ec && v.is_object()) (void)leoflow::kubernetes::view_pod(v.as_object());
      break;
    }
    case 3: {
      leoflow::kubernetes::pod_request r;
      r.dag_id = "d";
      r.task_id = "t";
      r.unique = "00000000";
      r.secret_name = "s";
      r.staging_claim = "c";
      r.executor_config_json = rest;
      auto built = leoflow::kubernetes::build_pod(r, {});
      if (const auto* pod = std::get_if<boost::json::object>(&built)) {
        const auto& spec = pod->at("spec").as_object();
        if (spec.at("restartPolicy").as_string() != "Never") __builtin_trap();
        const auto& task = spec.at("containers").at(0).as_object();
        if (task.at("name").as_string() != "task" || task.at("args").at(0).as_string() != "--execution-api")
          __builtin_trap();
      }
      break;
    }
  }
  return 0;
}
