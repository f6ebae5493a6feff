// FastAPI-shaped validation of body fields.
#include "server/api/body_fields.hpp"

namespace leoflow::api {

namespace bj = boost::json;

void extra_forbidden(http::validation& v, std::string_view key, const bj::value& input) {
  v.add("extra_forbidden", {"body", bj::string(key)}, "Extra inputs are not permitted", input);
}

void forbid_extra(const bj::object& body, std::initializer_list<std::string_view> allowed, http::validation& v) {
  for (const auto& [key, value] : body) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) extra_forbidden(v, key, value);
  }
}

void string_type(http::validation& v, std::string_view key, const bj::value& input) {
  v.add("string_type", {"body", bj::string(key)}, "Input should be a valid string", input);
}

bool optional_string(const bj::object& body, std::string_view key, std::optional<std::string>& out,
                     http::validation& v) {
  const auto* value = body.if_contains(key);
  if (!value || value->is_null()) return true;
  if (!value->is_string()) {
    string_type(v, key, *value);
    return false;
  }
  out = std::string(value->get_string());
  return true;
}

bool optional_time(const bj::object& body, std::string_view key, std::optional<timestamp>& out,
                   http::validation& v) {
  std::optional<std::string> text;
  if (!optional_string(body, key, text, v)) return false;
  if (!text) return true;
  out = parse_time(*text);
  if (!out) {
    v.add("datetime_from_date_parsing", {"body", bj::string(key)}, "Input should be a valid datetime",
          bj::string(*text));
    return false;
  }
  return true;
}

bool optional_bool(const bj::object& body, std::string_view key, bool& out, http::validation& v) {
  const auto* value = body.if_contains(key);
  if (!value) return true;
  if (!value->is_bool()) {
    v.add("bool_type", {"body", bj::string(key)}, "Input should be a valid boolean", *value);
    return false;
  }
  out = value->get_bool();
  return true;
}

}  // namespace leoflow::api
