// Dynamic SQL with bound parameters over SOCI's dynamic rows.
#include "schema/query.hpp"

#include <ctime>

#include <fmt/format.h>
#include <soci/soci.h>

namespace leoflow::schema {

std::optional<std::string> row_reader::text(const std::string& column) const {
  const auto& props = row_.get_properties(column);
  if (row_.get_indicator(column) == soci::i_null) return std::nullopt;
  switch (props.get_data_type()) {
    case soci::dt_string:
      return row_.get<std::string>(column);
    case soci::dt_integer:
      return std::to_string(row_.get<int>(column));
    case soci::dt_long_long:
      return std::to_string(row_.get<long long>(column));
    case soci::dt_unsigned_long_long:
      return std::to_string(row_.get<unsigned long long>(column));
    case soci::dt_double:
      return fmt::format("{}", row_.get<double>(column));
    default:
      return std::nullopt;
  }
}

std::optional<long long> row_reader::integer(const std::string& column) const {
  const auto& props = row_.get_properties(column);
  if (row_.get_indicator(column) == soci::i_null) return std::nullopt;
  switch (props.get_data_type()) {
    case soci::dt_integer:
      return row_.get<int>(column);
    case soci::dt_long_long:
      return row_.get<long long>(column);
    case soci::dt_unsigned_long_long:
      return static_cast<long long>(row_.get<unsigned long long>(column));
    case soci::dt_double:
      return static_cast<long long>(row_.get<double>(column));
    case soci::dt_string:
      try {
        return std::stoll(row_.get<std::string>(column));
      } catch (const std::exception&) {
        return std::nullopt;
      }
    default:
      return std::nullopt;
  }
}

std::optional<double> row_reader::real(const std::string& column) const {
  const auto& props = row_.get_properties(column);
  if (row_.get_indicator(column) == soci::i_null) return std::nullopt;
  switch (props.get_data_type()) {
    case soci::dt_double:
      return row_.get<double>(column);
    case soci::dt_integer:
      return row_.get<int>(column);
    case soci::dt_long_long:
      return static_cast<double>(row_.get<long long>(column));
    case soci::dt_string:
      try {
        return std::stod(row_.get<std::string>(column));
      } catch (const std::exception&) {
        return std::nullopt;
      }
    default:
      return std::nullopt;
  }
}

bool row_reader::has(const std::string& column) const {
  for (std::size_t i = 0; i < row_.size(); ++i)
    if (row_.get_properties(i).get_name() == column) return true;
  return false;
}

std::string row_reader::text_or(const std::string& column, std::string fallback) const {
  auto v = text(column);
  return v ? *v : std::move(fallback);
}

long long row_reader::integer_or(const std::string& column, long long fallback) const {
  auto v = integer(column);
  return v ? *v : fallback;
}

std::string sql_query::bind(std::string value) {
  params_.push_back({param::text_kind, std::move(value)});
  return fmt::format(":p{}", params_.size());
}

std::string sql_query::bind(long long value) {
  params_.push_back({param::int_kind, {}, value});
  return fmt::format(":p{}", params_.size());
}

std::string sql_query::bind(double value) {
  params_.push_back({param::real_kind, {}, 0, value});
  return fmt::format(":p{}", params_.size());
}

sql_query& sql_query::where(std::string clause) {
  clauses_.push_back(std::move(clause));
  return *this;
}

sql_query& sql_query::order_by(std::string column, bool descending) {
  order_.push_back(column + (descending ? " DESC" : " ASC"));
  return *this;
}

sql_query& sql_query::where_like(const std::string& column, const std::string& pattern) {
  std::string any;
  for (const auto& p : like_patterns(pattern)) any += (any.empty() ? "" : " OR ") + (column + " LIKE " + bind(p));
  if (!any.empty()) where(any);
  return *this;
}

sql_query& sql_query::order_by_each(const std::vector<std::string>& columns) {
  for (const auto& c : columns) {
    const bool desc = !c.empty() && c[0] == '-';
    order_by(desc ? c.substr(1) : c, desc);
  }
  return *this;
}

sql_query& sql_query::page(long long limit, long long offset) {
  limit_ = limit;
  offset_ = offset;
  return *this;
}

sql_query& sql_query::group_by(std::string columns) {
  group_by_ = std::move(columns);
  return *this;
}

std::string sql_query::where_text() const {
  std::string out;
  for (std::size_t i = 0; i < clauses_.size(); ++i) {
    out += i == 0 ? " WHERE (" : " AND (";
    out += clauses_[i];
    out += ')';
  }
  if (!group_by_.empty()) out += " GROUP BY " + group_by_;
  return out;
}

std::string sql_query::text() const {
  std::string sql = select_ + where_text();
  for (std::size_t i = 0; i < order_.size(); ++i) sql += (i == 0 ? " ORDER BY " : ", ") + order_[i];
  if (limit_) sql += fmt::format(" LIMIT {} OFFSET {}", *limit_, offset_);
  return sql;
}

void sql_query::run(soci::session& s, const std::string& sql,
                    const std::function<void(const row_reader&)>& f) const {
  soci::statement st(s);
  st.alloc();
  st.prepare(sql);
  for (auto& p : params_) {
    switch (p.kind) {
      case param::text_kind:
        st.exchange(soci::use(p.text_value));
        break;
      case param::int_kind:
        st.exchange(soci::use(p.int_value));
        break;
      case param::real_kind:
        st.exchange(soci::use(p.real_value));
        break;
    }
  }
  soci::row r;
  st.exchange(soci::into(r));
  st.define_and_bind();
  st.execute(false);
  while (st.fetch()) f(row_reader(r));
}

long long sql_query::count(soci::session& s) const {
  long long total = 0;
  run(s, "SELECT COUNT(*) AS n FROM (" + select_ + where_text() + ") counted",
      [&](const row_reader& r) { total = r.integer_or("n", 0); });
  return total;
}

void sql_query::each(soci::session& s, const std::function<void(const row_reader&)>& f) const {
  run(s, text(), f);
}

std::vector<std::string> like_patterns(const std::string& pattern) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= pattern.size()) {
    auto bar = pattern.find('|', start);
    if (bar == std::string::npos) bar = pattern.size();
    std::string term = pattern.substr(start, bar - start);
    auto first = term.find_first_not_of(' ');
    auto last = term.find_last_not_of(' ');
    term = first == std::string::npos ? "" : term.substr(first, last - first + 1);
    if (!term.empty()) out.push_back(term.find('%') == std::string::npos ? "%" + term + "%" : term);
    start = bar + 1;
  }
  return out;
}

}  // namespace leoflow::schema
