// The sign-in page.
#include "server/auth/login_page.hpp"

#include <string>

#include <fmt/format.h>
#include <sodium.h>


namespace leoflow::auth {

namespace {

constexpr std::string_view stylesheet = R"CSS(
body{margin:0;font:15px/1.4 system-ui,sans-serif;background:#f4f6f8;color:#1d2433;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border:1px solid #d8dde5;border-radius:8px;padding:28px 32px;width:320px;box-shadow:0 2px 12px rgba(0,0,0,.06)}
h1{font-size:20px;margin:0 0 4px}.badge{display:inline-block;background:#017cee;color:#fff;font-size:11px;font-weight:700;border-radius:4px;padding:1px 6px;margin-left:6px;vertical-align:middle}
p.note{margin:0 0 18px;color:#5b6678;font-size:13px}label{display:block;font-size:13px;margin:12px 0 4px}
input{box-sizing:border-box;width:100%;padding:8px 10px;border:1px solid #c3cad5;border-radius:5px;font:inherit}
button{margin-top:18px;width:100%;padding:9px;border:0;border-radius:5px;background:#017cee;color:#fff;font:inherit;font-weight:600;cursor:pointer}
.error{background:#fdecea;color:#8a1c12;border-radius:5px;padding:8px 10px;font-size:13px;margin-bottom:8px}
@media (prefers-color-scheme:dark){body{background:#11151c;color:#e3e8ef}main{background:#1a2029;border-color:#2c3440}input{background:#11151c;color:#e3e8ef;border-color:#3a4452}p.note{color:#9aa5b5}}
)CSS";

std::string escape_html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string style_hash() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(stylesheet.data()), stylesheet.size());
  char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
  return b64;
}

}  // namespace

std::string safe_next(std::string_view next) {
  if (next.empty() || next[0] != '/' || next.size() > 2048) return "/";
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return "/";
  for (char c : next)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') return "/";
  // Never back into the login machinery.
  if (next.rfind("/auth/", 0) == 0 || next.rfind("/api/v2/auth/", 0) == 0) return "/";
  return std::string(next);
}

http::response login_page(int status, std::string_view next, std::string_view message) {
  static const std::string hash = style_hash();
  std::string error;
  if (!message.empty()) error = fmt::format(R"(<div class="error" role="alert">{}</div>)", escape_html(message));
  http::response res;
  res.status = status;
  res.content_type = "text/html; charset=utf-8";
  res.body = fmt::format(R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in · Leoflow Lite</title><style>{}</style></head>
<body><main>
<h1>Leoflow<span class="badge">LITE</span></h1>
<p class="note">Sign in to continue.</p>
{}<form method="post" action="/auth/login" aria-label="Sign in">
<input type="hidden" name="next" value="{}">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form></main></body></html>
)HTML",
                         stylesheet, error, escape_html(safe_next(next)));
  res.headers.emplace_back("Content-Security-Policy",
                           fmt::format("default-src 'none'; style-src 'sha256-{}'; form-action 'self'; "
                                       "frame-ancestors 'none'; base-uri 'none'",
                                       hash));
  res.headers.emplace_back("Cache-Control", "no-store");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  return res;
}

}  // namespace leoflow::auth
