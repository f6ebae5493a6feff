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
int setup_command(const std::vector<std::string>& args, console& out);
int compile_command(const std::vector<std::string>& args, console& out);
int db_command(const std::vector<std::string>& args, console& out);
// The endpoint table as JSON (docs/contracts.md).
int routes_command(const std::vector<std::string>& args, console& out);

// Subcommands of `leoflow lite`.
int forget_command(const std::vector<std::string>& args, console& out);
int provision_command(const std::vector<std::string>& args, console& out);
int reset_password_command(const std::vector<std::string>& args, console& out);

// The top-level usage text.
std::string usage();

}  // namespace leoflow::cli
