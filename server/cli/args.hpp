// A small command-line parser: positional arguments, --flag, --option VALUE
// and --option=VALUE, with one clear error for anything unknown.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace leoflow::cli {

struct arg_spec {
  std::set<std::string> flags;    // e.g. "--verbose"
  std::set<std::string> options;  // take a value, e.g. "--port"
  std::set<std::string> repeatable;  // options that may be given several times
};

struct parsed_args {
  std::vector<std::string> positional;
  std::set<std::string> flags;
  std::map<std::string, std::vector<std::string>> options;
  bool help = false;

  bool has(const std::string& flag) const { return flags.count(flag) > 0; }
  std::optional<std::string> value(const std::string& option) const;
  std::vector<std::string> values(const std::string& option) const;
};

// Returns nullopt and sets `error` for an unknown option or a missing value.
std::optional<parsed_args> parse_args(const std::vector<std::string>& argv, const arg_spec& spec,
                                      std::string& error);

}  // namespace leoflow::cli
