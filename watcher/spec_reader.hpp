// Reads what the parser printed (docs/contracts.md) into registrations:
// validates the document, canonicalises each DAG spec and hashes it with the
// source, so that a save that changes nothing registers nothing.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "schema/dag_store.hpp"

namespace leoflow::watcher {

struct parsed_file {
  std::vector<schema::dag_registration> dags;
  std::vector<int> task_counts;  // parallel to dags
};

// On failure, a message saying what is wrong with the document.
std::variant<parsed_file, std::string> read_parser_output(std::string_view output,
                                                          std::string_view source);

// Airflow's rule for ids: letters, digits, '_', '-', '.', at most 250.
bool valid_dag_id(std::string_view id);

// The hash that decides whether a save is a new version.
std::string spec_hash(std::string_view canonical_spec, std::string_view source);

}  // namespace leoflow::watcher
