// Fuzzes the DAG spec reader: the bytes stand for what the parser subprocess
// printed on stdout. Whatever it accepts must canonicalise stably.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "watcher/spec_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view output(reinterpret_cast<const char*>(data), size);
  auto result = leoflow::watcher::read_parser_output(output, "# dag.py");
  const auto* file = std::get_if<leoflow::watcher::parsed_file>(&result);
  if (!file) return 0;
  if (file->dags.size() != file->task_counts.size()) __builtin_trap();
  for (const auto& dag : file->dags) {
    if (!leoflow::watcher::valid_dag_id(dag.dag_id)) __builtin_trap();
    // The canonical spec is itself a valid document for the same hash.
    if (dag.spec_hash != leoflow::watcher::spec_hash(dag.spec, "# dag.py")) __builtin_trap();
  }
  return 0;
}
