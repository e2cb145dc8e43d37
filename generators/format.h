// AWS value formats (x-evh-format): how to generate a realistic value and how to check one.
// THE table of formats lives in format.cpp; `evh describe` lists the ones a schema uses.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "generators/gen_context.h"
#include "generators/json.h"
#include "generators/rng.h"

namespace evh {

struct Format {
  std::string_view id;
  std::string_view summary;
  /// Generates a value (a string, or a number for epoch formats).
  Json (*generate)(Rng&, GenContext&);
  /// Empty when `value` has the format, else what is wrong (one short phrase).
  std::string (*check)(const Json& value);
};

/// The format with this id, or nullptr.
const Format* find_format(std::string_view id);
const std::vector<Format>& formats();

/// Expands a generation template: literal text with {region} {account} {name} {function}
/// {uuid} {UUID} {hex:N} {HEX:N} {alnum:N} {digits:N} {lower:N} {upper:N} {b64:N} {var:NAME}
/// {iso8601} {iso8601-ms} {epoch-s} {epoch-ms} {date} placeholders. Unknown placeholders are
/// reported by `check_template`.
std::string expand_template(std::string_view tmpl, Rng& rng, GenContext& ctx);
/// Empty when every placeholder is known, else the first unknown one.
std::string check_template(std::string_view tmpl);

/// Formatting helpers used by formats and finalize hooks.
std::string uuid(Rng& rng);
std::string iso8601(int64_t epoch_ms, bool with_ms);
std::string rfc1123(int64_t epoch_ms);

}  // namespace evh
