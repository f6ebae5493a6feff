// Command-line parsing.
#include "server/cli/args.hpp"

#include <fmt/format.h>

namespace leoflow::cli {

std::optional<std::string> parsed_args::value(const std::string& option) const {
  auto it = options.find(option);
  if (it == options.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> parsed_args::values(const std::string& option) const {
  auto it = options.find(option);
  return it == options.end() ? std::vector<std::string>{} : it->second;
}

std::optional<parsed_args> parse_args(const std::vector<std::string>& argv, const arg_spec& spec,
                                      std::string& error) {
  parsed_args out;
  bool only_positional = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positional || a.size() < 2 || a[0] != '-' || a == "-") {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      out.help = true;
      continue;
    }
    std::string name = a;
    std::optional<std::string> inline_value;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
    }
    if (spec.flags.count(name)) {
      if (inline_value) {
        error = fmt::format("{} takes no value", name);
        return std::nullopt;
      }
      out.flags.insert(name);
    } else if (spec.options.count(name)) {
      std::string value;
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < argv.size()) {
        value = argv[++i];
      } else {
        error = fmt::format("{} needs a value", name);
        return std::nullopt;
      }
      auto& values = out.options[name];
      if (!values.empty() && !spec.repeatable.count(name)) {
        error = fmt::format("{} given twice", name);
        return std::nullopt;
      }
      values.push_back(value);
    } else {
      error = fmt::format("unknown option {}", name);
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace leoflow::cli
