// errc → HTTP status, in one table.
#include "server/http/error_response.hpp"

namespace leoflow::http {

int status_of(errc code) {
  switch (code) {
    case errc::not_found: return 404;
    case errc::conflict: return 409;
    case errc::invalid_argument: return 400;
    case errc::forbidden: return 403;
    case errc::disk_full: return 507;
    case errc::unavailable: return 503;
    case errc::internal: return 500;
  }
  return 500;
}

response error_response(const leoflow::error& e) { return http::error(status_of(e.code), e.detail); }

response error_response(const failure& f) {
  if (f.code() == errc::internal) return http::error(500, "Internal Server Error");
  return http::error(status_of(f.code()), f.what());
}

}  // namespace leoflow::http
