// Event validation across schema, limits, identity, payload and consistency.
#include "generators/event_validator.h"

#include <map>

namespace evh {

std::vector<Problem> validate_event(const Source& source, const Json& event, const ValidateOptions& options) {
  std::vector<Problem> out;
  validate_value(source.schema.root(), event, "", out);

  // Limits: SEMANTICS.md §1 (payload caps) and §3 (ESM batch cap), as the source declares them.
  const std::size_t bytes = options.event_bytes ? options.event_bytes : dump(event).size();
  if (bytes > source.limits.max_event_bytes) {
    out.push_back({"", "event is " + std::to_string(bytes) + " bytes, over the source's limit of " +
                           std::to_string(source.limits.max_event_bytes),
                   Severity::kError});
  }
  auto records = record_pointers(source, event);
  if (source.batched() && records.size() > source.limits.max_batch_records) {
    out.push_back({source.identity.records,
                   std::to_string(records.size()) + " records, over the source's maximum of " +
                       std::to_string(source.limits.max_batch_records),
                   Severity::kError});
  }

  // Identity: a record id may repeat only for a true duplicate (at-least-once delivery sends the
  // same message again); two different records with one id break batchItemFailures.
  std::map<std::string, std::pair<std::string, std::string>> seen;  // id → (pointer, payload)
  for (const auto& rp : records) {
    const Json* rec = find_at(event, rp);
    if (!rec) continue;
    if (!source.identity.payload.empty() && find_at(*rec, source.identity.payload)) {
      const Json* field = find_at(*rec, source.identity.payload);
      std::string ptr = rp + source.identity.payload;
      std::string why;
      auto payloads = record_payloads(source, *rec, &why);
      if (!payloads) {
        out.push_back({ptr, why, Severity::kError});
      } else {
        std::size_t size = field->is_string() ? field->get_ref<const std::string&>().size() : field->is_null() ? 0 : dump(*field).size();
        if (source.limits.max_record_bytes && size > source.limits.max_record_bytes)
          out.push_back({ptr, "payload is " + std::to_string(size) + " bytes, over the per-record limit of " +
                                  std::to_string(source.limits.max_record_bytes),
                         Severity::kError});
        if (field->is_string() && size < source.limits.min_payload_bytes)
          out.push_back({ptr, "payload is shorter than the platform's minimum of " +
                                  std::to_string(source.limits.min_payload_bytes) + " byte(s)",
                         Severity::kError});
        // Types are erased in json-strings payloads: the contract cannot be checked there.
        if (options.payload && source.identity.encoding != PayloadEncoding::kJsonStrings)
          for (const auto& p : *payloads) options.payload->validate(p, ptr, out);
      }
    }
    if (source.batched() && !source.identity.id.empty()) {
      const Json* id = find_at(*rec, source.identity.id);
      if (!id) continue;
      if (id->is_null()) continue;  // a record without an id (RabbitMQ messageId null): nothing to check
      if (id->is_string() && id->get_ref<const std::string&>().empty()) {
        // batchItemFailures cannot name such a record (SEMANTICS.md §4: "" / null ids fail the batch).
        out.push_back({rp + source.identity.id, "record id is empty", Severity::kError});
        continue;
      }
      // Grouped records (Kafka partitions) number their ids per group.
      std::string key = (source.identity.grouped ? rp.substr(0, rp.rfind('/')) + " " : std::string()) + dump(*id);
      const Json* pf = source.identity.payload.empty() ? nullptr : find_at(*rec, source.identity.payload);
      std::string payload = pf ? dump(*pf) : std::string();
      auto [it, fresh] = seen.emplace(key, std::make_pair(rp, payload));
      if (!fresh && it->second.second != payload) {
        // Consistency, not schema: hand-made fixtures reuse ids; the platform never does.
        out.push_back({rp + source.identity.id,
                       "record id " + key + " is also used by " + it->second.first + " with a different payload",
                       Severity::kConsistency});
      }
    }
  }
  if (options.consistency && source.hooks.check) {
    std::vector<Problem> c;
    try {
      source.hooks.check(event, c);
    } catch (const std::exception& e) {
      // A check must read defensively; if one does not, the event is still reported, not fatal.
      c.push_back({"", std::string("consistency check could not read the event: ") + e.what()});
    }
    for (auto& p : c) {
      p.severity = Severity::kConsistency;
      out.push_back(std::move(p));
    }
  }
  return out;
}

bool is_valid(const std::vector<Problem>& problems, bool strict) {
  for (const auto& p : problems)
    if (p.severity == Severity::kError || strict) return false;
  return true;
}

}  // namespace evh
