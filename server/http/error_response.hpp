// The one mapping from Leoflow's error enum to HTTP: the status and
// Airflow's {"detail": ...} body.
#pragma once

#include "common/error.hpp"
#include "server/http/message.hpp"

namespace leoflow::http {

int status_of(errc code);

// A returned domain error: its status and its detail.
response error_response(const leoflow::error& e);

// A thrown failure: disk_full and the other codes a client can act on say
// what happened; internal ones answer 500 and leak nothing.
response error_response(const failure& f);

}  // namespace leoflow::http
