// /api/v2/importErrors: files that fail to parse, with their tracebacks.
#include <charconv>

#include <fmt/format.h>

#include "common/error.hpp"
#include "schema/database.hpp"
#include "schema/dag_store.hpp"
#include "schema/query.hpp"
#include "server/api/api.hpp"
#include "server/api/serializers.hpp"
#include "server/http/params.hpp"

namespace leoflow::api {

namespace asio = boost::asio;
using http::request;
using http::response;

void add_import_error_routes(http::router& r, api_context& ctx) {
  r.add("GET", "/api/v2/importErrors",
        {.query = http::query_of(http::param::paging(), http::param::text("filename_pattern"), http::param::order_by())},
        [&ctx](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    const auto limit = q.limit();
    const auto offset = q.offset();
    auto pattern = q.string("filename_pattern");
    auto order = q.order_by({"id", "import_error_id", "timestamp", "filename", "bundle_name",
                             "stacktrace", "stack_trace"},
                            "id");
    if (auto p = q.problem()) co_return *p;
    std::vector<std::string> columns;
    for (auto o : order) {
      const bool desc = o[0] == '-';
      std::string attr = desc ? o.substr(1) : o;
      if (attr == "import_error_id") attr = "id";
      if (attr == "stacktrace") attr = "stack_trace";
      columns.push_back((desc ? "-" : "") + attr);
    }
    std::vector<std::string> patterns;
    if (pattern) patterns = schema::like_patterns(*pattern);
    auto list = [=](soci::session& s) {
      long long total = 0;
      auto errors = schema::list_import_errors(s, patterns, columns, limit, offset, &total);
      return std::make_pair(std::move(errors), total);
    };
    auto [errors, total] = co_await ctx.db.read(std::move(list));
    bj::array items;
    for (const auto& e : errors) items.push_back(import_error_response(e));
    co_return http::json(list_response("import_errors", std::move(items), total));
  });

  r.add("GET", "/api/v2/importErrors/{import_error_id}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    const auto& text = req.param("import_error_id");
    long long id = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || ptr != text.data() + text.size()) {
      http::validation v;
      v.add("int_parsing", {"path", "import_error_id"},
            "Input should be a valid integer, unable to parse string as an integer", bj::string(text));
      co_return v.error_response();
    }
    auto find = [id](soci::session& s) { return schema::find_import_error(s, id); };
    auto e = co_await ctx.db.read(std::move(find));
    if (!e) co_return http::error(404, not_found_text("ImportError", {{"import_error_id", std::to_string(id)}}));
    co_return http::json(import_error_response(*e));
  });
}

}  // namespace leoflow::api
