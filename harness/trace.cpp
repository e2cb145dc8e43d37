#include "harness/trace.h"

#include "generators/format.h"

namespace evh::harness {

Json& Trace::add(int64_t at_ms, int64_t start_ms, const std::string& action, Json fields) {
  Json e{{"at", iso8601(at_ms, true)}, {"t", at_ms - start_ms}, {"action", action}};
  for (auto it = fields.begin(); it != fields.end(); ++it) e[it.key()] = std::move(it.value());
  entries_.push_back(std::move(e));
  return entries_.back();
}

std::vector<Json> Trace::for_case(std::size_t index) const {
  std::vector<Json> out;
  for (const auto& e : entries_) {
    auto c = e.find("case");
    if (c != e.end() && c->is_number_unsigned() && c->get<std::size_t>() == index) out.push_back(e);
  }
  return out;
}

void Trace::write_jsonl(std::ostream& out) const {
  for (const auto& e : entries_) out << dump(e) << '\n';
}

}  // namespace evh::harness
