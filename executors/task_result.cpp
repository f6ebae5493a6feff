// Reading the runtime's result document into a task_result.
#include <boost/json/serialize.hpp>

#include "common/json.hpp"
#include "executors/executor.hpp"

namespace leoflow::executors {

void read_task_result(const std::string& text, task_result& r) {
  auto doc = json::try_parse(text);
  if (!doc || !doc->is_object()) {
    r.state = "failed";
    r.error = "the task process ended without a readable result";
    return;
  }
  const auto& o = doc->as_object();
  r.state = json::get_string(o, "state").value_or("failed");
  if (r.state != "success" && r.state != "skipped") r.state = "failed";
  r.no_retry = json::get_bool(o, "no_retry").value_or(false);
  r.error = json::get_string(o, "error").value_or("");
  if (const auto* xs = json::get_array(o, "xcoms"))
    for (const auto& x : *xs)
      if (const auto* xo = x.if_object())
        if (auto key = json::get_string(*xo, "key"))
          r.xcoms.emplace_back(*key, boost::json::serialize(xo->contains("value") ? xo->at("value")
                                                                                   : boost::json::value(nullptr)));
  if (const auto* skips = json::get_array(o, "skip_task_ids"))
    for (const auto& s : *skips)
      if (s.is_string()) r.skip_task_ids.emplace_back(s.get_string());
  if (const auto* vars = json::get_object(o, "variables_set"))
    for (const auto& [k, v] : *vars)
      r.variables_set.emplace_back(std::string(k), v.is_string() ? std::string(v.get_string())
                                                                 : boost::json::serialize(v));
  if (const auto* rf = json::get_object(o, "rendered_fields")) r.rendered_fields = boost::json::serialize(*rf);
}

}  // namespace leoflow::executors
