// The JSON value every stage passes on: insertion-ordered so generated events keep AWS's
// field order, plus loaders that turn parse errors into values naming the file, line and column.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "generators/error.h"

namespace evh {

using Json = nlohmann::ordered_json;

/// Parses `text`; on failure the message names `what`, the line and the column.
Result<Json> parse_json(std::string_view text, const std::string& what);

/// Reads and parses a file ("-" is standard input).
Result<Json> load_json_file(const std::string& path);

/// Reads a whole file ("-" is standard input).
Result<std::string> read_file(const std::string& path);

/// Compact serialisation (the bytes AWS would send: no spaces).
std::string dump(const Json& j);

/// Escapes a JSON pointer token (~ and /).
std::string pointer_token(std::string_view key);

}  // namespace evh
