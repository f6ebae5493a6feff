// Query parameter and body validation with Airflow's error shapes.
#include "server/http/params.hpp"

#include <charconv>

#include <boost/json/parse.hpp>
#include <fmt/format.h>

namespace leoflow::http {

void validation::add(std::string type, std::vector<boost::json::value> loc, std::string msg,
                     boost::json::value input) {
  boost::json::object e;
  e["type"] = type;
  boost::json::array l;
  for (auto& v : loc) l.push_back(std::move(v));
  e["loc"] = std::move(l);
  e["msg"] = msg;
  e["input"] = std::move(input);
  errors_.push_back(std::move(e));
}

response validation::error_response() const {
  boost::json::object body;
  body["detail"] = errors_;
  return json(422, body);
}

std::optional<std::string> query_params::string(std::string_view name) const {
  std::optional<std::string> out;
  for (const auto& [k, v] : req_.query)
    if (k == name) out = v;
  return out;
}

std::vector<std::string> query_params::list(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : req_.query)
    if (k == name) out.push_back(v);
  return out;
}

std::optional<long long> query_params::optional_integer(std::string_view name, long long min) {
  auto text = string(name);
  if (!text) return std::nullopt;
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || ptr != text->data() + text->size()) {
    validation_.add("int_parsing", {"query", boost::json::string(name)},
                    "Input should be a valid integer, unable to parse string as an integer",
                    boost::json::string(*text));
    return std::nullopt;
  }
  if (value < min) {
    validation_.add("greater_than_equal", {"query", boost::json::string(name)},
                    fmt::format("Input should be greater than or equal to {}", min),
                    boost::json::string(*text));
    return std::nullopt;
  }
  return value;
}

long long query_params::integer(std::string_view name, long long fallback, long long min) {
  return optional_integer(name, min).value_or(fallback);
}

std::optional<bool> query_params::boolean(std::string_view name) {
  auto text = string(name);
  if (!text) return std::nullopt;
  std::string v = *text;
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v == "true" || v == "1" || v == "yes" || v == "on" || v == "t" || v == "y") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off" || v == "f" || v == "n") return false;
  validation_.add("bool_parsing", {"query", boost::json::string(name)},
                  "Input should be a valid boolean, unable to interpret input",
                  boost::json::string(*text));
  return std::nullopt;
}

bool query_params::boolean(std::string_view name, bool fallback) {
  return boolean(name).value_or(fallback);
}

std::optional<timestamp> query_params::datetime(std::string_view name) {
  auto text = string(name);
  if (!text) return std::nullopt;
  auto t = parse_time(*text);
  if (!t)
    validation_.add("datetime_from_date_parsing", {"query", boost::json::string(name)},
                    "Input should be a valid datetime or date", boost::json::string(*text));
  return t;
}

std::vector<std::pair<std::string, std::string>> query_params::time_range(std::string_view name) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto [suffix, op] : {std::pair{"_gte", ">="}, {"_gt", ">"}, {"_lte", "<="}, {"_lt", "<"}}) {
    if (auto t = datetime(std::string(name) + suffix)) out.emplace_back(op, format_store_time(*t));
  }
  return out;
}

std::vector<std::pair<std::string, double>> query_params::number_range(std::string_view name) {
  std::vector<std::pair<std::string, double>> out;
  for (auto [suffix, op] : {std::pair{"_gte", ">="}, {"_gt", ">"}, {"_lte", "<="}, {"_lt", "<"}}) {
    const std::string key = std::string(name) + suffix;
    auto text = string(key);
    if (!text) continue;
    try {
      std::size_t used = 0;
      const double v = std::stod(*text, &used);
      if (used != text->size()) throw std::invalid_argument(key);
      out.emplace_back(op, v);
    } catch (const std::exception&) {
      validation_.add("float_parsing", {"query", boost::json::string(key)},
                      "Input should be a valid number, unable to parse string as a number",
                      boost::json::string(*text));
    }
  }
  return out;
}

std::vector<long long> query_params::integer_list(std::string_view name) {
  std::vector<long long> out;
  for (const auto& text : list(name)) {
    long long value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr != text.data() + text.size()) {
      validation_.add("int_parsing", {"query", boost::json::string(name)},
                      "Input should be a valid integer, unable to parse string as an integer",
                      boost::json::string(text));
      continue;
    }
    out.push_back(value);
  }
  return out;
}

std::optional<std::string> query_params::choice(std::string_view name,
                                                std::initializer_list<std::string_view> allowed) {
  auto text = string(name);
  if (!text) return std::nullopt;
  std::string expected;
  for (auto a : allowed) {
    if (*text == a) return text;
    expected += (expected.empty() ? "'" : ", '") + std::string(a) + "'";
  }
  validation_.add("enum", {"query", boost::json::string(name)},
                  fmt::format("Input should be {}", expected), boost::json::string(*text));
  return std::nullopt;
}

std::vector<std::string> query_params::order_by(std::initializer_list<std::string_view> allowed,
                                                std::string fallback) {
  std::vector<std::string> out;
  auto values = list("order_by");
  if (values.empty()) values.push_back(std::move(fallback));
  for (const auto& value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      auto comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      std::string term = value.substr(start, comma - start);
      start = comma + 1;
      if (term.empty()) continue;
      std::string_view attr = term;
      if (attr.front() == '-') attr.remove_prefix(1);
      bool known = false;
      for (auto a : allowed) known = known || a == attr;
      if (!known) {
        order_error_ = fmt::format(
            "Ordering with '{}' is disallowed or the attribute does not exist on the model", attr);
        continue;
      }
      out.push_back(term);
    }
  }
  return out;
}

std::optional<response> query_params::problem() const {
  if (!validation_.ok()) return validation_.error_response();
  if (order_error_) return error(400, *order_error_);
  return std::nullopt;
}

std::optional<boost::json::object> json_body(const request& req, std::optional<response>& problem) {
  boost::system::error_code ec;
  auto value = boost::json::parse(req.body, ec);
  validation v;
  if (ec) {
    v.add("json_invalid", {"body", 0}, "JSON decode error", boost::json::object{});
    problem = v.error_response();
    return std::nullopt;
  }
  if (!value.is_object()) {
    v.add("model_attributes_type", {"body"}, "Input should be a valid dictionary or object",
          value);
    problem = v.error_response();
    return std::nullopt;
  }
  return std::move(value.as_object());
}

}  // namespace leoflow::http
