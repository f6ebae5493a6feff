// The Leoflow error category and the not-found texts Airflow's API uses.
#include "common/error.hpp"

#include <fmt/format.h>

namespace leoflow {

namespace {

class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "leoflow"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::not_found: return "not found";
      case errc::conflict: return "conflict";
      case errc::invalid_argument: return "invalid argument";
      case errc::forbidden: return "forbidden";
      case errc::disk_full: return "disk full";
      case errc::unavailable: return "unavailable";
      case errc::internal: return "internal error";
    }
    return "unknown leoflow error";
  }
};

}  // namespace

const boost::system::error_category& leoflow_category() noexcept {
  static const category instance;
  return instance;
}

error not_found(std::string detail) { return {errc::not_found, std::move(detail)}; }
error conflict(std::string detail) { return {errc::conflict, std::move(detail)}; }
error invalid_argument(std::string detail) { return {errc::invalid_argument, std::move(detail)}; }
error unavailable(std::string detail) { return {errc::unavailable, std::move(detail)}; }

std::string not_found_text(std::string_view kind,
                           std::initializer_list<std::pair<std::string_view, std::string>> keys) {
  std::string text = fmt::format("The {} with ", kind);
  std::size_t i = 0;
  for (const auto& [key, value] : keys) {
    if (i > 0) text += i + 1 == keys.size() ? " and " : ", ";
    text += fmt::format("{}: `{}`", key, value);
    ++i;
  }
  return text + " was not found";
}

error dag_not_found(const std::string& dag_id) { return not_found(not_found_text("Dag", {{"ID", dag_id}})); }

error run_not_found(const std::string& dag_id, const std::string& run_id) {
  return not_found(not_found_text("DagRun", {{"dag_id", dag_id}, {"run_id", run_id}}));
}

error task_instance_not_found(const std::string& dag_id, const std::string& run_id, const std::string& task_id,
                              int map_index) {
  return not_found(not_found_text("Task Instance", {{"dag_id", dag_id}, {"run_id", run_id}, {"task_id", task_id},
                                                    {"map_index", std::to_string(map_index)}}));
}

void throw_exception_from_error(const error& e, const boost::source_location&) {
  throw failure(e.code, e.detail);
}

}  // namespace leoflow
