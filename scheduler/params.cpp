// A small JSON-schema subset for params.
#include "scheduler/params.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/json.hpp"

namespace leoflow::scheduler {

namespace bj = boost::json;

namespace {

bool has_type(const bj::value& v, std::string_view type) {
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_int64() || v.is_uint64() || (v.is_double() && v.get_double() == static_cast<double>(static_cast<long long>(v.get_double())));
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_bool();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  if (type == "null") return v.is_null();
  return true;
}

std::optional<std::string> check(const std::string& name, const bj::value& v, const bj::object& schema) {
  const std::string shown = bj::serialize(v);
  if (const auto* type = schema.if_contains("type")) {
    bool ok = false;
    std::string wanted;
    if (type->is_string()) {
      ok = has_type(v, type->get_string());
      wanted = fmt::format("'{}'", std::string_view(type->get_string()));
    } else if (type->is_array()) {
      for (const auto& t : type->get_array()) {
        if (!t.is_string()) continue;
        ok = ok || has_type(v, t.get_string());
        wanted += (wanted.empty() ? "" : ", ") + fmt::format("'{}'", std::string_view(t.get_string()));
      }
    } else {
      ok = true;
    }
    if (!ok) return fmt::format("Invalid input for param {}: {} is not of type {}", name, shown, wanted);
  }
  if (const auto* options = json::get_array(schema, "enum")) {
    bool found = false;
    for (const auto& o : *options) found = found || o == v;
    if (!found) return fmt::format("Invalid input for param {}: {} is not one of {}", name, shown, bj::serialize(*options));
  }
  if (v.is_number()) {
    const double x = v.to_number<double>();
    if (auto min = json::get_number(schema, "minimum"); min && x < *min)
      return fmt::format("Invalid input for param {}: {} is less than the minimum of {}", name, shown, *min);
    if (auto max = json::get_number(schema, "maximum"); max && x > *max)
      return fmt::format("Invalid input for param {}: {} is greater than the maximum of {}", name, shown, *max);
  }
  if (v.is_string()) {
    const auto len = static_cast<long long>(v.get_string().size());
    if (auto min = json::get_int(schema, "minLength"); min && len < *min)
      return fmt::format("Invalid input for param {}: {} is too short", name, shown);
    if (auto max = json::get_int(schema, "maxLength"); max && len > *max)
      return fmt::format("Invalid input for param {}: {} is too long", name, shown);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> validate_conf(const bj::object& params, const bj::object& conf) {
  for (const auto& [name, param] : params) {
    const auto* p = param.if_object();
    if (!p) continue;
    const auto* schema = json::get_object(*p, "schema");
    if (!schema) continue;
    const auto* given = conf.if_contains(name);
    const bj::value value = given ? *given : (p->contains("value") ? p->at("value") : bj::value(nullptr));
    if (!given && value.is_null()) {
      // No default and nothing given: fine only when the schema allows null.
      if (check(std::string(name), value, *schema))
        return fmt::format("Param {} is required: give it a value in the run's conf", std::string_view(name));
      continue;
    }
    if (auto problem = check(std::string(name), value, *schema)) return problem;
  }
  return std::nullopt;
}

}  // namespace leoflow::scheduler
