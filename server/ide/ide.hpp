// The /ide editor's file API (Lite only), under /api/v2/ide/: the watched
// folders, lazy folder listings, reading a text file with its etag, saving
// it (refused with 409 when stale), creating, renaming and deleting. JSON in
// and out, errors as {"detail"}. File work runs on the service's own thread
// pool, never on the I/O threads. See docs/ide.md.
#pragma once

#include <filesystem>
#include <functional>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "server/http/router.hpp"
#include "server/ide/workspace.hpp"

namespace leoflow::ide {

class ide_service {
 public:
  explicit ide_service(const std::vector<std::filesystem::path>& roots, workspace_limits limits = {},
                       resolve_mode mode = resolve_mode::automatic);
  ~ide_service();

  ide_service(const ide_service&) = delete;
  ide_service& operator=(const ide_service&) = delete;

  workspace& files() { return files_; }
  boost::asio::thread_pool& pool() { return pool_; }

  // Told the absolute path of every file or folder the IDE changed, so the
  // watcher reparses at once. Set before the server runs.
  void on_change(std::function<void(const std::filesystem::path&)> f) { changed_ = std::move(f); }
  void changed(const std::filesystem::path& path) const {
    if (changed_) changed_(path);
  }

 private:
  workspace files_;
  boost::asio::thread_pool pool_{2};
  std::function<void(const std::filesystem::path&)> changed_;
};

void add_ide_routes(http::router& r, ide_service& ide);

}  // namespace leoflow::ide
