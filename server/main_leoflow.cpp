// `leoflow`: the command-line entry point.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/console.hpp"
#include "server/cli/commands.hpp"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  leoflow::console out;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(leoflow::cli::usage().c_str(), args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "lite") return leoflow::cli::lite_command(args, out);
    if (command == "init") return leoflow::cli::init_command(args, out);
    if (command == "setup") return leoflow::cli::setup_command(args, out);
    if (command == "compile") return leoflow::cli::compile_command(args, out);
    if (command == "db") return leoflow::cli::db_command(args, out);
    if (command == "routes") return leoflow::cli::routes_command(args, out);
    if (command == "version" || command == "--version") return leoflow::cli::version_command(args, out);
  } catch (const std::exception& e) {
    out.failure(fmt::format("leoflow {}: unexpected error", command), e.what());
    return 1;
  }
  out.failure(fmt::format("leoflow: unknown command '{}'", command), leoflow::cli::usage());
  return 2;
}
