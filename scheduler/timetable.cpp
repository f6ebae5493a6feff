// Next ticks for cron, interval and @once schedules.
#include "scheduler/timetable.hpp"

#include <cmath>

#include <fmt/format.h>

#include "common/json.hpp"

namespace leoflow::scheduler {

timetable timetable::from_spec(const boost::json::object& spec, std::string& error) {
  timetable t;
  t.catchup_ = json::get_bool(spec, "catchup").value_or(false);
  if (auto s = json::get_string(spec, "start_date")) t.start_date_ = parse_time(*s);
  if (auto s = json::get_string(spec, "end_date")) t.end_date_ = parse_time(*s);
  t.summary_ = json::get_string(spec, "timetable_summary").value_or("None");
  const auto* schedule = spec.if_contains("schedule");
  if (!schedule || schedule->is_null()) return t;
  if (schedule->is_string()) {
    const std::string text(schedule->get_string());
    if (text == "@once") {
      t.kind_ = kind::once;
      return t;
    }
    auto c = cron_expression::parse(text, error);
    if (!c) return t;
    t.kind_ = kind::cron;
    t.cron_ = std::move(*c);
    return t;
  }
  if (const auto* o = schedule->if_object()) {
    if (auto seconds = json::get_number(*o, "timedelta"); seconds && *seconds > 0) {
      // At least one whole microsecond (the tick arithmetic divides by it), at
      // most about 31,000 years (it adds it to instants in microseconds).
      if (*seconds < 1e-6 || *seconds > 1e12) {
        error = "a timedelta schedule must be between one microsecond and 10^12 seconds";
        return t;
      }
      t.kind_ = kind::interval;
      t.interval_ = std::chrono::microseconds(std::llround(*seconds * 1e6));
      return t;
    }
  }
  error = "the schedule is neither a cron expression, a preset, a timedelta nor None";
  return t;
}

std::optional<timestamp> timetable::first_at_or_after(timestamp t) const {
  switch (kind_) {
    case kind::cron:
      return cron_->matches(t) && t == std::chrono::floor<std::chrono::minutes>(t)
                 ? std::optional<timestamp>(t)
                 : cron_->next_after(t);
    case kind::interval: {
      const timestamp origin = start_date_.value_or(timestamp{});
      if (t <= origin) return origin;
      const auto steps = (t - origin + interval_ - std::chrono::microseconds(1)) / interval_;
      return origin + steps * interval_;
    }
    default:
      return std::nullopt;
  }
}

std::optional<timestamp> timetable::latest_at_or_before(timestamp t) const {
  switch (kind_) {
    case kind::cron:
      return cron_->latest_at_or_before(t);
    case kind::interval: {
      const timestamp origin = start_date_.value_or(t);
      if (t < origin) return std::nullopt;
      return origin + ((t - origin) / interval_) * interval_;
    }
    default:
      return std::nullopt;
  }
}

std::optional<timestamp> timetable::next_tick(std::optional<timestamp> last_logical, timestamp now) const {
  std::optional<timestamp> tick;
  switch (kind_) {
    case kind::none:
      return std::nullopt;
    case kind::once:
      if (last_logical) return std::nullopt;
      tick = start_date_.value_or(now);
      break;
    case kind::cron:
    case kind::interval:
      if (last_logical) {
        // The tick after the last run; without catchup, skip to the latest
        // one that is due.
        tick = kind_ == kind::cron ? cron_->next_after(*last_logical)
                                   : std::optional<timestamp>(*last_logical + interval_);
        if (tick && !catchup_ && *tick <= now) {
          auto latest = latest_at_or_before(now);
          if (latest && *latest > *tick) tick = latest;
        }
      } else if (catchup_ && start_date_) {
        tick = first_at_or_after(*start_date_);
      } else {
        tick = latest_at_or_before(now);
        if (!tick || (start_date_ && *tick < *start_date_))
          tick = first_at_or_after(start_date_ ? std::max(*start_date_, now) : now);
      }
      break;
  }
  if (!tick) return std::nullopt;
  if (start_date_ && *tick < *start_date_) tick = first_at_or_after(*start_date_);
  if (!tick || (end_date_ && *tick > *end_date_)) return std::nullopt;
  return tick;
}

std::string timetable::summary() const { return summary_; }

std::string timetable::description() const {
  switch (kind_) {
    case kind::none:
      return "Never, external triggers only";
    case kind::once:
      return "Once, as soon as possible";
    case kind::cron:
      return cron_->describe();
    case kind::interval:
      return fmt::format("Every {}", summary_);
  }
  return summary_;
}

}  // namespace leoflow::scheduler
