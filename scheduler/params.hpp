// Checking a run's conf against the DAG's params before the run is created,
// as Airflow does on trigger: each value must fit its param's schema (the
// common JSON-schema keywords: type, enum, minimum/maximum, minLength/maxLength).
#pragma once

#include <optional>
#include <string>

#include <boost/json/object.hpp>

namespace leoflow::scheduler {

// nullopt when the conf is acceptable, else the message for a 400.
std::optional<std::string> validate_conf(const boost::json::object& params, const boost::json::object& conf);

}  // namespace leoflow::scheduler
