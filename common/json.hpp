// JSON helpers over Boost.JSON: canonical text for hashing, and small typed
// accessors that return nullopt instead of throwing on missing/mistyped keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace leoflow::json {

namespace bj = boost::json;

// Compact text with object keys sorted recursively, so equal values give
// equal bytes whatever order their producer wrote the keys in.
std::string canonical(const bj::value& v);

// Parses text; nullopt (and no exception) when it is not valid JSON.
std::optional<bj::value> try_parse(std::string_view text);

std::optional<std::string> get_string(const bj::object& o, std::string_view key);
std::optional<std::int64_t> get_int(const bj::object& o, std::string_view key);
std::optional<double> get_number(const bj::object& o, std::string_view key);
std::optional<bool> get_bool(const bj::object& o, std::string_view key);
const bj::object* get_object(const bj::object& o, std::string_view key);
const bj::array* get_array(const bj::object& o, std::string_view key);

// A string or null value.
bj::value nullable(const std::optional<std::string>& s);

}  // namespace leoflow::json
