// Canonical JSON serialization and typed accessors.
#include "common/json.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace leoflow::json {
namespace {

void write_canonical(const bj::value& v, std::string& out) {
  switch (v.kind()) {
    case bj::kind::object: {
      const auto& o = v.get_object();
      std::vector<const bj::key_value_pair*> items;
      items.reserve(o.size());
      for (const auto& kv : o) items.push_back(&kv);
      std::sort(items.begin(), items.end(),
                [](auto* a, auto* b) { return a->key() < b->key(); });
      out += '{';
      bool first = true;
      for (const auto* kv : items) {
        if (!first) out += ',';
        first = false;
        out += bj::serialize(bj::value(kv->key()));
        out += ':';
        write_canonical(kv->value(), out);
      }
      out += '}';
      break;
    }
    case bj::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write_canonical(item, out);
      }
      out += ']';
      break;
    }
    default:
      out += bj::serialize(v);
  }
}

}  // namespace

std::string canonical(const bj::value& v) {
  std::string out;
  write_canonical(v, out);
  return out;
}

std::optional<bj::value> try_parse(std::string_view text) {
  boost::system::error_code ec;
  bj::value v = bj::parse(text, ec);
  if (ec) return std::nullopt;
  return v;
}

std::optional<std::string> get_string(const bj::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<std::int64_t> get_int(const bj::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= std::uint64_t(INT64_MAX))
    return std::int64_t(v->get_uint64());
  if (v->is_double()) {
    // Only a whole number inside int64's range converts: converting any other
    // double (1e20) is undefined behaviour.
    const double d = v->get_double();
    if (d >= -0x1p63 && d < 0x1p63 && d == std::trunc(d)) return std::int64_t(d);
  }
  return std::nullopt;
}

std::optional<double> get_number(const bj::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return double(v->get_int64());
  if (v->is_uint64()) return double(v->get_uint64());
  return std::nullopt;
}

std::optional<bool> get_bool(const bj::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_bool()) return std::nullopt;
  return v->get_bool();
}

const bj::object* get_object(const bj::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

const bj::array* get_array(const bj::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v ? v->if_array() : nullptr;
}

bj::value nullable(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return bj::value(*s);
}

}  // namespace leoflow::json
