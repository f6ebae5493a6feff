// The `leoflow` commands. Each returns the process exit code and prints one
// clear line (plus detail) on error.
#pragma once

#include <string>
#include <vector>

#include "common/console.hpp"

namespace leoflow::cli {

int lite_command(const std::vector<std::string>& args, console& out);
int init_command(const std::vector<std::string>& args, console& out);
int version_command(const std::vector<std::string>& args, console& out);

// The top-level usage text.
std::string usage();

}  // namespace leoflow::cli
