// Reading the fields of a JSON request body the way FastAPI validates them:
// each problem is added to `v` as {type, loc, msg, input} with Airflow's
// texts, written once here.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "common/clock.hpp"
#include "server/http/params.hpp"

namespace leoflow::api {

// "Extra inputs are not permitted" for body field `key`.
void extra_forbidden(http::validation& v, std::string_view key, const boost::json::value& input);
// extra_forbidden for every field of `body` not in `allowed`.
void forbid_extra(const boost::json::object& body, std::initializer_list<std::string_view> allowed,
                  http::validation& v);
// "Input should be a valid string" for body field `key`.
void string_type(http::validation& v, std::string_view key, const boost::json::value& input);

// A field that must be a string or null: absent or null leaves `out` as it
// is. False (and a problem in `v`) for another type.
bool optional_string(const boost::json::object& body, std::string_view key, std::optional<std::string>& out,
                     http::validation& v);
// A string field holding an ISO 8601 date-time, or null.
bool optional_time(const boost::json::object& body, std::string_view key, std::optional<timestamp>& out,
                   http::validation& v);
bool optional_bool(const boost::json::object& body, std::string_view key, bool& out, http::validation& v);

}  // namespace leoflow::api
