// Files embedded into the binary at build time (cmake/embed.cmake): SQL
// migrations, the web UI bundle, the Kubernetes manifests. Each set is reachable by its name.
#pragma once

#include <span>
#include <string_view>

namespace leoflow::embedded {

struct file {
  std::string_view path;  // relative to the embedded folder, '/'-separated
  std::string_view data;
};

std::span<const file> migrations();
std::span<const file> www();
std::span<const file> kubernetes_manifests();  // packaging/kubernetes

}  // namespace leoflow::embedded
