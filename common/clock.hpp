// Time points and their text forms: the store's fixed-width UTC strings, the
// API's RFC 3339 strings as Airflow prints them, and Python-style run ids.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace leoflow {

using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

timestamp now();

// Fixed width, always six fractional digits, so text order is time order:
// 2026-11-28T13:03:54.123456Z. This is what the store keeps.
std::string format_store_time(timestamp t);

// RFC 3339 the way Airflow's API prints it: the fraction only when non-zero.
std::string format_api_time(timestamp t);

// Python's isoformat() with an explicit UTC offset, as in Airflow run ids:
// 2026-05-23T04:48:14.310347+00:00.
std::string format_python_iso(timestamp t);

// HH:MM:SS in local time for terminal lines.
std::string format_local_clock(timestamp t);

// Accepts RFC 3339 / ISO 8601: a date, or date-time with optional fraction and
// optional Z / ±HH:MM offset (no offset means UTC). nullopt when malformed.
std::optional<timestamp> parse_time(std::string_view text);

// Store text → API text; empty optional stays empty.
std::optional<std::string> store_to_api_time(const std::optional<std::string>& stored);

}  // namespace leoflow
