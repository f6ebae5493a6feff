// `leoflow setup`: writes $LEOFLOW_HOME/config.yaml (mode 0600) with the
// workspace, a user and its argon2id password hash, and the token-signing
// secret. Interactive on a terminal; scriptable with --admin-user NAME and
// --password-stdin or --generate-password. Re-running keeps what is there.
#include <cstdio>
#include <iostream>

#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/paths.hpp"
#include "server/auth/auth_config.hpp"
#include "server/auth/password.hpp"
#include "server/cli/args.hpp"
#include "server/cli/commands.hpp"

namespace leoflow::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* setup_help = R"(Usage: leoflow setup [--admin-user NAME | --viewer-user NAME]
                     [--password-stdin | --generate-password]
                     [--workspace DIR] [--rotate-secret]

Creates or updates $LEOFLOW_HOME/config.yaml (default ~/.leoflow, mode 0600):
a user with its password hash (argon2id), the secret that signs login tokens,
and the workspace `leoflow lite` serves when given no folder. Once an admin
exists, Lite asks for a login on the API, the UI and /ide, and may listen
beyond 127.0.0.1 (--host 0.0.0.0).

On a terminal, with no options, it asks. Re-running keeps existing users,
passwords and the secret unless an option says otherwise.

Options:
  --admin-user NAME     create or update the admin NAME
  --viewer-user NAME    create or update NAME with read-only access
  --password-stdin      read the password from the first line of stdin
  --generate-password   generate a strong password and print it once
  --workspace DIR       the folder of DAG projects (created if missing)
  --rotate-secret       a new token-signing secret: every token stops working

A running server picks up the change at once. To replace a forgotten
password: leoflow lite reset-password.
)";

bool stdin_is_terminal() { return ::isatty(STDIN_FILENO) == 1; }

// One line from the terminal; `hidden` turns echo off (passwords) before the
// question shows, so nothing typed after it is echoed, and without flushing:
// what was typed ahead stays the answer.
std::optional<std::string> prompt(const std::string& question, bool hidden) {
  termios saved{};
  const bool quiet = hidden && ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (quiet) {
    termios silent = saved;
    silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &silent);
  }
  std::fputs(question.c_str(), stderr);
  std::fflush(stderr);
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (quiet) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fputs("\n", stderr);
  }
  if (!got) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

bool valid_username(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '@'))
      return false;
  return true;
}

std::optional<std::string> password_problem(const std::string& password) {
  if (password.size() < auth::min_password_length)
    return fmt::format("the password is shorter than {} characters", auth::min_password_length);
  if (password.size() > 1024) return "the password is longer than 1024 characters";
  return std::nullopt;
}

}  // namespace

int setup_command(const std::vector<std::string>& argv, console& terminal) {
  // stdout carries only a generated password; messages go to stderr.
  console out(console::style::terminal, stderr, stderr);
  out.set_verbose(false);
  arg_spec spec;
  spec.flags = {"--password-stdin", "--generate-password", "--rotate-secret"};
  spec.options = {"--admin-user", "--viewer-user", "--workspace"};
  std::string error;
  auto args = parse_args(argv, spec, error);
  if (!args) {
    out.failure(fmt::format("leoflow setup: {}", error), "Run `leoflow setup --help` for usage.");
    return 2;
  }
  if (args->help) {
    std::fputs(setup_help, stdout);
    return 0;
  }
  if (!args->positional.empty()) {
    out.failure(fmt::format("leoflow setup: unexpected argument '{}'", args->positional[0]),
                "Run `leoflow setup --help` for usage.");
    return 2;
  }
  if (args->value("--admin-user") && args->value("--viewer-user")) {
    out.failure("leoflow setup: give --admin-user or --viewer-user, not both", "Run it once per user.");
    return 2;
  }
  if (args->has("--password-stdin") && args->has("--generate-password")) {
    out.failure("leoflow setup: give --password-stdin or --generate-password, not both");
    return 2;
  }

  const auto layout = home_layout::under(leoflow_home());
  auto read = auth::read_auth_config(layout.config_file);
  if (auto* problem = std::get_if<auth::config_problem>(&read)) {
    out.failure("leoflow setup: the existing config cannot be read", problem->message + "\nFix or remove it, then run setup again.");
    return 1;
  }
  auto existing = std::get<std::optional<auth::auth_config>>(std::move(read));
  auth::auth_config config = existing.value_or(auth::auth_config{});
  const bool interactive = !args->value("--admin-user") && !args->value("--viewer-user") &&
                           !args->has("--password-stdin") && !args->has("--generate-password") &&
                           !args->value("--workspace") && !args->has("--rotate-secret");

  std::optional<std::string> username;
  auth::role role = auth::role::admin;
  if (auto a = args->value("--admin-user")) username = *a;
  if (auto v = args->value("--viewer-user")) {
    username = *v;
    role = auth::role::viewer;
  }
  std::optional<std::string> workspace = args->value("--workspace");
  std::optional<std::string> password;
  bool generated = false;

  if (interactive) {
    if (!stdin_is_terminal()) {
      out.failure("leoflow setup: stdin is not a terminal, so there is nobody to ask",
                  "Run it non-interactively: leoflow setup --admin-user NAME --password-stdin "
                  "(or --generate-password) [--workspace DIR]");
      return 2;
    }
    std::fputs(fmt::format("Setting up {}\n", layout.config_file.string()).c_str(), stderr);
    const std::string current_ws = config.workspace.value_or(fs::current_path().string());
    auto ws = prompt(fmt::format("Workspace (folder of DAG projects) [{}]: ", current_ws), false);
    if (!ws) return 1;
    workspace = ws->empty() ? current_ws : *ws;
    const std::string default_user = config.sole_admin().value_or("admin");
    auto name = prompt(fmt::format("Admin user [{}]: ", default_user), false);
    if (!name) return 1;
    username = name->empty() ? default_user : *name;
    const bool exists = config.users.count(*username) > 0;
    for (;;) {
      auto first = prompt(exists ? "New password (empty keeps the current one, '-' generates one): "
                                 : "Password (empty generates one): ",
                          true);
      if (!first) return 1;
      if (first->empty() && exists) break;
      if (first->empty() || *first == "-") {
        password = auth::generate_password();
        generated = true;
        break;
      }
      if (auto p = password_problem(*first)) {
        out.warning(*p + "; try again");
        continue;
      }
      auto again = prompt("Repeat the password: ", true);
      if (!again) return 1;
      if (*again != *first) {
        out.warning("the passwords differ; try again");
        continue;
      }
      password = *first;
      break;
    }
  } else {
    if (args->has("--password-stdin")) {
      std::string line;
      if (!std::getline(std::cin, line)) line.clear();
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) {
        out.failure("leoflow setup: --password-stdin read no password", "Pipe it in: printf '%s\\n' \"$PASSWORD\" | leoflow setup ...");
        return 2;
      }
      password = line;
    } else if (args->has("--generate-password")) {
      password = auth::generate_password();
      generated = true;
    }
    if (password && !username) {
      out.failure("leoflow setup: a password needs a user", "Add --admin-user NAME (or --viewer-user NAME).");
      return 2;
    }
    if (username && !password && !config.users.count(*username)) {
      out.failure(fmt::format("leoflow setup: user '{}' is new and needs a password", *username),
                  "Add --password-stdin or --generate-password.");
      return 2;
    }
  }

  if (username && !valid_username(*username)) {
    out.failure(fmt::format("leoflow setup: '{}' is not a usable user name", *username),
                "Use 1-64 letters, digits, '_', '-', '.' or '@'.");
    return 2;
  }
  if (password && !generated) {
    if (auto p = password_problem(*password)) {
      out.failure(fmt::format("leoflow setup: {}", *p), "Choose a longer one, or use --generate-password.");
      return 2;
    }
  }
  if (workspace) {
    std::error_code ec;
    fs::create_directories(*workspace, ec);
    if (ec || !fs::is_directory(*workspace, ec)) {
      out.failure(fmt::format("leoflow setup: cannot use {} as the workspace", *workspace),
                  ec ? ec.message() : "it is not a folder");
      return 1;
    }
    config.workspace = fs::canonical(*workspace).string();
  }
  const bool rotate = args->has("--rotate-secret") || config.secret_key.empty();
  if (rotate) config.secret_key = auth::new_secret_key();
  if (username) {
    auto [it, created] = config.users.try_emplace(*username);
    auto& user = it->second;
    if (!created && user.user_role != role)
      out.info(fmt::format("user '{}' is now {}", *username, auth::role_name(role)));
    user.user_role = role;
    if (password) {
      std::string hash;
      try {
        hash = auth::hash_password(*password);
      } catch (const std::exception& e) {
        out.failure("leoflow setup: cannot hash the password", e.what());
        return 1;
      }
      if (!created) ++user.generation;  // tokens issued with the old password stop working
      user.password_hash = std::move(hash);
    }
  }
  try {
    auth::write_auth_config(layout.config_file, config);
  } catch (const std::exception& e) {
    out.failure(fmt::format("leoflow setup: cannot write {}", layout.config_file.string()), e.what());
    return 1;
  }

  out.success(fmt::format("wrote {} (mode 0600)", layout.config_file.string()));
  if (username)
    out.info(fmt::format("{} '{}'{}", auth::role_name(role), *username,
                         password ? (generated ? ": password generated" : ": password set") : ": password unchanged"));
  if (config.workspace) out.info(fmt::format("workspace: {}", *config.workspace));
  if (rotate && existing && !existing->secret_key.empty())
    out.info("new token-signing secret: every earlier token stopped working");
  if (!config.has_admin())
    out.warning("no admin yet: Lite stays no-auth and on 127.0.0.1 until one exists "
                "(leoflow setup --admin-user NAME ...)");
  if (generated) {
    // The only time this password is shown.
    out.info(fmt::format("generated password for '{}' (shown once):", *username));
    std::fputs((*password + "\n").c_str(), stdout);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace leoflow::cli
