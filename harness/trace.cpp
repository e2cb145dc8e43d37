#include "harness/trace.h"

#include "generators/format.h"

namespace evh::harness {

Json& Trace::add(int64_t at_ms, int64_t start_ms, const std::string& action, Json fields) {
  // Built straight into the object's storage (an ordered_map is a vector of pairs): runs add
  // millions of lines, and a keyed insert per field searched and copied each key.
  Json e = Json::object();
  auto& obj = e.get_ref<Json::object_t&>();
  obj.reserve(3 + fields.size());
  obj.emplace_back("at", iso8601(at_ms, true));
  obj.emplace_back("t", at_ms - start_ms);
  obj.emplace_back("action", action);
  if (fields.is_object()) {
    for (auto& [key, value] : fields.get_ref<Json::object_t&>()) {
      if (key == "at" || key == "t" || key == "action") {
        e[key] = std::move(value);  // a caller's own value wins, as with a keyed insert
      } else {
        obj.emplace_back(key, std::move(value));
      }
    }
  }
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
