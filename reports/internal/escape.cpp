// Escaping: a small UTF-8 decoder shared by the XML, HTML and Markdown writers.
#include "reports/internal/escape.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace evh::reports::internal {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

/// Decodes one code point at `i` (advancing it); malformed input yields U+FFFD and one byte.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return kReplacement;
  }
  if (i + static_cast<std::size_t>(len) > s.size()) {
    ++i;
    return kReplacement;
  }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kReplacement;
  }
  i += static_cast<std::size_t>(len);
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool xml_char(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

/// Calls `emit(cp)` for each code point of `text` after XML sanitising.
template <typename Emit>
void for_each_safe(std::string_view text, Emit&& emit) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = next_code_point(text, i);
    if (cp == 0xFFFE || cp == 0xFFFF) cp = kReplacement;
    if (!xml_char(cp) || cp == 0x7F) {
      // C0 controls (and DEL) are made visible rather than dropped: they are often the bug.
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp));
      for (const char* p = buf; *p; ++p) emit(static_cast<char32_t>(*p));
      continue;
    }
    emit(cp);
  }
}

}  // namespace

std::string xml_safe_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_safe(text, [&](char32_t cp) { append_utf8(out, cp); });
  return out;
}

std::string xml_escape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for_each_safe(text, [&](char32_t cp) {
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\r': out += "&#13;"; break;
      default: append_utf8(out, cp);
    }
  });
  return out;
}

std::string markdown_escape(std::string_view text) {
  // Inline punctuation is escaped everywhere; block markers only where they start a block
  // ("- x", "+ x", "= x", "1. x", "1) x" at the start of the text).
  static constexpr std::string_view kSpecial = "\\`*_{}[]<>#|~&";
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  std::size_t index = 0;
  bool digits_only = true;
  for_each_safe(text, [&](char32_t cp) {
    const bool at_start = index++ == 0;
    const bool block_marker = (at_start && (cp == '-' || cp == '+' || cp == '=')) ||
                              (!at_start && digits_only && (cp == '.' || cp == ')'));
    digits_only = digits_only && cp >= '0' && cp <= '9';
    if (cp == '\n' || cp == '\r' || cp == '\t') {
      out += ' ';
    } else if (block_marker || (cp < 0x80 && kSpecial.find(static_cast<char>(cp)) != std::string_view::npos)) {
      out += '\\';
      out += static_cast<char>(cp);
    } else {
      append_utf8(out, cp);
    }
  });
  return out;
}

namespace {
std::size_t longest_run(std::string_view text, char c) {
  std::size_t best = 0, run = 0;
  for (char ch : text) {
    run = ch == c ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}
}  // namespace

std::string markdown_code(std::string_view text) {
  std::string one_line;
  for (char c : xml_safe_text(text)) one_line += (c == '\n' || c == '\r') ? ' ' : c;
  const std::string ticks(longest_run(one_line, '`') + 1, '`');
  // A space on each side keeps a leading or trailing backtick from joining the delimiter.
  const bool pad = !one_line.empty() && (one_line.front() == '`' || one_line.back() == '`');
  return ticks + (pad ? " " : "") + one_line + (pad ? " " : "") + ticks;
}

std::string markdown_fence(std::string_view text) {
  return std::string(std::max<std::size_t>(3, longest_run(text, '`') + 1), '`');
}

std::string shell_quote(std::string_view word) {
  const bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_./-:=@%+,").find(c) != std::string_view::npos;
  });
  if (safe) return std::string(word);
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string uri_path(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~' || c == '/') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace evh::reports::internal
