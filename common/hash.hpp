// Hashing and randomness through libsodium.
#pragma once

#include <string>
#include <string_view>

namespace leoflow {

// Lower-case hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view bytes);

// n random bytes, hex encoded (2n characters).
std::string random_hex(std::size_t n);

// A time-ordered UUID (version 7 layout), as Airflow uses for ids.
std::string new_uuid7();

}  // namespace leoflow
