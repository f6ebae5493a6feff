// Fuzzes the schedule parsers: with a first byte below 128 the rest is a
// cron expression or preset (parsed, evaluated around fixed instants,
// described); otherwise it is a DAG spec's JSON for timetable::from_spec.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>

#include "scheduler/cron.hpp"
#include "scheduler/timetable.hpp"

namespace {

using leoflow::timestamp;
using namespace std::chrono;

// 2026-03-29T01:30:00Z and the last second of 2099: a weekend, a month end,
// and a far instant so searches meet their year limit.
const timestamp instants[] = {timestamp(seconds(1774747800)), timestamp(seconds(4102444799))};

void fuzz_cron(std::string_view text) {
  std::string error;
  auto cron = leoflow::scheduler::cron_expression::parse(leoflow::scheduler::expand_preset(text), error);
  if (!cron) return;
  (void)cron->describe();
  for (auto t : instants) {
    auto next = cron->next_after(t);
    if (next && (*next <= t || !cron->matches(*next))) __builtin_trap();
    auto latest = cron->latest_at_or_before(t);
    if (latest && (*latest > t || !cron->matches(*latest))) __builtin_trap();
  }
}

void fuzz_timetable(std::string_view json) {
  boost::system::error_code ec;
  auto spec = boost::json::parse(json, ec);
  if (ec || !spec.is_object()) return;
  std::string error;
  auto table = leoflow::scheduler::timetable::from_spec(spec.as_object(), error);
  (void)table.summary();
  (void)table.description();
  for (auto t : instants) {
    (void)table.next_tick(std::nullopt, t);
    (void)table.next_tick(t - hours(24 * 400), t);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] < 128)
    fuzz_cron(rest);
  else
    fuzz_timetable(rest);
  return 0;
}
