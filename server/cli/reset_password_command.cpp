// `leoflow lite reset-password [--user NAME]`: a new generated password,
// hashed into config.yaml with the user's token generation bumped, so a
// running server accepts it at once and refuses every older token.
#include <cstdio>

#include <fmt/format.h>

#include "common/paths.hpp"
#include "server/auth/auth_config.hpp"
#include "server/auth/password.hpp"
#include "server/cli/args.hpp"
#include "server/cli/commands.hpp"

namespace leoflow::cli {

namespace {

constexpr const char* reset_help = R"(Usage: leoflow lite reset-password [--user NAME]

Generates a new strong password for NAME (default: the admin, when there is
one), stores its argon2id hash in $LEOFLOW_HOME/config.yaml and prints the
password once. A running server accepts it at once, and every token issued
before the reset stops working (signed-in browsers must sign in again).

For a daemon, run it as the service's user with its home, e.g.
  sudo -u leoflow LEOFLOW_HOME=/var/lib/leoflow leoflow lite reset-password
)";

}  // namespace

int reset_password_command(const std::vector<std::string>& argv, console& terminal) {
  // stdout carries only the new password; messages go to stderr.
  console out(console::style::terminal, stderr, stderr);
  out.set_verbose(false);
  arg_spec spec;
  spec.options = {"--user"};
  std::string error;
  auto args = parse_args(argv, spec, error);
  if (!args) {
    out.failure(fmt::format("leoflow lite reset-password: {}", error),
                "Run `leoflow lite reset-password --help` for usage.");
    return 2;
  }
  if (args->help) {
    std::fputs(reset_help, stdout);
    return 0;
  }
  if (!args->positional.empty()) {
    out.failure(fmt::format("leoflow lite reset-password: unexpected argument '{}'", args->positional[0]),
                "Name the user with --user NAME.");
    return 2;
  }
  const auto layout = home_layout::under(leoflow_home());
  auto read = auth::read_auth_config(layout.config_file);
  if (auto* problem = std::get_if<auth::config_problem>(&read)) {
    out.failure("leoflow lite reset-password: the config cannot be read", problem->message);
    return 1;
  }
  auto config = std::get<std::optional<auth::auth_config>>(std::move(read));
  if (!config || config->users.empty()) {
    out.failure(fmt::format("leoflow lite reset-password: no login is configured in {}",
                            layout.config_file.string()),
                "Create an admin first: leoflow setup --admin-user NAME --generate-password");
    return 1;
  }
  std::string name;
  if (auto u = args->value("--user")) {
    name = *u;
  } else if (auto admin = config->sole_admin()) {
    name = *admin;
  } else {
    std::string names;
    for (const auto& [n, u] : config->users) names += (names.empty() ? "" : ", ") + n;
    out.failure("leoflow lite reset-password: which user?", fmt::format("Name one with --user: {}", names));
    return 2;
  }
  auto it = config->users.find(name);
  if (it == config->users.end()) {
    std::string names;
    for (const auto& [n, u] : config->users) names += (names.empty() ? "" : ", ") + n;
    out.failure(fmt::format("leoflow lite reset-password: no user '{}'", name), fmt::format("Users: {}", names));
    return 1;
  }
  const std::string password = auth::generate_password();
  try {
    it->second.password_hash = auth::hash_password(password);
  } catch (const std::exception& e) {
    out.failure("leoflow lite reset-password: cannot hash the password", e.what());
    return 1;
  }
  ++it->second.generation;
  try {
    auth::write_auth_config(layout.config_file, *config);
  } catch (const std::exception& e) {
    out.failure(fmt::format("leoflow lite reset-password: cannot write {}", layout.config_file.string()),
                e.what());
    return 1;
  }
  out.success(fmt::format("new password for '{}' (tokens issued before now no longer work); it is shown once:",
                          name));
  std::fputs((password + "\n").c_str(), stdout);
  std::fflush(stdout);
  return 0;
}

}  // namespace leoflow::cli
