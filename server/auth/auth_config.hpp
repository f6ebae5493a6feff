// $LEOFLOW_HOME/config.yaml: the workspace, the users with their argon2id
// password hashes, the token-signing secret and the login throttle. Written
// atomically with mode 0600; keys this code does not know are kept.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>

namespace leoflow::auth {

enum class role { admin, viewer };

std::string_view role_name(role r);
std::optional<role> parse_role(std::string_view text);

struct user_entry {
  role user_role = role::admin;
  std::string password_hash;  // crypto_pwhash_str output ($argon2id$...)
  // Bumped by every password change; tokens carry it, so a reset revokes
  // every token issued before it.
  long long generation = 1;
};

struct throttle_settings {
  int free_attempts = 5;                        // failures before delays start
  std::chrono::milliseconds base_delay{1000};   // first delay, doubled per failure
  std::chrono::milliseconds max_delay{300000};  // cap
};

struct auth_config {
  std::optional<std::string> workspace;  // default DAG folder of `leoflow lite`
  std::string secret_key;                // 64 hex digits (32 bytes)
  std::chrono::seconds token_ttl{86400};
  std::map<std::string, user_entry> users;
  throttle_settings throttle;

  // Login is enforced when at least one admin exists.
  bool has_admin() const;
  // The only admin's name, when there is exactly one.
  std::optional<std::string> sole_admin() const;
};

// A problem reading the file, naming the key at fault ("auth.token_ttl").
struct config_problem {
  std::string message;
};

// nullopt when the file does not exist (no-auth).
std::variant<std::optional<auth_config>, config_problem> read_auth_config(
    const std::filesystem::path& file);

// Writes the file atomically (temporary file, fsync, rename) with mode 0600,
// keeping keys of an existing file that this code does not manage. Throws
// std::runtime_error with the reason.
void write_auth_config(const std::filesystem::path& file, const auth_config& config);

// 32 random bytes as 64 hex digits.
std::string new_secret_key();

}  // namespace leoflow::auth
