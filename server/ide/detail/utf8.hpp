// Strict UTF-8 decoding (no overlong forms, no surrogates, nothing past
// U+10FFFF), for checking names and file contents.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace leoflow::ide::detail {

// The code point at `i`, advancing `i` past it; nullopt when the bytes there
// are not UTF-8.
inline std::optional<char32_t> next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t extra = 0;
  char32_t cp = 0, min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (i + extra >= s.size()) return std::nullopt;
  for (std::size_t k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += extra + 1;
  return cp;
}

// `text` fit to quote in a message: at most `limit` bytes of it, bytes that
// are not UTF-8 and control or direction-changing characters written as
// \xNN or \uNNNN escapes (a JSON answer must be valid UTF-8, and a name
// must not reorder the message around it).
inline std::string printable(std::string_view text, std::size_t limit = 120) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size() && out.size() < limit) {
    const std::size_t start = i;
    const auto cp = next_code_point(text, i);
    if (!cp) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(text[start]));
      i = start + 1;
    } else if (*cp < 0x20 || *cp == 0x7F || (*cp >= 0x80 && *cp <= 0x9F)) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned>(*cp));
    } else if ((*cp >= 0x200B && *cp <= 0x200F) || (*cp >= 0x202A && *cp <= 0x202E) ||
               (*cp >= 0x2060 && *cp <= 0x2069) || *cp == 0xFEFF) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(*cp));
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  if (i < text.size()) out += "...";
  return out;
}

}  // namespace leoflow::ide::detail
