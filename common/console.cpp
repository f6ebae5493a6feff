// Terminal and journald line output.
#include "common/console.hpp"

#include <cstdlib>
#include <unistd.h>

#include <fmt/format.h>

#include "common/clock.hpp"

namespace leoflow {
namespace {

bool wants_colour(std::FILE* f) {
  if (std::getenv("NO_COLOR")) return false;
  return ::isatty(::fileno(f)) == 1;
}

constexpr const char* green = "\x1b[32m";
constexpr const char* red = "\x1b[31m";
constexpr const char* yellow = "\x1b[33m";
constexpr const char* dim = "\x1b[2m";
constexpr const char* reset = "\x1b[0m";

}  // namespace

console::console(style s, std::FILE* out, std::FILE* err)
    : style_(s), out_(out), err_(err), colour_out_(s == style::terminal && wants_colour(out)),
      colour_err_(s == style::terminal && wants_colour(err)) {}

void console::write(std::FILE* f, int priority, std::string_view mark, const char* colour,
                    std::string_view line, bool with_time, bool colour_on) {
  std::string text;
  if (style_ == style::journal) {
    text = fmt::format("<{}>{}{}\n", priority, mark, line);
  } else {
    const std::string clock = with_time ? fmt::format("[{}] ", format_local_clock(now())) : "";
    if (colour_on && colour)
      text = fmt::format("{}{}{}{}{}{}\n", colour_on ? dim : "", clock, colour_on ? reset : "",
                         colour, fmt::format("{}{}", mark, line), reset);
    else
      text = fmt::format("{}{}{}\n", clock, mark, line);
  }
  std::lock_guard lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fflush(f);
}

void console::info(std::string_view line) {
  write(out_, 6, "", nullptr, line, true, colour_out_);
}

void console::success(std::string_view line) {
  write(out_, 6, "✓ ", green, line, true, colour_out_);
}

void console::warning(std::string_view line) {
  write(err_, 4, "! ", yellow, line, true, colour_err_);
}

void console::debug(std::string_view line) {
  if (verbose_) write(out_, 7, "", nullptr, line, true, colour_out_);
}

void console::failure(std::string_view headline, std::string_view detail) {
  std::string text;
  if (style_ == style::journal) {
    text = fmt::format("<3>✗ {}\n", headline);
    std::size_t start = 0;
    while (start < detail.size()) {
      auto end = detail.find('\n', start);
      if (end == std::string_view::npos) end = detail.size();
      text += fmt::format("<3>  {}\n", detail.substr(start, end - start));
      start = end + 1;
    }
  } else {
    text = colour_err_ ? fmt::format("{}✗ {}{}\n", red, headline, reset)
                       : fmt::format("✗ {}\n", headline);
    std::size_t start = 0;
    while (start < detail.size()) {
      auto end = detail.find('\n', start);
      if (end == std::string_view::npos) end = detail.size();
      text += fmt::format("  {}\n", detail.substr(start, end - start));
      start = end + 1;
    }
  }
  std::lock_guard lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), err_);
  std::fflush(err_);
}

}  // namespace leoflow
