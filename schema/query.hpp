// Building SQL with a variable set of filters and bound parameters, and
// reading result rows by column name with forgiving types (SQLite reports a
// column's type from its declaration or its first value).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <soci/row.h>
#include <soci/session.h>

namespace leoflow::schema {

class row_reader {
 public:
  explicit row_reader(const soci::row& r) : row_(r) {}
  std::optional<std::string> text(const std::string& column) const;
  std::optional<long long> integer(const std::string& column) const;
  std::optional<double> real(const std::string& column) const;
  std::string text_or(const std::string& column, std::string fallback) const;
  long long integer_or(const std::string& column, long long fallback) const;
  bool flag(const std::string& column) const { return integer_or(column, 0) != 0; }
  bool has(const std::string& column) const;

 private:
  const soci::row& row_;
};

class sql_query {
 public:
  // `select` is everything up to (not including) WHERE, e.g.
  // "SELECT d.* FROM dag d".
  explicit sql_query(std::string select) : select_(std::move(select)) {}

  // Returns the placeholder to put in a clause.
  std::string bind(std::string value);
  std::string bind(long long value);
  std::string bind(double value);

  // Clauses are AND-ed.
  sql_query& where(std::string clause);
  // `column` must come from a caller-side whitelist, never from user input.
  sql_query& order_by(std::string column, bool descending);
  // An Airflow `*_pattern` parameter on `column` (see like_patterns).
  sql_query& where_like(const std::string& column, const std::string& pattern);
  // Each of `columns` ('-' first for descending), from a caller-side whitelist.
  sql_query& order_by_each(const std::vector<std::string>& columns);
  sql_query& page(long long limit, long long offset);
  sql_query& group_by(std::string columns);

  // SELECT COUNT(*) over the filtered set (ignores order and page).
  long long count(soci::session& s) const;
  void each(soci::session& s, const std::function<void(const row_reader&)>& f) const;
  std::string text() const;

 private:
  struct param {
    enum kind_t { text_kind, int_kind, real_kind } kind;
    std::string text_value;
    long long int_value = 0;
    double real_value = 0;
  };
  std::string where_text() const;
  void run(soci::session& s, const std::string& sql,
           const std::function<void(const row_reader&)>& f) const;

  std::string select_;
  std::vector<std::string> clauses_;
  std::vector<std::string> order_;
  std::string group_by_;
  std::optional<long long> limit_;
  long long offset_ = 0;
  mutable std::vector<param> params_;
};

// SQL LIKE patterns from an Airflow `*_pattern` parameter: alternatives
// separated by '|'; a term without '%' matches as a substring.
std::vector<std::string> like_patterns(const std::string& pattern);

}  // namespace leoflow::schema
