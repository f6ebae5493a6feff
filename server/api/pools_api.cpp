// /api/v2/pools: Airflow's pools, listed with what their task instances take,
// created, changed and deleted through the pool service.
#include <algorithm>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/json.hpp"
#include "server/api/api.hpp"
#include "server/api/body_fields.hpp"
#include "server/api/serializers.hpp"
#include "server/http/error_response.hpp"
#include "server/http/params.hpp"
#include "services/pool_service.hpp"

namespace leoflow::api {

namespace asio = boost::asio;
using http::request;
using http::response;

namespace {

bj::object pool_response(const services::pool_view& v) {
  return bj::object{{"name", v.pool.name},
                    {"slots", v.pool.slots},
                    {"description", json::nullable(v.pool.description)},
                    {"include_deferred", v.pool.include_deferred},
                    {"occupied_slots", v.occupied_slots()},
                    {"running_slots", v.usage.running},
                    {"queued_slots", v.usage.queued},
                    {"scheduled_slots", v.usage.scheduled},
                    {"open_slots", v.open_slots()},
                    {"deferred_slots", v.usage.deferred},
                    {"team_name", nullptr}};
}

// `slots`: an integer of at least -1 (unlimited), as PoolSlots validates.
std::optional<long long> read_slots(const bj::object& body, http::validation& v) {
  const auto* value = body.if_contains("slots");
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_int64() && !value->is_uint64()) {
    v.add("int_type", {"body", "slots"}, "Input should be a valid integer", *value);
    return std::nullopt;
  }
  if (value->is_uint64() || value->get_int64() < -1) {
    v.add(value->is_uint64() ? "int_type" : "greater_than_equal", {"body", "slots"},
          value->is_uint64() ? "Input should be a valid integer" : "Input should be greater than or equal to -1",
          *value);
    return std::nullopt;
  }
  return value->get_int64();
}

void read_team_name(const bj::object& body, http::validation& v) {
  std::optional<std::string> team;
  optional_string(body, "team_name", team, v);
  if (team && team->size() > 50)
    v.add("string_too_long", {"body", "team_name"}, "String should have at most 50 characters", bj::string(*team));
}

response answer(const result<services::pool_view>& r, int status = 200) {
  if (!r) return http::error_response(r.error());
  return http::json(status, pool_response(*r));
}

}  // namespace

void add_pool_routes(http::router& r, api_context& ctx) {
  r.add("GET", "/api/v2/pools",
        {.query = http::query_of(http::param::paging(), http::param::text("pool_name_pattern"),
                                 http::param::order_by())},
        [&ctx](request& req) -> asio::awaitable<response> {
    http::query_params q(req);
    const auto limit = q.limit();
    const auto offset = q.offset();
    auto pattern = q.string("pool_name_pattern");
    auto order = q.order_by({"id", "name", "pool", "slots", "description", "include_deferred"}, "id");
    if (auto p = q.problem()) co_return *p;
    std::vector<std::string> columns;
    for (const auto& o : order) {
      const bool desc = o[0] == '-';
      const std::string attr = desc ? o.substr(1) : o;
      columns.push_back((desc ? "-" : "") + (attr == "name" ? std::string("pool") : attr));
    }
    services::pool_service pools(services_of(ctx));
    auto listed = co_await pools.list(std::move(pattern), std::move(columns), limit, offset);
    co_return http::json(list_response("pools", listed.items, listed.total_entries, pool_response));
  });

  r.add("GET", "/api/v2/pools/{pool_name}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    services::pool_service pools(services_of(ctx));
    co_return answer(co_await pools.get(req.param("pool_name")));
  });

  r.add("POST", "/api/v2/pools", {.body = "PoolBody"}, [&ctx](request& req) -> asio::awaitable<response> {
    std::optional<response> problem;
    auto body = http::json_body(req, problem);
    if (!body) co_return *problem;
    http::validation v;
    schema::pool_record pool;
    std::optional<std::string> name;
    if (const auto* n = body->if_contains("name"); n && n->is_null()) string_type(v, "name", nullptr);
    optional_string(*body, "name", name, v);
    if (!body->contains("name")) v.add("missing", {"body", "name"}, "Field required", *body);
    if (name && name->size() > 256)
      v.add("string_too_long", {"body", "name"}, "String should have at most 256 characters", bj::string(*name));
    auto slots = read_slots(*body, v);
    if (!body->contains("slots")) v.add("missing", {"body", "slots"}, "Field required", *body);
    else if (body->at("slots").is_null()) v.add("int_type", {"body", "slots"}, "Input should be a valid integer", nullptr);
    optional_string(*body, "description", pool.description, v);
    optional_bool(*body, "include_deferred", pool.include_deferred, v);
    read_team_name(*body, v);
    forbid_extra(*body, {"name", "slots", "description", "include_deferred", "team_name"}, v);
    if (!v.ok()) co_return v.error_response();
    if (name->empty()) co_return http::error(400, "A pool's name must not be empty");
    pool.name = *name;
    pool.slots = *slots;
    services::pool_service pools(services_of(ctx));
    co_return answer(co_await pools.create(std::move(pool)), 201);
  });

  r.add("PATCH", "/api/v2/pools/{pool_name}",
        {.query = http::query_of(http::param::update_mask()), .body = "PoolPatchBody"},
        [&ctx](request& req) -> asio::awaitable<response> {
    const auto name = req.param("pool_name");
    std::optional<response> problem;
    auto body = http::json_body(req, problem);
    if (!body) co_return *problem;
    http::query_params q(req);
    const auto mask = q.list("update_mask");
    http::validation v;
    // The body names the pool as "name" or, as PoolPatchBody spells it, "pool".
    std::optional<std::string> named;
    optional_string(*body, "name", named, v);
    optional_string(*body, "pool", named, v);
    services::pool_update change{name, std::nullopt, std::nullopt, std::nullopt};
    auto slots = read_slots(*body, v);
    std::optional<std::string> description;
    optional_string(*body, "description", description, v);
    std::optional<bool> include_deferred;
    if (const auto* d = body->if_contains("include_deferred"); d && !d->is_null()) {
      bool value = false;
      if (optional_bool(*body, "include_deferred", value, v)) include_deferred = value;
    }
    read_team_name(*body, v);
    forbid_extra(*body, {"name", "pool", "slots", "description", "include_deferred", "team_name"}, v);
    if (!v.ok()) co_return v.error_response();
    if (named && *named != name)
      co_return http::error(400, "Invalid body, pool name from request body doesn't match uri parameter");
    for (const auto& m : mask)
      if (m != "slots" && m != "include_deferred" && m != "description" && m != "name" && m != "pool")
        co_return http::error(400, fmt::format("Invalid field `{}` in update mask", m));
    const bool is_default = name == schema::default_pool_name;
    if (mask.empty()) {
      // The whole body: what PoolBody requires must be there.
      if (is_default) co_return http::error(400, "Only slots and included_deferred can be modified on Default Pool");
      http::validation required;
      if (!slots) required.add("missing", {"slots"}, "Field required", *body);
      if (!include_deferred) required.add("missing", {"include_deferred"}, "Field required", *body);
      if (!required.ok()) co_return required.error_response();
      change.slots = slots;
      change.description = description;
      change.include_deferred = include_deferred;
    } else {
      for (const auto& m : mask) {
        if (is_default && m != "slots" && m != "include_deferred")
          co_return http::error(400, "Only slots and included_deferred can be modified on Default Pool");
        if (m == "slots") change.slots = slots;
        if (m == "include_deferred") change.include_deferred = include_deferred.value_or(false);
        if (m == "description") change.description = description;
      }
      if (std::find(mask.begin(), mask.end(), "slots") != mask.end() && !slots) {
        http::validation required;
        required.add("missing", {"slots"}, "Field required", *body);
        co_return required.error_response();
      }
    }
    services::pool_service pools(services_of(ctx));
    co_return answer(co_await pools.update(std::move(change)));
  });

  r.add("DELETE", "/api/v2/pools/{pool_name}", {}, [&ctx](request& req) -> asio::awaitable<response> {
    services::pool_service pools(services_of(ctx));
    auto removed = co_await pools.remove(req.param("pool_name"));
    if (!removed) co_return http::error_response(removed.error());
    co_return http::no_content();
  });
}

}  // namespace leoflow::api
