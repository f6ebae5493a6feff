// Leoflow's one vocabulary of domain failures: an error enum with its
// boost::system category, the error value services return (the code and the
// text a client sees), result<T>, and the exception that carries a code
// through layers that throw (the store).
#pragma once

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <system_error>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/assert/source_location.hpp>
#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace leoflow {

enum class errc {
  not_found = 1,     // the DAG, run, task instance... does not exist
  conflict,          // it exists already, or changed under us
  invalid_argument,  // the request is well-formed but asks for something impossible
  forbidden,         // not allowed for this caller
  disk_full,         // the store could not write; retry once there is space
  unavailable,       // a part of the engine is not running (the scheduler)
  internal,          // a bug or a store failure: nothing a client can act on
};

const boost::system::error_category& leoflow_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), leoflow_category()};
}

// A domain failure: what went wrong and what to tell the client.
struct error {
  errc code = errc::internal;
  std::string detail;

  boost::system::error_code error_code() const noexcept { return make_error_code(code); }
};

// Named factories, so the texts of common failures are written once.
error not_found(std::string detail);
error conflict(std::string detail);
error invalid_argument(std::string detail);
error unavailable(std::string detail);

// Airflow's "was not found" text: "The {kind} with k1: `v1`, k2: `v2` and
// k3: `v3` was not found".
std::string not_found_text(std::string_view kind,
                           std::initializer_list<std::pair<std::string_view, std::string>> keys);
error dag_not_found(const std::string& dag_id);
error run_not_found(const std::string& dag_id, const std::string& run_id);
error task_instance_not_found(const std::string& dag_id, const std::string& run_id, const std::string& task_id,
                              int map_index);

template <typename T>
using result = boost::system::result<T, error>;

// An error thrown through code that cannot return one (the store's
// functions); the server answers it like a returned error.
class failure : public std::runtime_error {
 public:
  failure(errc code, const std::string& what) : std::runtime_error(what), code_(code) {}
  errc code() const noexcept { return code_; }

 private:
  errc code_;
};

// result<T>::value() on an error throws the failure.
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

}  // namespace leoflow

template <>
struct boost::system::is_error_code_enum<leoflow::errc> : std::true_type {};
