// Cron parsing and evaluation.
#include "scheduler/cron.hpp"

#include <array>
#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace leoflow::scheduler {
namespace {

using namespace std::chrono;

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::vector<std::string_view> fields_of(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<int> number_or_name(std::string_view t, const std::array<const char*, 13>* names,
                                  int name_base) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc{} && ptr == t.data() + t.size()) return v;
  if (!names || t.size() != 3) return std::nullopt;
  for (std::size_t i = 0; i < names->size() && (*names)[i]; ++i) {
    const char* n = (*names)[i];
    bool same = true;
    for (int k = 0; k < 3; ++k)
      same = same && std::tolower(static_cast<unsigned char>(t[k])) == n[k];
    if (same) return static_cast<int>(i) + name_base;
  }
  return std::nullopt;
}

constexpr std::array<const char*, 13> month_names = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                                     "aug", "sep", "oct", "nov", "dec", nullptr};
constexpr std::array<const char*, 13> day_names = {"sun", "mon", "tue", "wed", "thu", "fri", "sat",
                                                   nullptr};

// Parses one field into `bits` (indices lo..hi). Returns an error or "".
template <std::size_t N>
std::string parse_field(std::string_view field, int lo, int hi, std::bitset<N>& bits,
                        const std::array<const char*, 13>* names, int name_base, bool& any,
                        const char* what) {
  any = field == "*" || field == "?";
  for (auto part : split(field, ',')) {
    if (part.empty()) return fmt::format("empty item in the {} field", what);
    int step = 1;
    if (auto slash = part.find('/'); slash != std::string_view::npos) {
      auto s = number_or_name(part.substr(slash + 1), nullptr, 0);
      if (!s || *s <= 0) return fmt::format("bad step '{}' in the {} field", part, what);
      step = *s;
      part = part.substr(0, slash);
    }
    int from = lo, to = hi;
    if (part != "*" && part != "?") {
      if (auto dash = part.find('-'); dash != std::string_view::npos && dash > 0) {
        auto a = number_or_name(part.substr(0, dash), names, name_base);
        auto b = number_or_name(part.substr(dash + 1), names, name_base);
        if (!a || !b) return fmt::format("bad range '{}' in the {} field", part, what);
        from = *a;
        to = *b;
      } else {
        auto a = number_or_name(part, names, name_base);
        if (!a) return fmt::format("bad value '{}' in the {} field", part, what);
        from = *a;
        to = step > 1 ? hi : *a;
      }
    }
    // Day of week accepts 7 for Sunday.
    const int max = (names == &day_names) ? 7 : hi;
    if (from < lo || to > max || from > to)
      return fmt::format("'{}' is out of range {}-{} in the {} field", part, lo, hi, what);
    for (int v = from; v <= to; v += step) {
      bits.set(static_cast<std::size_t>(names == &day_names ? v % 7 : v));
      if (step > to - v) break;  // the next value is past `to`, and v + step may not fit in an int
    }
  }
  return {};
}

struct ymdhm {
  int year;
  unsigned month, day, hour, minute;
  int weekday;
};

ymdhm split_time(timestamp t) {
  const auto d = floor<days>(t);
  const year_month_day ymd{d};
  const hh_mm_ss<microseconds> hms{t - d};
  return {int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()),
          unsigned(hms.hours().count()), unsigned(hms.minutes().count()),
          int(weekday{d}.c_encoding())};
}

}  // namespace

std::string expand_preset(std::string_view schedule) {
  if (schedule == "@hourly") return "0 * * * *";
  if (schedule == "@daily" || schedule == "@midnight") return "0 0 * * *";
  if (schedule == "@weekly") return "0 0 * * 0";
  if (schedule == "@monthly") return "0 0 1 * *";
  if (schedule == "@yearly" || schedule == "@annually") return "0 0 1 1 *";
  return std::string(schedule);
}

std::optional<cron_expression> cron_expression::parse(std::string_view text, std::string& error) {
  const std::string expanded = expand_preset(text);
  auto f = fields_of(expanded);
  if (f.size() != 5) {
    error = fmt::format("'{}' is not a cron expression: it needs 5 fields (minute hour day month "
                        "weekday), it has {}",
                        text, f.size());
    return std::nullopt;
  }
  cron_expression c;
  c.text_ = std::string(text);
  bool any = false;
  if (auto e = parse_field(f[0], 0, 59, c.minutes_, nullptr, 0, any, "minute"); !e.empty()) {
    error = e;
    return std::nullopt;
  }
  if (auto e = parse_field(f[1], 0, 23, c.hours_, nullptr, 0, any, "hour"); !e.empty()) {
    error = e;
    return std::nullopt;
  }
  if (auto e = parse_field(f[2], 1, 31, c.days_, nullptr, 0, c.any_day_of_month_, "day-of-month");
      !e.empty()) {
    error = e;
    return std::nullopt;
  }
  if (auto e = parse_field(f[3], 1, 12, c.months_, &month_names, 1, any, "month"); !e.empty()) {
    error = e;
    return std::nullopt;
  }
  if (auto e = parse_field(f[4], 0, 6, c.weekdays_, &day_names, 0, c.any_weekday_, "day-of-week");
      !e.empty()) {
    error = e;
    return std::nullopt;
  }
  return c;
}

bool cron_expression::day_matches(int day_of_month, int month, int weekday) const {
  if (!months_.test(static_cast<std::size_t>(month))) return false;
  const bool dom = days_.test(static_cast<std::size_t>(day_of_month));
  const bool dow = weekdays_.test(static_cast<std::size_t>(weekday));
  // Classic cron: when both are restricted, either one matching is enough.
  if (!any_day_of_month_ && !any_weekday_) return dom || dow;
  if (!any_day_of_month_) return dom;
  if (!any_weekday_) return dow;
  return true;
}

bool cron_expression::matches(timestamp t) const {
  const auto p = split_time(t);
  return minutes_.test(p.minute) && hours_.test(p.hour) &&
         day_matches(static_cast<int>(p.day), static_cast<int>(p.month), p.weekday);
}

std::optional<timestamp> cron_expression::next_after(timestamp t) const {
  auto day = floor<days>(t);
  const auto start_minute = floor<minutes>(t) + minutes{1};
  // Eight years covers every valid expression (29 February on a Monday...).
  for (int i = 0; i < 366 * 8; ++i, day += days{1}) {
    const year_month_day ymd{day};
    if (!day_matches(static_cast<int>(unsigned(ymd.day())), static_cast<int>(unsigned(ymd.month())),
                     static_cast<int>(weekday{day}.c_encoding())))
      continue;
    for (int h = 0; h < 24; ++h) {
      if (!hours_.test(static_cast<std::size_t>(h))) continue;
      for (int m = 0; m < 60; ++m) {
        if (!minutes_.test(static_cast<std::size_t>(m))) continue;
        const auto candidate = day + hours{h} + minutes{m};
        if (candidate >= start_minute) return time_point_cast<microseconds>(candidate);
      }
    }
  }
  return std::nullopt;
}

std::optional<timestamp> cron_expression::latest_at_or_before(timestamp t) const {
  auto day = floor<days>(t);
  const auto limit = floor<minutes>(t);
  for (int i = 0; i < 366 * 8; ++i, day -= days{1}) {
    const year_month_day ymd{day};
    if (!day_matches(static_cast<int>(unsigned(ymd.day())), static_cast<int>(unsigned(ymd.month())),
                     static_cast<int>(weekday{day}.c_encoding())))
      continue;
    for (int h = 23; h >= 0; --h) {
      if (!hours_.test(static_cast<std::size_t>(h))) continue;
      for (int m = 59; m >= 0; --m) {
        if (!minutes_.test(static_cast<std::size_t>(m))) continue;
        const auto candidate = day + hours{h} + minutes{m};
        if (candidate <= limit) return time_point_cast<microseconds>(candidate);
      }
    }
  }
  return std::nullopt;
}

std::string cron_expression::describe() const {
  const bool every_day = any_day_of_month_ && any_weekday_ && months_.count() == 12;
  if (minutes_.count() == 1 && hours_.count() == 1 && every_day) {
    int m = 0, h = 0;
    while (!minutes_.test(static_cast<std::size_t>(m))) ++m;
    while (!hours_.test(static_cast<std::size_t>(h))) ++h;
    return fmt::format("At {:02}:{:02}", h, m);
  }
  if (minutes_.count() == 1 && hours_.count() == 24 && every_day) {
    int m = 0;
    while (!minutes_.test(static_cast<std::size_t>(m))) ++m;
    return m == 0 ? "Every hour" : fmt::format("At {} minutes past the hour", m);
  }
  if (minutes_.count() == 60 && hours_.count() == 24 && every_day) return "Every minute";
  return text_;
}

}  // namespace leoflow::scheduler
