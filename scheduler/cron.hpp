// Five-field cron expressions (minute hour day-of-month month day-of-week)
// with lists, ranges, steps and names, plus Airflow's presets, evaluated in
// UTC: the next fire time after an instant, the latest one at or before it,
// and a short English description for the UI.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace leoflow::scheduler {

class cron_expression {
 public:
  // nullopt with `error` set when the text is not a valid expression.
  static std::optional<cron_expression> parse(std::string_view text, std::string& error);

  // The first fire time strictly after t (seconds and below ignored).
  std::optional<timestamp> next_after(timestamp t) const;
  // The last fire time at or before t.
  std::optional<timestamp> latest_at_or_before(timestamp t) const;
  bool matches(timestamp t) const;

  const std::string& text() const { return text_; }
  // "At 06:00", "At minute 15 past every hour", ... or the expression itself.
  std::string describe() const;

 private:
  bool day_matches(int day_of_month, int month, int weekday) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<8> weekdays_;  // 0..6, Sunday = 0 (7 folds to 0)
  bool any_day_of_month_ = true;
  bool any_weekday_ = true;
};

// "@daily" → "0 0 * * *" and friends; other text comes back unchanged.
std::string expand_preset(std::string_view schedule);

}  // namespace leoflow::scheduler
