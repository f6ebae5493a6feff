// Why an IDE file operation was refused, in the terms the HTTP API answers
// with (status and {"detail"}), and `outcome<T>`: a value or a refusal.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace leoflow::ide {

class refusal {
 public:
  // The path leaves its root, or is malformed, or names a link: 400.
  static refusal bad_path(std::string detail) { return {400, std::move(detail)}; }
  static refusal forbidden(std::string detail) { return {403, std::move(detail)}; }
  static refusal not_found(std::string detail) { return {404, std::move(detail)}; }
  // Exists already, or changed on disk since it was read (then `etag` is
  // the current one, empty when there is none to offer).
  static refusal conflict(std::string detail, std::string etag = {}) {
    refusal r{409, std::move(detail)};
    r.etag_ = std::move(etag);
    return r;
  }
  static refusal too_large(std::string detail) { return {413, std::move(detail)}; }
  static refusal not_text(std::string detail) { return {415, std::move(detail)}; }
  static refusal precondition_required(std::string detail) { return {428, std::move(detail)}; }
  // The file system failed in a way the client cannot fix.
  static refusal failed(std::string detail) { return {500, std::move(detail)}; }

  int status() const { return status_; }
  const std::string& detail() const { return detail_; }
  const std::string& etag() const { return etag_; }

 private:
  refusal(int status, std::string detail) : status_(status), detail_(std::move(detail)) {}

  int status_;
  std::string detail_;
  std::string etag_;
};

template <typename T>
class outcome {
 public:
  // Asio needs results it can default-construct; such an outcome says so.
  outcome() : v_(refusal::failed("no result")) {}
  outcome(T value) : v_(std::move(value)) {}
  outcome(refusal r) : v_(std::move(r)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const refusal& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, refusal> v_;
};

// For operations that return nothing but may be refused.
struct done {};

}  // namespace leoflow::ide
