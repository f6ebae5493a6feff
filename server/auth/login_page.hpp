// The sign-in page a browser gets instead of the UI when it has no valid
// session: plain HTML and one stylesheet pinned by hash in a strict CSP, no
// script. It posts to /auth/login, which sets the session cookie and sends
// the browser back to where it was going.
#pragma once

#include <string_view>

#include "server/http/message.hpp"

namespace leoflow::auth {

// `next` is where to go after signing in (a local path); `message` is shown
// above the form when not empty.
http::response login_page(int status, std::string_view next, std::string_view message);

// A local path to go back to, or "/" for anything that could leave the site
// (absolute URLs, //host, backslashes, control characters).
std::string safe_next(std::string_view next);

}  // namespace leoflow::auth
