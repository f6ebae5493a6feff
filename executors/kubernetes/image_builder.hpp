// The image a DAG project's tries run in: built from the configured base
// image (its Python), the project's dependencies, the project folder and
// Lite's sdk, with podman, buildah or docker (or a command of the user's),
// tagged by a hash of all of that so an unchanged project reuses its image,
// then imported into k3d or pushed. One build at a time; the build context
// (a copy of the project and the sdk, the Containerfile) is removed after it.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>

#include "executors/kubernetes/kubernetes_executor.hpp"

namespace leoflow {
class console;
}

namespace leoflow::kubernetes {

namespace fs = std::filesystem;

inline constexpr std::string_view image_project_dir = "/opt/leoflow/project";
inline constexpr std::string_view image_sdk_dir = "/opt/leoflow/sdk";

struct image_settings {
  // auto (podman, buildah, then docker), podman, buildah, docker, command
  // (run `command` with the build described in its environment), or none
  // (every try runs `name` as it is).
  std::string builder = "auto";
  std::string base = "python:3.11-slim";
  std::string repository = "leoflow";
  std::string name;                  // builder none
  std::vector<std::string> command;  // builder command
  std::string storage_driver;        // podman/buildah --storage-driver (e.g. vfs)
  // Where the cluster gets the image: "k3d:<cluster>" (k3d image import),
  // "push" (to `repository`'s registry) or "" (the builder's store is the
  // cluster's).
  std::string import_to;
  fs::path sdk_dir;
  fs::path work_dir;  // build contexts
  std::chrono::seconds timeout{1800};
};

class image_builder {
 public:
  image_builder(boost::asio::any_io_executor ex, console& out, image_settings settings);

  // The image of the project as it is on disk now, built when its hash is new.
  boost::asio::awaitable<image_result> ensure(const fs::path& project_dir, const std::vector<std::string>& dependencies);

  // The tag a project's content gets (no build).
  std::string tag_for(const fs::path& project_dir, const std::vector<std::string>& dependencies) const;

  // What builds images, for the terminal: "buildah (/usr/bin/buildah)".
  std::string describe() const;

  // The Containerfile of a build (pure; for tests).
  static std::string containerfile(const std::string& base, const std::vector<std::string>& dependencies);

 private:
  boost::asio::awaitable<image_result> build(std::string tag, fs::path project_dir, std::vector<std::string> dependencies);
  std::vector<std::string> tool_args(std::vector<std::string> args) const;

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  console& console_;
  image_settings settings_;
  fs::path tool_;  // the builder program (podman, buildah, docker or command[0])
  std::string kind_;
  std::map<std::string, image_result> done_;  // by tag, on strand_
  bool busy_ = false;                           // on strand_
};

}  // namespace leoflow::kubernetes
