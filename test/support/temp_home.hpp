// Test fixtures: a throw-away folder (LEOFLOW_HOME for the test), removed
// afterwards, and polling a condition with a deadline instead of sleeping.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace leoflow::test {

namespace fs = std::filesystem;

class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_file(const fs::path& p, std::string_view content);
std::string read_file(const fs::path& p);

// Polls `condition` every few milliseconds until it holds or the deadline
// passes; returns whether it held.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds deadline = std::chrono::seconds(20));

}  // namespace leoflow::test
