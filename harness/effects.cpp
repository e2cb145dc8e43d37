#include "harness/effects.h"

#include <algorithm>

namespace evh::harness {
namespace {

Status check_effect(const Json& e, const std::string& what, std::size_t index) {
  const std::string where = what + ": effect " + std::to_string(index);
  if (!e.is_object()) return make_error(ErrorCode::kConfig, where + " is not a JSON object");
  auto k = e.find("kind");
  if (k == e.end() || !k->is_string())
    return make_error(ErrorCode::kConfig, where + " has no string \"kind\"");
  const auto& kind = k->get_ref<const std::string&>();
  if (kind != "processed" && kind != "failed" && kind != "side-effect")
    return make_error(ErrorCode::kConfig,
                      where + " has kind \"" + kind + "\" (expected processed, failed or side-effect)");
  return Ok{};
}

Result<std::vector<Json>> unwrap(Json doc, const std::string& what) {
  std::vector<Json> out;
  if (doc.is_object() && doc.contains("effects") && !doc.contains("kind")) doc = std::move(doc["effects"]);
  if (doc.is_array()) {
    for (auto& e : doc) out.push_back(std::move(e));
  } else {
    out.push_back(std::move(doc));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (auto st = check_effect(out[i], what, i); !st) return st.error();
  }
  return out;
}

}  // namespace

Result<std::vector<Json>> parse_effects(std::string_view text, const std::string& what) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::vector<Json>{};
  // A whole document (object or array) first; JSONL otherwise.
  Json doc = parse_untrusted(text);
  if (!doc.is_discarded()) return unwrap(std::move(doc), what);
  std::vector<Json> out;
  std::size_t line_no = 0, pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++line_no;
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
      Json j = parse_untrusted(line);
      if (j.is_discarded())
        return make_error(ErrorCode::kConfig, what + ":" + std::to_string(line_no) + ": not JSON (expected an effect object, an array, or JSONL)");
      auto part = unwrap(std::move(j), what + ":" + std::to_string(line_no));
      if (!part) return part.error();
      for (auto& e : *part) out.push_back(std::move(e));
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return out;
}

void EffectsSink::add(Json effect) {
  std::lock_guard lock(mu_);
  if (!effect.contains("seq")) effect["seq"] = seq_;
  ++seq_;
  if (!current_.empty() && !effect.contains("requestId")) effect["requestId"] = current_;
  effects_.push_back(std::move(effect));
}

void EffectsSink::add_all(std::vector<Json> effects) {
  for (auto& e : effects) add(std::move(e));
}

void EffectsSink::set_current(std::string request_id) {
  std::lock_guard lock(mu_);
  current_ = std::move(request_id);
}

std::vector<Json> EffectsSink::take() {
  std::lock_guard lock(mu_);
  std::vector<Json> out;
  out.swap(effects_);
  return out;
}

}  // namespace evh::harness
