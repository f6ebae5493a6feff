// argon2id hashes and generated passwords through libsodium.
#include "server/auth/password.hpp"

#include <mutex>
#include <stdexcept>

#include <sodium.h>

namespace leoflow::auth {

namespace {

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

// A hash of a random password, made once: what an unknown user is checked
// against.
const std::string& dummy_hash() {
  static std::once_flag once;
  static std::string hash;
  std::call_once(once, [] {
    unsigned char random[32];
    randombytes_buf(random, sizeof random);
    hash = hash_password(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
  });
  return hash;
}

}  // namespace

std::string hash_password(std::string_view password) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("hashing the password ran out of memory");
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  ensure_sodium();
  const bool known = !hash.empty();
  const std::string& checked = known ? std::string(hash) : dummy_hash();
  // crypto_pwhash_str_verify reads a NUL-terminated string of at most
  // crypto_pwhash_STRBYTES.
  if (checked.size() >= crypto_pwhash_STRBYTES) return false;
  char str[crypto_pwhash_STRBYTES] = {};
  checked.copy(str, checked.size());
  const bool match = crypto_pwhash_str_verify(str, password.data(), password.size()) == 0;
  return known && match;
}

std::string generate_password() {
  ensure_sodium();
  // No 0/O, 1/l/I: a password read off a terminal is typed by a person.
  static constexpr std::string_view alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  for (int i = 0; i < 24; ++i)
    out += alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))];
  return out;
}

}  // namespace leoflow::auth
