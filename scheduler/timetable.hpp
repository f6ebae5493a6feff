// When a DAG runs on its own: a cron expression or preset, a fixed interval
// (timedelta), @once, or never. Airflow 3 semantics: a run's logical date and
// run_after are the tick itself and its data interval is [tick, tick];
// catchup=False runs only the latest missed tick, catchup=True every one
// since start_date; nothing before start_date or after end_date.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "common/clock.hpp"
#include "scheduler/cron.hpp"

namespace leoflow::scheduler {

class timetable {
 public:
  enum class kind { none, once, cron, interval };

  // From a DAG spec; `error` set (and kind none) when the schedule is invalid.
  static timetable from_spec(const boost::json::object& spec, std::string& error);

  kind type() const { return kind_; }
  bool schedules() const { return kind_ != kind::none; }

  // The next tick to run given the latest scheduled run's logical date (if
  // any) and now. The tick may be in the future (then it is "next run").
  std::optional<timestamp> next_tick(std::optional<timestamp> last_logical, timestamp now) const;

  std::string summary() const;
  std::string description() const;

 private:
  std::optional<timestamp> first_at_or_after(timestamp t) const;
  std::optional<timestamp> latest_at_or_before(timestamp t) const;

  kind kind_ = kind::none;
  std::optional<cron_expression> cron_;
  std::chrono::microseconds interval_{0};
  std::optional<timestamp> start_date_;
  std::optional<timestamp> end_date_;
  bool catchup_ = false;
  std::string summary_;
};

}  // namespace leoflow::scheduler
