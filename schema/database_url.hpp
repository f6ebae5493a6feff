// Where the store lives: a SQLite file (`sqlite:///abs/path`, Lite's default)
// or a PostgreSQL server (libpq's `postgresql://` URL or its `key=value`
// form). What is printed of a URL never holds its password.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace leoflow::schema {

enum class backend { sqlite, postgresql };

struct database_url {
  backend kind = backend::sqlite;
  std::filesystem::path sqlite_file;  // sqlite: the database file
  std::string conninfo;               // postgresql: what libpq is given (may hold a password)

  // The URL with any password replaced by `***`, for messages and logs.
  std::string display() const;
};

// Parses `sqlite:///path`, `postgresql://…`/`postgres://…` or a libpq
// `key=value …` string. Throws store_error, saying what is accepted, for
// anything else.
database_url parse_database_url(std::string_view text);

database_url sqlite_database(const std::filesystem::path& file);

// Adds the password read from `file` (its first line) to a PostgreSQL URL,
// for configurations that keep the password out of the URL. Throws
// store_error when the file cannot be read or the URL is not PostgreSQL.
database_url with_password_file(database_url url, const std::filesystem::path& file);

// The PostgreSQL URL in libpq's key=value form (what SOCI is given).
std::string postgresql_keywords(const database_url& url);

// `text` with passwords replaced by `***`: a URL's user-info password, a
// `password=` query parameter or key=value pair. For database error messages,
// which may quote the connection string.
std::string redact_conninfo(std::string_view text);

}  // namespace leoflow::schema
