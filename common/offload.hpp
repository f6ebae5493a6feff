// Runs blocking work (disk scans, SQLite) on a thread pool and resumes the
// awaiting coroutine on its own executor; exceptions travel back with it.
#pragma once

#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace leoflow {

template <typename F>
boost::asio::awaitable<std::invoke_result_t<F&>> offload(boost::asio::thread_pool& pool, F f) {
  using result = std::invoke_result_t<F&>;
  auto job = [f = std::move(f)]() mutable -> boost::asio::awaitable<result> {
    if constexpr (std::is_void_v<result>) {
      f();
      co_return;
    } else {
      co_return f();
    }
  };
  return boost::asio::co_spawn(pool.get_executor(), std::move(job), boost::asio::use_awaitable);
}

}  // namespace leoflow
