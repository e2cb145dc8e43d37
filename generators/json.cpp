// JSON loading with user-facing errors.
#include "generators/json.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace evh {
namespace {

// Line and column of a byte offset, 1-based, for parse error messages.
std::pair<std::size_t, std::size_t> line_col(std::string_view text, std::size_t offset) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

// The offset of the first '[' or '{' that opens a level past kMaxJsonDepth, or npos. Brackets in
// strings do not count. Exact for JSON text; for other text parsing fails anyway.
std::size_t too_deep_at(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace

Json parse_untrusted(std::string_view text) {
  if (too_deep_at(text) != std::string_view::npos) return Json(Json::value_t::discarded);
  return Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

Result<Json> parse_json(std::string_view text, const std::string& what) {
  if (auto at = too_deep_at(text); at != std::string_view::npos) {
    auto [line, col] = line_col(text, at);
    return make_error(ErrorCode::kConfig, what + ":" + std::to_string(line) + ":" + std::to_string(col) +
                                              ": not valid JSON: nested deeper than " + std::to_string(kMaxJsonDepth) +
                                              " levels (evh's limit)");
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    auto [line, col] = line_col(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string msg = e.what();
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line 1, column 2: ...";
    // keep only the reason after "column N: ".
    auto col_at = msg.find("column ");
    auto pos = col_at == std::string::npos ? std::string::npos : msg.find(": ", col_at);
    std::string reason = pos == std::string::npos ? msg : msg.substr(pos + 2);
    return make_error(ErrorCode::kConfig, what + ":" + std::to_string(line) + ":" + std::to_string(col) +
                                              ": not valid JSON: " + reason);
  } catch (const nlohmann::json::out_of_range& e) {
    // A number past a double's range is refused with out_of_range.406, not parse_error:
    // "[json.exception.out_of_range.406] number overflow parsing '1e999'". It is located by its text.
    const std::string msg = e.what();
    const auto tag_end = msg.find("] ");
    const std::string reason = tag_end == std::string::npos ? msg : msg.substr(tag_end + 2);
    std::size_t at = 0;
    const auto open = msg.find('\''), close = msg.rfind('\'');
    if (open != std::string::npos && close > open) at = std::min(text.find(msg.substr(open + 1, close - open - 1)), text.size());
    auto [line, col] = line_col(text, at);
    return make_error(ErrorCode::kConfig, what + ":" + std::to_string(line) + ":" + std::to_string(col) +
                                              ": not valid JSON: " + reason);
  }
}

Result<std::string> read_file(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, path + ": cannot read file");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(ErrorCode::kIo, path + ": read error");
  return content;
}

Result<Json> load_json_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  return parse_json(*text, path == "-" ? "<stdin>" : path);
}

std::string dump(const Json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::string pointer_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace evh
