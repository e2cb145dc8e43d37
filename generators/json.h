// The JSON value every stage passes on: insertion-ordered so generated events keep AWS's
// field order, plus loaders that turn parse errors into values naming the file, line and column.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "generators/error.h"

namespace evh {

using Json = nlohmann::ordered_json;

/// How deep evh lets JSON nest (arrays and objects): evh's own bound, not a platform number.
/// nlohmann's dump() and copies recurse once per level, so deeper text from outside (a handler's
/// answer, a file) would overflow the stack. Platform payloads are far shallower (DynamoDB items
/// nest at most 32 levels).
inline constexpr std::size_t kMaxJsonDepth = 512;

/// Parses `text`; on failure (not JSON, or nested deeper than kMaxJsonDepth) the message names
/// `what`, the line and the column.
Result<Json> parse_json(std::string_view text, const std::string& what);

/// Parses text evh does not control (a handler's answer, a channel's line, a record's body):
/// discarded when it is not JSON or nests deeper than kMaxJsonDepth. Never throws.
Json parse_untrusted(std::string_view text);

/// Reads and parses a file ("-" is standard input).
Result<Json> load_json_file(const std::string& path);

/// Reads a whole file ("-" is standard input).
Result<std::string> read_file(const std::string& path);

/// Compact serialisation (the bytes AWS would send: no spaces).
std::string dump(const Json& j);

/// Escapes a JSON pointer token (~ and /).
std::string pointer_token(std::string_view key);

}  // namespace evh
