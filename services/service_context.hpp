// What every service writes to and tells: the store, the live events, the
// scheduler (null where none runs) and the folder of the tries' logs.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace leoflow {
class event_bus;
namespace schema {
class database;
}
}  // namespace leoflow

namespace leoflow::services {

class scheduling;

struct service_context {
  schema::database& db;
  event_bus& events;
  scheduling* scheduler = nullptr;
  std::filesystem::path logs_dir;
  // Called after a DAG was deleted (the engine stops its work). Optional.
  std::function<void(const std::string& dag_id)> dag_deleted;
};

}  // namespace leoflow::services
