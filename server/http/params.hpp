// Reading and validating query parameters and JSON bodies the way Airflow's
// FastAPI layer does: every problem is collected, and the answer is one 422
// with {"detail": [{"type", "loc", "msg", "input"}, ...]}.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "common/clock.hpp"
#include "server/http/message.hpp"

namespace leoflow::http {

class validation {
 public:
  void add(std::string type, std::vector<boost::json::value> loc, std::string msg,
           boost::json::value input);
  bool ok() const { return errors_.empty(); }
  response error_response() const;  // 422

 private:
  boost::json::array errors_;
};

class query_params {
 public:
  explicit query_params(const request& req) : req_(req) {}

  std::optional<std::string> string(std::string_view name) const;
  std::vector<std::string> list(std::string_view name) const;
  // Integers with Airflow's bounds; `fallback` when absent.
  long long integer(std::string_view name, long long fallback, long long min = 0);
  std::optional<long long> optional_integer(std::string_view name, long long min = 0);
  std::optional<bool> boolean(std::string_view name);
  bool boolean(std::string_view name, bool fallback);
  std::optional<timestamp> datetime(std::string_view name);
  // One of `allowed`, else a 422 enum error.
  std::optional<std::string> choice(std::string_view name, std::initializer_list<std::string_view> allowed);
  // order_by: each value (comma-separated too) must name an allowed attribute,
  // optionally prefixed by '-'. Unknown attributes are a 400, as in Airflow.
  std::vector<std::string> order_by(std::initializer_list<std::string_view> allowed,
                                    std::string fallback);

  // `<name>_gte`, `_gt`, `_lte`, `_lt` as (operator, store-format time) pairs.
  std::vector<std::pair<std::string, std::string>> time_range(std::string_view name);
  // The same for numbers (durations).
  std::vector<std::pair<std::string, double>> number_range(std::string_view name);
  std::vector<long long> integer_list(std::string_view name);

  long long limit() { return integer("limit", 50); }
  long long offset() { return integer("offset", 0); }

  // 422 when a value failed validation, 400 when order_by named something
  // unknown; nullopt when all is well.
  std::optional<response> problem() const;

 private:
  const request& req_;
  validation validation_;
  std::optional<std::string> order_error_;
};

// Parses a JSON object body; on failure fills `problem` with a 422 like
// FastAPI's json_invalid / model_attributes_type.
std::optional<boost::json::object> json_body(const request& req, std::optional<response>& problem);

}  // namespace leoflow::http
