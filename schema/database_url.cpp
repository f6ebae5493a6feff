// Parsing and printing store URLs; libpq itself reads the PostgreSQL forms,
// so this only tells the backends apart, checks the shape and hides passwords.
#include "schema/database_url.hpp"

#include <fstream>

#include <fmt/format.h>

#include "schema/database.hpp"

namespace leoflow::schema {
namespace {

constexpr std::string_view accepted =
    "use sqlite:///absolute/path, postgresql://user@host:port/dbname or libpq's "
    "\"host=… dbname=…\" form";

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool is_uri(std::string_view s) { return starts_with(s, "postgresql://") || starts_with(s, "postgres://"); }

// libpq's key=value form: at least one `key=` with a known key first.
bool is_keyword_form(std::string_view s) {
  const auto eq = s.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  for (char c : s.substr(0, eq))
    if (!(c == '_' || (c >= 'a' && c <= 'z'))) return false;
  return true;
}

// In a URI: `scheme://user:PASSWORD@` and `password=VALUE` in the query.
std::string redact_uri(std::string_view text) {
  std::string out(text);
  const auto scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const auto authority = scheme_end + 3;
    const auto end = out.find_first_of("/?", authority);
    const auto at = out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at != std::string::npos && at > authority) {
      const auto colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (std::size_t pos = 0; (pos = out.find("password=", pos)) != std::string::npos;) {
    const bool param = pos > 0 && (out[pos - 1] == '?' || out[pos - 1] == '&');
    pos += 9;
    if (!param) continue;
    const auto end = out.find('&', pos);
    out.replace(pos, (end == std::string::npos ? out.size() : end) - pos, "***");
  }
  return out;
}

// In key=value text: `password=VALUE` or `password='quoted \' value'`.
std::string redact_keywords(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto pos = text.find("password", i);
    if (pos == std::string_view::npos) break;
    std::size_t j = pos + 8;
    while (j < text.size() && text[j] == ' ') ++j;
    const bool word_start = pos == 0 || text[pos - 1] == ' ';
    if (!word_start || j >= text.size() || text[j] != '=') {
      out.append(text.substr(i, pos + 8 - i));
      i = pos + 8;
      continue;
    }
    ++j;
    while (j < text.size() && text[j] == ' ') ++j;
    out.append(text.substr(i, j - i));
    out.append("***");
    if (j < text.size() && text[j] == '\'') {
      ++j;
      while (j < text.size() && text[j] != '\'') j += text[j] == '\\' ? 2 : 1;
      ++j;
    } else {
      while (j < text.size() && text[j] != ' ') ++j;
    }
    i = std::min(j, text.size());
  }
  out.append(text.substr(std::min(i, text.size())));
  return out;
}

std::string percent_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~')
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

void add_keyword(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out.push_back(' ');
  out.append(key);
  out.append("='");
  for (char c : value) {
    if (c == '\\' || c == '\'') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
}

// libpq's URI form as its key=value form: SOCI splits the string it is given
// into options, which garbles a URI.
std::string uri_to_keywords(std::string_view uri) {
  std::string out;
  std::string_view rest = uri.substr(uri.find("://") + 3);
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const auto userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = userinfo.find(':');
    if (!userinfo.substr(0, colon).empty()) add_keyword(out, "user", percent_decode(userinfo.substr(0, colon)));
    if (colon != std::string_view::npos) add_keyword(out, "password", percent_decode(userinfo.substr(colon + 1)));
  }
  // Hosts: `h1:p1,h2:p2`, an IPv6 address in brackets, a socket folder
  // percent-encoded.
  std::string hosts, ports;
  bool any_port = false;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    std::string_view host = item, port;
    if (!item.empty() && item.front() == '[') {
      const auto close = item.find(']');
      host = item.substr(1, close == std::string_view::npos ? item.size() - 1 : close - 1);
      if (close != std::string_view::npos && close + 1 < item.size() && item[close + 1] == ':')
        port = item.substr(close + 2);
    } else if (const auto colon = item.rfind(':'); colon != std::string_view::npos) {
      host = item.substr(0, colon);
      port = item.substr(colon + 1);
    }
    if (!hosts.empty() || !ports.empty() || any_port) {
      hosts.push_back(',');
      ports.push_back(',');
    }
    hosts += percent_decode(host);
    ports += std::string(port);
    any_port = any_port || !port.empty();
  }
  if (hosts.find_first_not_of(',') != std::string::npos) add_keyword(out, "host", hosts);
  if (any_port) add_keyword(out, "port", ports);
  if (!path.empty()) add_keyword(out, "dbname", percent_decode(path));
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    add_keyword(out, percent_decode(pair.substr(0, eq)), percent_decode(pair.substr(eq + 1)));
  }
  return out;
}

}  // namespace

std::string postgresql_keywords(const database_url& url) {
  return is_uri(url.conninfo) ? uri_to_keywords(url.conninfo) : url.conninfo;
}

std::string redact_conninfo(std::string_view text) {
  return text.find("://") != std::string_view::npos ? redact_uri(text) : redact_keywords(text);
}

std::string database_url::display() const {
  if (kind == backend::sqlite) return "sqlite://" + sqlite_file.string();
  return redact_conninfo(conninfo);
}

database_url sqlite_database(const std::filesystem::path& file) {
  database_url url;
  url.kind = backend::sqlite;
  url.sqlite_file = file;
  return url;
}

database_url parse_database_url(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n')) text.remove_suffix(1);
  if (text.empty()) throw store_error(fmt::format("the database URL is empty: {}", accepted));
  if (starts_with(text, "sqlite://")) {
    const auto path = text.substr(9);
    if (path.empty() || path.front() != '/')
      throw store_error(fmt::format("the SQLite database URL needs an absolute path (sqlite:///home/me/lite.db), got {}", text));
    if (path.find('?') != std::string_view::npos)
      throw store_error("the SQLite database URL takes no options: sqlite:///absolute/path");
    return sqlite_database(std::filesystem::path(std::string(path)));
  }
  database_url url;
  url.kind = backend::postgresql;
  if (is_uri(text)) {
    const auto rest = text.substr(text.find("://") + 3);
    if (rest.empty() || rest.front() == '?')
      throw store_error(fmt::format("the PostgreSQL URL {} names no host or socket", redact_uri(text)));
    url.conninfo = std::string(text);
    return url;
  }
  if (is_keyword_form(text)) {
    url.conninfo = std::string(text);
    return url;
  }
  const auto scheme_end = text.find("://");
  if (scheme_end != std::string_view::npos)
    throw store_error(fmt::format("the database URL's scheme {} is not one Leoflow knows: {}",
                                  text.substr(0, scheme_end), accepted));
  throw store_error(fmt::format("{} is not a database URL: {}", redact_conninfo(text), accepted));
}

database_url with_password_file(database_url url, const std::filesystem::path& file) {
  if (url.kind != backend::postgresql)
    throw store_error("a database password file is only for a PostgreSQL database");
  std::ifstream in(file);
  std::string password;
  if (!in || !std::getline(in, password))
    throw store_error(fmt::format("cannot read the database password file {}", file.string()));
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (is_uri(url.conninfo)) {
    url.conninfo += url.conninfo.find('?') == std::string::npos ? '?' : '&';
    url.conninfo += "password=" + percent_encode(password);
  } else {
    std::string quoted;
    for (char c : password) {
      if (c == '\\' || c == '\'') quoted.push_back('\\');
      quoted.push_back(c);
    }
    url.conninfo += " password='" + quoted + "'";
  }
  return url;
}

}  // namespace leoflow::schema
