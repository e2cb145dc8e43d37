// Escaping for the text formats the reports are written in: every string that comes from a run
// (messages, events, paths, handler output) passes through one of these before it is written.
#pragma once

#include <string>
#include <string_view>

namespace evh::reports::internal {

/// `text` as valid UTF-8 holding only characters XML 1.0 allows (Char production: tab, LF, CR,
/// U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF). Other control characters become a visible
/// `\u00XX`, malformed UTF-8 and U+FFFE/U+FFFF become U+FFFD.
std::string xml_safe_text(std::string_view text);

/// Text for XML/HTML element content or a double- or single-quoted attribute: xml_safe_text()
/// with & < > " ' escaped. In attributes, tab, LF and CR are written as character references so
/// that attribute-value normalisation keeps them.
std::string xml_escape(std::string_view text, bool attribute = false);

/// The same escaping for HTML (HTML's rules are a superset of what is escaped here).
inline std::string html_escape(std::string_view text) { return xml_escape(text, false); }

/// Text for Markdown prose: xml_safe_text() with Markdown and inline-HTML punctuation
/// backslash-escaped (list and heading markers only where they would start a block) and
/// newlines turned into spaces (one line, no accidental structure).
std::string markdown_escape(std::string_view text);

/// A Markdown code span holding `text` verbatim (on one line): delimited by more backticks than
/// any run inside it.
std::string markdown_code(std::string_view text);

/// A fence (``` or longer) that no line of `text` can close.
std::string markdown_fence(std::string_view text);

/// `word` as one shell word: unchanged when it holds only safe characters, else single-quoted.
std::string shell_quote(std::string_view word);

/// A relative path as a URI reference: characters outside RFC 3986 unreserved and '/' are
/// percent-encoded (UTF-8 bytes).
std::string uri_path(std::string_view path);

}  // namespace evh::reports::internal
