// Formatting and parsing of UTC time points.
#include "common/clock.hpp"

#include <charconv>
#include <ctime>

#include <fmt/format.h>

namespace leoflow {
namespace {

struct broken_down {
  int year;
  unsigned month, day, hour, minute, second;
  long micros;
};

broken_down split(timestamp t) {
  using namespace std::chrono;
  const auto day_point = floor<days>(t);
  const year_month_day ymd{day_point};
  const hh_mm_ss<microseconds> hms{t - day_point};
  return {int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()),
          unsigned(hms.hours().count()), unsigned(hms.minutes().count()),
          unsigned(hms.seconds().count()), long(hms.subseconds().count())};
}

bool read_int(std::string_view text, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > text.size()) return false;
  for (std::size_t i = pos; i < pos + len; ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  std::from_chars(text.data() + pos, text.data() + pos + len, out);
  return true;
}

}  // namespace

timestamp now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::string format_store_time(timestamp t) {
  const auto b = split(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", b.year, b.month, b.day, b.hour,
                     b.minute, b.second, b.micros);
}

std::string format_api_time(timestamp t) {
  const auto b = split(t);
  if (b.micros == 0)
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", b.year, b.month, b.day, b.hour,
                       b.minute, b.second);
  return format_store_time(t);
}

std::string format_python_iso(timestamp t) {
  const auto b = split(t);
  if (b.micros == 0)
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00", b.year, b.month, b.day, b.hour,
                       b.minute, b.second);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00", b.year, b.month, b.day,
                     b.hour, b.minute, b.second, b.micros);
}

std::string format_local_clock(timestamp t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::seconds>(t));
  std::tm local{};
  localtime_r(&secs, &local);
  return fmt::format("{:02}:{:02}:{:02}", local.tm_hour, local.tm_min, local.tm_sec);
}

std::optional<timestamp> parse_time(std::string_view text) {
  using namespace std::chrono;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!read_int(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || !read_int(text, 5, 2, mo) ||
      text[7] != '-' || !read_int(text, 8, 2, d))
    return std::nullopt;
  const year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok()) return std::nullopt;
  timestamp result = time_point_cast<microseconds>(sys_days{ymd});
  if (text.size() == 10) return result;
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return std::nullopt;
  if (!read_int(text, 11, 2, h) || text.size() < 16 || text[13] != ':' || !read_int(text, 14, 2, mi))
    return std::nullopt;
  std::size_t pos = 16;
  if (pos < text.size() && text[pos] == ':') {
    if (!read_int(text, 17, 2, s)) return std::nullopt;
    pos = 19;
  }
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;
  long micros = 0;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 6; ++digits) micros *= 10;
  }
  result += hours{h} + minutes{mi} + seconds{s} + microseconds{micros};
  if (pos == text.size()) return result;
  if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) return result;
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
  const int sign = text[pos] == '+' ? 1 : -1;
  int oh = 0, om = 0;
  if (!read_int(text, pos + 1, 2, oh)) return std::nullopt;
  std::size_t after = pos + 3;
  if (after < text.size() && text[after] == ':') ++after;
  if (!read_int(text, after, 2, om) || after + 2 != text.size() || oh > 23 || om > 59)
    return std::nullopt;
  return result - sign * (hours{oh} + minutes{om});
}

std::optional<std::string> store_to_api_time(const std::optional<std::string>& stored) {
  if (!stored) return std::nullopt;
  if (auto t = parse_time(*stored)) return format_api_time(*t);
  return stored;
}

}  // namespace leoflow
