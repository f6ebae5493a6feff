// Password hashing (argon2id through libsodium's crypto_pwhash_str), checks
// that take the same time whether or not the user exists, and generated
// passwords.
#pragma once

#include <string>
#include <string_view>

namespace leoflow::auth {

// Shortest password `leoflow setup` accepts.
inline constexpr std::size_t min_password_length = 8;

// An argon2id hash string ($argon2id$v=19$m=...) with libsodium's
// interactive limits. Slow on purpose (~0.1 s, 64 MiB): call it off the I/O
// threads. Throws std::runtime_error when memory runs out.
std::string hash_password(std::string_view password);

// Whether `password` matches `hash`. With an empty hash (no such user) a
// fixed dummy hash is checked instead, so both cases cost the same.
bool verify_password(std::string_view hash, std::string_view password);

// 24 characters from an alphabet without look-alikes (about 140 bits).
std::string generate_password();

}  // namespace leoflow::auth
