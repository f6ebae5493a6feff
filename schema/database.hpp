// The store's connection to SQLite: migrations at open, one writer session on
// its own thread (SQLite has one writer), a pool of reader sessions on another,
// and awaitable `read`/`write` that run a function there and resume the caller
// on its own executor. Thread-safe.
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

#include "common/offload.hpp"

namespace leoflow::schema {

// A failure the user can act on (newer schema, unreadable file, disk full).
class store_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The disk holding the database is full: the write was not made (its
// transaction rolled back) and the store works again once there is space.
class disk_full : public store_error {
 public:
  using store_error::store_error;
};

// A statement failed. Carries the database's message only: SOCI's own text
// adds the statement with its bound values, which may be secrets.
class query_failed : public store_error {
 public:
  using store_error::store_error;
};

// Called in a catch block for soci::soci_error: throws disk_full for SQLite's
// "database or disk is full", else query_failed with the database's message.
[[noreturn]] void rethrow_store_failure();

// Opens a session with Lite's pragmas (WAL, foreign keys, busy timeout).
std::unique_ptr<soci::session> open_session(const std::filesystem::path& file);

// Applies the embedded migrations that the database lacks. Throws store_error
// when the database was written by a newer binary.
void migrate(soci::session& session);

// The newest schema version this binary knows.
int latest_schema_version();

class database {
 public:
  // Creates the file if needed and migrates it. Throws store_error.
  explicit database(const std::filesystem::path& file, std::size_t readers = 2);
  ~database();

  database(const database&) = delete;
  database& operator=(const database&) = delete;

  const std::filesystem::path& file() const { return file_; }

  // Runs f(session) on the writer thread. f should open its own transaction
  // when it writes more than one statement.
  template <typename F>
  boost::asio::awaitable<std::invoke_result_t<F&, soci::session&>> write(F f) {
    return offload(writer_pool_, [this, f = std::move(f)]() mutable {
      std::lock_guard lock(writer_mutex_);
      try {
        return f(*writer_);
      } catch (const soci::soci_error&) {
        rethrow_store_failure();
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
        rethrow_store_failure();
      }
    });
  }

  // Blocking access for command-line tools and tests (no io_context needed).
  template <typename F>
  auto write_now(F f) {
    std::lock_guard lock(writer_mutex_);
    try {
      return f(*writer_);
    } catch (const soci::soci_error&) {
      rethrow_store_failure();
    }
  }

  void stop();

  // Moves with every commit that changed the database file, made by this
  // process's writer or by another process (`leoflow lite forget`): what was
  // read from the store is still current while it stays the same. Cheap
  // (no query planning, no file I/O); thread-safe.
  std::uint64_t generation();

 private:
  struct lease {
    explicit lease(database& d);
    ~lease();
    database& db;
    soci::session* session;
  };

  std::filesystem::path file_;
  std::unique_ptr<soci::session> writer_;
  std::mutex writer_mutex_;
  boost::asio::thread_pool writer_pool_{1};
  boost::asio::thread_pool reader_pool_;
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
