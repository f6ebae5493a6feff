// Writing and reading a try's structured log.
#include "executors/task_log.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fcntl.h>
#include <unistd.h>

#include "common/clock.hpp"
#include "common/paths.hpp"
#include "common/secret_masker.hpp"

namespace leoflow::executors {

fs::path task_log_path(const fs::path& logs_dir, const std::string& dag_id, const std::string& run_id,
                       const std::string& task_id, int map_index, int try_number) {
  fs::path dir = logs_dir / safe_path_segment(dag_id) / safe_path_segment(run_id) / safe_path_segment(task_id);
  if (map_index >= 0) dir /= "map_" + std::to_string(map_index);
  return dir / (std::to_string(try_number) + ".log");
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    std::size_t len = 0;
    std::uint32_t min = 0;
    if (c < 0x80) len = 1;
    else if ((c & 0xe0) == 0xc0) len = 2, min = 0x80;
    else if ((c & 0xf0) == 0xe0) len = 3, min = 0x800;
    else if ((c & 0xf8) == 0xf0) len = 4, min = 0x10000;
    bool valid = len > 0 && i + len <= n;
    std::uint32_t cp = len == 1 ? c : (len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07);
    for (std::size_t k = 1; valid && k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) valid = false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if (valid && len > 1 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) valid = false;
    if (valid && c == 0) valid = false;  // NUL helps nobody in a log
    if (valid) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xef\xbf\xbd";
      i += 1;
    }
  }
  return out;
}

task_log_writer::task_log_writer(const fs::path& file, std::shared_ptr<const secret_masker> secrets)
    : secrets_(std::move(secrets)) {
  std::error_code ec;
  create_private_directories(file.parent_path(), ec);
  // Logs may hold what a task printed: only the owner reads them.
  const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  file_ = ::fdopen(fd, "ab");
  if (!file_) ::close(fd);
}

task_log_writer::~task_log_writer() {
  flush_partial();
  if (file_) std::fclose(file_);
}

void task_log_writer::line(std::string_view stream, std::string_view text) {
  if (!secrets_ || secrets_->empty()) return write_line(stream, text);
  write_line(stream, secrets_->mask(text));
}

void task_log_writer::write_line(std::string_view stream, std::string_view text) {
  if (!file_) return;
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  boost::json::object o;
  o["timestamp"] = format_api_time(now());
  o["event"] = sanitize_utf8(text);
  o["level"] = stream == "stderr" ? "error" : "info";
  o["logger"] = stream == "executor" ? "leoflow.executor" : "task." + std::string(stream);
  std::string out = boost::json::serialize(o);
  out.push_back('\n');
  std::fwrite(out.data(), 1, out.size(), file_);
  std::fflush(file_);
}

void task_log_writer::chunk(std::string_view stream, std::string_view data) {
  std::string& partial = stream == "stderr" ? partial_err_ : partial_out_;
  partial.append(data);
  std::size_t start = 0;
  for (std::size_t nl; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1)
    line(stream, std::string_view(partial).substr(start, nl - start));
  partial.erase(0, start);
  // A line without an end never grows without bound; the cut never splits
  // a secret (one printed across two writes is still masked whole).
  if (partial.size() > 64 * 1024) {
    if (!secrets_ || secrets_->empty()) {
      write_line(stream, partial);
      partial.clear();
    } else {
      auto [masked, used] = secrets_->mask_prefix(partial);
      write_line(stream, masked);
      partial.erase(0, used);
    }
  }
}

void task_log_writer::flush_partial() {
  if (!partial_out_.empty()) line("stdout", partial_out_);
  if (!partial_err_.empty()) line("stderr", partial_err_);
  partial_out_.clear();
  partial_err_.clear();
}

log_page read_task_log(const fs::path& file, std::uint64_t offset, std::size_t max_bytes) {
  log_page page;
  page.next_offset = offset;
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) return page;
  page.found = true;
  if (std::fseek(f, static_cast<long>(offset), SEEK_SET) != 0) {
    std::fclose(f);
    return page;
  }
  std::string data(max_bytes, '\0');
  const std::size_t n = std::fread(data.data(), 1, max_bytes, f);
  std::fclose(f);
  data.resize(n);
  std::size_t start = 0;
  for (std::size_t nl; (nl = data.find('\n', start)) != std::string::npos; start = nl + 1) {
    boost::system::error_code ec;
    auto v = boost::json::parse(std::string_view(data).substr(start, nl - start), ec);
    if (!ec && v.is_object()) page.lines.push_back(std::move(v));
  }
  page.next_offset = offset + start;
  return page;
}

}  // namespace leoflow::executors
