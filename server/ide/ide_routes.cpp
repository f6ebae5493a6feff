// The /api/v2/ide/ routes: requests checked and read here, the file work
// done by the workspace on the service's pool.
//   GET    /api/v2/ide/roots
//   GET    /api/v2/ide/tree?root=R&path=P
//   GET    /api/v2/ide/file?root=R&path=P
//   PUT    /api/v2/ide/file      {root, path, content, etag | force}
//   POST   /api/v2/ide/file      {root, path, content?}
//   POST   /api/v2/ide/folder    {root, path}
//   POST   /api/v2/ide/rename    {root, path, new_path, overwrite?}
//   DELETE /api/v2/ide/file?root=R&path=P
//   DELETE /api/v2/ide/folder?root=R&path=P&recursive=true
#include "server/ide/ide.hpp"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <variant>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <fmt/format.h>

#include "common/offload.hpp"
#include "server/http/params.hpp"

namespace leoflow::ide {

namespace asio = boost::asio;
namespace bj = boost::json;
using http::request;
using http::response;

ide_service::ide_service(const std::vector<std::filesystem::path>& roots, workspace_limits limits, resolve_mode mode)
    : files_(roots, limits, mode) {}

ide_service::~ide_service() { pool_.join(); }

namespace {

response refused(const refusal& r) {
  bj::object body{{"detail", r.detail()}};
  if (r.status() == 409) body["etag"] = r.etag().empty() ? bj::value(nullptr) : bj::value(r.etag());
  return http::json(r.status(), body);
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

// The editor writes files that Lite then runs, so a request must come from
// the UI itself, with or without a login: not from another site, and a write
// must be JSON (a cross-site form cannot send that without a preflight). The
// gate has already checked that the Host names this server.
std::optional<response> foreign_request(const request& req, bool write) {
  const auto* host = req.header("Host");
  if (const auto* site = req.header("Sec-Fetch-Site"); site && *site != "same-origin" && *site != "none")
    return http::error(403, "Forbidden: the IDE answers only its own pages");
  if (const auto* origin = req.header("Origin"); origin && write) {
    const std::string_view o = *origin;
    const auto scheme_end = o.find("://");
    if (!host || scheme_end == std::string_view::npos || o.substr(scheme_end + 3) != *host)
      return http::error(403, "Forbidden: cross-origin request");
  }
  if (write && (req.method == "PUT" || req.method == "POST")) {
    const auto* type = req.header("Content-Type");
    if (!type || !starts_with_ci(*type, "application/json"))
      return http::error(415, "Send the request body as JSON (Content-Type: application/json)");
  }
  return std::nullopt;
}

// The root and path a request names, or the answer refusing it.
struct target {
  std::size_t root = 0;
  std::string path;
};

std::variant<target, response> query_target(ide_service& ide, const request& req, bool path_required) {
  http::query_params q(req);
  auto root = q.string("root");
  auto path = q.string("path");
  http::validation v;
  if (!root) v.add("missing", {"query", "root"}, "Field required", nullptr);
  if (path_required && !path) v.add("missing", {"query", "path"}, "Field required", nullptr);
  if (!v.ok()) return v.error_response();
  auto index = ide.files().find_root(*root);
  if (!index) return refused(index.error());
  return target{index.value(), path.value_or("")};
}

// Reads the JSON fields of a write; every problem is one 422.
class body_fields {
 public:
  explicit body_fields(const bj::object& body) : body_(body) {}

  // As in Airflow's bodies, an unknown field (a typo) is refused, not ignored.
  void allow_only(std::initializer_list<std::string_view> names) {
    for (const auto& [key, value] : body_)
      if (std::find(names.begin(), names.end(), std::string_view(key)) == names.end())
        v_.add("extra_forbidden", {"body", bj::string(key)}, "Extra inputs are not permitted", value);
  }

  std::optional<std::string> text(std::string_view key, bool required) {
    const auto* value = body_.if_contains(key);
    if (!value || value->is_null()) {
      if (required) v_.add("missing", {"body", bj::string(key)}, "Field required", nullptr);
      return std::nullopt;
    }
    if (!value->is_string()) {
      v_.add("string_type", {"body", bj::string(key)}, "Input should be a valid string", nullptr);
      return std::nullopt;
    }
    return std::string(value->get_string());
  }

  bool flag(std::string_view key) {
    const auto* value = body_.if_contains(key);
    if (!value || value->is_null()) return false;
    if (!value->is_bool()) {
      v_.add("bool_type", {"body", bj::string(key)}, "Input should be a valid boolean", *value);
      return false;
    }
    return value->get_bool();
  }

  // The root as its index (a number or digits) or its name.
  std::optional<std::string> root() {
    const auto* value = body_.if_contains("root");
    if (value && value->is_int64() && value->get_int64() >= 0) return std::to_string(value->get_int64());
    if (value && value->is_uint64()) return std::to_string(value->get_uint64());
    if (value && value->is_string()) return std::string(value->get_string());
    if (!value || value->is_null())
      v_.add("missing", {"body", "root"}, "Field required", nullptr);
    else
      v_.add("value_error", {"body", "root"}, "root is the index or the name of a watched folder", *value);
    return std::nullopt;
  }

  const http::validation& validation() const { return v_; }
  bool ok() const { return v_.ok(); }

 private:
  const bj::object& body_;
  http::validation v_;
};

bj::object root_json(const ide_root& r) {
  return bj::object{{"index", r.index}, {"name", r.name}, {"path", r.path.string()}};
}

std::filesystem::path absolute_path(ide_service& ide, std::size_t root, const std::string& relative) {
  return ide.files().roots().at(root).path / relative;
}

asio::awaitable<response> list_roots(ide_service& ide, request& req) {
  if (auto no = foreign_request(req, false)) co_return *no;
  bj::array roots;
  for (const auto& r : ide.files().roots()) roots.push_back(root_json(r));
  const auto limit = static_cast<std::uint64_t>(ide.files().limits().max_file_bytes);
  co_return http::json(bj::object{{"roots", std::move(roots)}, {"max_file_bytes", limit}});
}

asio::awaitable<response> list_folder(ide_service& ide, request& req) {
  if (auto no = foreign_request(req, false)) co_return *no;
  auto where = query_target(ide, req, false);
  if (auto* answer = std::get_if<response>(&where)) co_return std::move(*answer);
  const auto t = std::get<target>(where);
  auto job = [&files = ide.files(), t] { return files.list(t.root, t.path); };
  auto listing = co_await offload(ide.pool(), std::move(job));
  if (!listing) co_return refused(listing.error());
  bj::array entries;
  for (const auto& e : listing->entries) {
    bj::object item{{"name", e.name}, {"path", e.path}, {"type", entry_type_name(e.type)}};
    if (e.type == entry_type::file) item["size"] = e.size;
    entries.push_back(std::move(item));
  }
  co_return http::json(bj::object{{"root", t.root},
                                  {"path", listing->path},
                                  {"entries", std::move(entries)},
                                  {"truncated", listing->truncated}});
}

asio::awaitable<response> read_file(ide_service& ide, request& req) {
  if (auto no = foreign_request(req, false)) co_return *no;
  auto where = query_target(ide, req, true);
  if (auto* answer = std::get_if<response>(&where)) co_return std::move(*answer);
  const auto t = std::get<target>(where);
  auto job = [&files = ide.files(), t] { return files.read(t.root, t.path); };
  auto file = co_await offload(ide.pool(), std::move(job));
  if (!file) co_return refused(file.error());
  auto res = http::json(bj::object{{"root", t.root},
                                   {"path", file->path},
                                   {"content", file->content},
                                   {"etag", file->etag},
                                   {"size", file->content.size()}});
  res.headers.emplace_back("Cache-Control", "no-store");
  co_return res;
}

asio::awaitable<response> save_file(ide_service& ide, request& req) {
  if (auto no = foreign_request(req, true)) co_return *no;
  std::optional<response> problem;
  auto body = http::json_body(req, problem);
  if (!body) co_return std::move(*problem);
  body_fields f(*body);
  f.allow_only({"root", "path", "content", "etag", "force"});
  auto root = f.root();
  auto path = f.text("path", true);
  auto content = f.text("content", true);
  auto etag = f.text("etag", false);
  const bool force = f.flag("force");
  if (!f.ok()) co_return f.validation().error_response();
  auto index = ide.files().find_root(*root);
  if (!index) co_return refused(index.error());
  auto job = [&files = ide.files(), r = index.value(), p = *path, c = std::move(*content), etag, force] {
    return files.save(r, p, c, etag, force);
  };
  auto saved = co_await offload(ide.pool(), std::move(job));
  if (!saved) co_return refused(saved.error());
  if (!saved->unchanged) ide.changed(absolute_path(ide, index.value(), saved->path));
  co_return http::json(bj::object{{"root", index.value()},
                                  {"path", saved->path},
                                  {"etag", saved->etag},
                                  {"size", saved->size},
                                  {"unchanged", saved->unchanged}});
}

asio::awaitable<response> create_file(ide_service& ide, request& req) {
  if (auto no = foreign_request(req, true)) co_return *no;
  std::optional<response> problem;
  auto body = http::json_body(req, problem);
  if (!body) co_return std::move(*problem);
  body_fields f(*body);
  f.allow_only({"root", "path", "content"});
  auto root = f.root();
  auto path = f.text("path", true);
  auto content = f.text("content", false);
  if (!f.ok()) co_return f.validation().error_response();
  auto index = ide.files().find_root(*root);
  if (!index) co_return refused(index.error());
  auto job = [&files = ide.files(), r = index.value(), p = *path, c = content.value_or("")] {
    return files.create_file(r, p, c);
  };
  auto created = co_await offload(ide.pool(), std::move(job));
  if (!created) co_return refused(created.error());
  ide.changed(absolute_path(ide, index.value(), created->path));
  co_return http::json(201, bj::object{{"root", index.value()},
                                       {"path", created->path},
                                       {"etag", created->etag},
                                       {"size", created->size}});
}

asio::awaitable<response> create_folder(ide_service& ide, request& req) {
  if (auto no = foreign_request(req, true)) co_return *no;
  std::optional<response> problem;
  auto body = http::json_body(req, problem);
  if (!body) co_return std::move(*problem);
  body_fields f(*body);
  f.allow_only({"root", "path"});
  auto root = f.root();
  auto path = f.text("path", true);
  if (!f.ok()) co_return f.validation().error_response();
  auto index = ide.files().find_root(*root);
  if (!index) co_return refused(index.error());
  auto job = [&files = ide.files(), r = index.value(), p = *path] { return files.create_folder(r, p); };
  auto created = co_await offload(ide.pool(), std::move(job));
  if (!created) co_return refused(created.error());
  ide.changed(absolute_path(ide, index.value(), created.value()));
  co_return http::json(201, bj::object{{"root", index.value()}, {"path", created.value()}});
}

asio::awaitable<response> rename_entry(ide_service& ide, request& req) {
  if (auto no = foreign_request(req, true)) co_return *no;
  std::optional<response> problem;
  auto body = http::json_body(req, problem);
  if (!body) co_return std::move(*problem);
  body_fields f(*body);
  f.allow_only({"root", "path", "new_path", "overwrite"});
  auto root = f.root();
  auto path = f.text("path", true);
  auto new_path = f.text("new_path", true);
  const bool overwrite = f.flag("overwrite");
  if (!f.ok()) co_return f.validation().error_response();
  auto index = ide.files().find_root(*root);
  if (!index) co_return refused(index.error());
  auto job = [&files = ide.files(), r = index.value(), from = *path, to = *new_path, overwrite] {
    return files.rename(r, from, to, overwrite);
  };
  auto moved = co_await offload(ide.pool(), std::move(job));
  if (!moved) co_return refused(moved.error());
  ide.changed(absolute_path(ide, index.value(), *path));
  ide.changed(absolute_path(ide, index.value(), moved.value()));
  co_return http::json(bj::object{{"root", index.value()}, {"path", moved.value()}});
}

asio::awaitable<response> delete_entry(ide_service& ide, request& req, bool folder) {
  if (auto no = foreign_request(req, true)) co_return *no;
  auto where = query_target(ide, req, true);
  if (auto* answer = std::get_if<response>(&where)) co_return std::move(*answer);
  const auto t = std::get<target>(where);
  http::query_params q(req);
  const bool recursive = q.boolean("recursive", false);
  if (auto p = q.problem()) co_return *p;
  auto job = [&files = ide.files(), t, folder, recursive] {
    return folder ? files.remove_folder(t.root, t.path, recursive) : files.remove_file(t.root, t.path);
  };
  auto removed = co_await offload(ide.pool(), std::move(job));
  if (!removed) co_return refused(removed.error());
  ide.changed(absolute_path(ide, t.root, t.path));
  co_return http::no_content();
}

}  // namespace

void add_ide_routes(http::router& r, ide_service& ide) {
  r.add("GET", "/api/v2/ide/roots", {}, [&ide](request& req) { return list_roots(ide, req); });
  r.add("GET", "/api/v2/ide/tree",
        {.query = http::query_of(http::param::of("root", http::param_type::root, true),
                                 http::param::of("path", http::param_type::file_path))},
        [&ide](request& req) { return list_folder(ide, req); });
  r.add("GET", "/api/v2/ide/file",
        {.query = http::query_of(http::param::of("root", http::param_type::root, true),
                                 http::param::of("path", http::param_type::file_path, true))},
        [&ide](request& req) { return read_file(ide, req); });
  r.add("PUT", "/api/v2/ide/file", {.body = "IdeFileSaveBody"}, [&ide](request& req) { return save_file(ide, req); });
  r.add("POST", "/api/v2/ide/file",
        {.body = "IdeFileCreateBody"},
        [&ide](request& req) { return create_file(ide, req); });
  r.add("DELETE", "/api/v2/ide/file",
        {.query = http::query_of(http::param::of("root", http::param_type::root, true),
                                 http::param::of("path", http::param_type::file_path, true))},
        [&ide](request& req) { return delete_entry(ide, req, false); });
  r.add("POST", "/api/v2/ide/folder",
        {.body = "IdeFolderCreateBody"},
        [&ide](request& req) { return create_folder(ide, req); });
  r.add("DELETE", "/api/v2/ide/folder",
        {.query = http::query_of(http::param::of("root", http::param_type::root, true),
                                 http::param::of("path", http::param_type::file_path, true),
                                 http::param::boolean("recursive"))},
        [&ide](request& req) { return delete_entry(ide, req, true); });
  r.add("POST", "/api/v2/ide/rename",
        {.body = "IdeRenameBody"},
        [&ide](request& req) { return rename_entry(ide, req); });
}

}  // namespace leoflow::ide
