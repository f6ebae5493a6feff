// The store's connection to SQLite (or PostgreSQL): migrations at open, one
// writer session on its own thread (SQLite has one writer), a pool of reader
// sessions on another, and awaitable `read`/`write` that run a function there
// and resume the caller on its own executor. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <soci/error.h>
#include <soci/session.h>

#include "common/error.hpp"
#include "common/offload.hpp"
#include "schema/database_url.hpp"

namespace leoflow::schema {

// A failure the user can act on (newer schema, unreadable file, disk full).
class store_error : public failure {
 public:
  explicit store_error(const std::string& what, errc code = errc::internal) : failure(code, what) {}
};

// The disk holding the database is full: the write was not made (its
// transaction rolled back) and the store works again once there is space.
class disk_full : public store_error {
 public:
  explicit disk_full(const std::string& what) : store_error(what, errc::disk_full) {}
};

// A statement failed. Carries the database's message only: SOCI's own text
// adds the statement with its bound values, which may be secrets.
class query_failed : public store_error {
 public:
  using store_error::store_error;
};

// The database server cannot be reached (PostgreSQL down or restarting): the
// statement was not run; the next one tries to reconnect.
class store_unavailable : public store_error {
 public:
  explicit store_unavailable(const std::string& what) : store_error(what, errc::unavailable) {}
};

// Called in a catch block for soci::soci_error: throws disk_full for SQLite's
// "database or disk is full", store_unavailable for a lost PostgreSQL
// connection, else query_failed with the database's message.
[[noreturn]] void rethrow_store_failure();

// Opens a session with Lite's pragmas (WAL, foreign keys, busy timeout).
std::unique_ptr<soci::session> open_session(const std::filesystem::path& file);

// Opens a session on either backend. Throws store_error (the message never
// holds the password).
std::unique_ptr<soci::session> open_session(const database_url& url);

// Applies the embedded migrations that the database lacks. Throws store_error
// when the database was written by a newer binary.
void migrate(soci::session& session);

// The newest schema version this binary knows.
int latest_schema_version();

// What `leoflow db check` reports, read without migrating anything.
struct schema_status {
  std::string server;  // "SQLite 3.40.1", "PostgreSQL 15.18 …"
  int current = 0;     // 0: nothing migrated yet
  int latest = 0;
};

// Connects and reads the schema version. Throws store_error
// (store_unavailable when the server cannot be reached).
schema_status read_schema_status(const database_url& url);

class database {
 public:
  // Creates the file if needed and migrates it. Throws store_error.
  explicit database(const std::filesystem::path& file, std::size_t readers = 2);
  // Opens (and migrates) the database the URL names; `readers` sizes the
  // reader pool. Throws store_error.
  explicit database(const database_url& url, std::size_t readers = 2);
  ~database();

  database(const database&) = delete;
  database& operator=(const database&) = delete;

  // The SQLite file; empty on PostgreSQL.
  const std::filesystem::path& file() const { return url_.sqlite_file; }
  const database_url& url() const { return url_; }

  // Runs f(session) on the writer thread. f should open its own transaction
  // when it writes more than one statement.
  template <typename F>
  boost::asio::awaitable<std::invoke_result_t<F&, soci::session&>> write(F f) {
    return offload(writer_pool_, [this, f = std::move(f)]() mutable {
      std::lock_guard lock(writer_mutex_);
      try {
        return f(*writer_);
      } catch (const soci::soci_error&) {
        rethrow_after_failure(*writer_);
      }
    });
  }

  // Runs f(session) on a reader session (WAL: readers never block the writer).
  template <typename F>
  boost::asio::awaitable<std::invoke_result_t<F&, soci::session&>> read(F f) {
    return offload(reader_pool_, [this, f = std::move(f)]() mutable {
      lease l(*this);
      try {
        return f(*l.session);
      } catch (const soci::soci_error&) {
        rethrow_after_failure(*l.session);
      }
    });
  }

  // Runs f() on the store's thread for file work that goes with its rows
  // (reading a try's log, removing a run's logs): the I/O threads never
  // block on the disk.
  template <typename F>
  boost::asio::awaitable<std::invoke_result_t<F&>> run_blocking(F f) {
    return offload(files_pool_, std::move(f));
  }

  // Blocking access for command-line tools and tests (no io_context needed).
  template <typename F>
  auto write_now(F f) {
    std::lock_guard lock(writer_mutex_);
    try {
      return f(*writer_);
    } catch (const soci::soci_error&) {
      rethrow_after_failure(*writer_);
    }
  }

  void stop();

  // Moves with every commit that changed the database file, made by this
  // process's writer or by another process (`leoflow lite forget`): what was
  // read from the store is still current while it stays the same. Cheap
  // (no query planning, no file I/O); thread-safe.
  std::uint64_t generation();

 private:
  // rethrow_store_failure(), after trying to reconnect `session` when the
  // database server was lost (a PostgreSQL restart), so the next call works
  // again once the server is back.
  [[noreturn]] static void rethrow_after_failure(soci::session& session);

  struct lease {
    explicit lease(database& d);
    ~lease();
    database& db;
    soci::session* session;
  };

  database_url url_;
  std::unique_ptr<soci::session> writer_;
  std::mutex writer_mutex_;
  boost::asio::thread_pool writer_pool_{1};
  boost::asio::thread_pool reader_pool_;
  boost::asio::thread_pool files_pool_{1};
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<soci::session>> idle_readers_;
  // A connection that never writes: SQLite's data_version on it changes
  // with every commit by any other connection. Without one (a backend with
  // no such counter) every call answers a value never seen before.
  struct generation_watch;
  std::unique_ptr<generation_watch> watch_;
  std::atomic<std::uint64_t> unknown_generation_{0};
};

}  // namespace leoflow::schema
