// Generation: walks the schema tree once per value, drawing every choice from the Rng.
#include "generators/generate.h"

#include <algorithm>
#include <cmath>

namespace evh {
namespace {

constexpr std::string_view kPlain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_ .";
constexpr std::size_t kMaxGeneratedString = 4096;  // boundary strings stay bounded
constexpr std::size_t kMaxGeneratedItems = 64;

class Generator {
 public:
  Generator(Rng& rng, GenContext& ctx, const GenOptions& o) : rng_(rng), ctx_(ctx), o_(o) {}

  Json value(const SchemaNode& raw, std::size_t depth) {
    const SchemaNode& n = raw.resolved();
    if (n.const_value) return *n.const_value;
    if (!n.enum_values.empty()) return rng_.pick(n.enum_values);
    if (!n.one_of.empty()) return value(*rng_.pick(n.one_of), depth);
    if (!n.any_of.empty()) return value(*rng_.pick(n.any_of), depth);
    if (n.evh_format || !n.tmpl.empty()) {
      if (!n.tmpl.empty()) return expand_template(n.tmpl, rng_, ctx_);
      return n.evh_format->generate(rng_, ctx_);
    }
    if (!n.examples.empty()) {
      // A pattern can only be met by its examples; otherwise mix examples with drawn values.
      double rate = n.example_rate >= 0 ? n.example_rate : n.regex ? 1.0 : o_.example_rate;
      if (rng_.chance(rate)) return rng_.pick(n.examples);
    }
    switch (pick_type(n.types)) {
      case kTypeNull: return nullptr;
      case kTypeBoolean: return rng_.chance(0.5);
      case kTypeInteger: return integer(n);
      case kTypeNumber: return number(n);
      case kTypeString: return string(n);
      case kTypeArray: return array(n, depth);
      default: return object(n, depth);
    }
  }

 private:
  bool boundary(const SchemaNode& n) { return n.boundary && rng_.chance(o_.boundary_rate); }

  uint8_t pick_type(uint8_t types) {
    if (types == 0 || types == kTypeAny) return kTypeObject;
    uint8_t choices[8];
    int count = 0;
    for (uint8_t bit = 1; bit < 128; bit <<= 1) {
      if ((types & bit) && bit != kTypeNull) choices[count++] = bit;
    }
    if (count == 0) return kTypeNull;
    if ((types & kTypeNull) && rng_.chance(0.1)) return kTypeNull;
    return choices[rng_.below(static_cast<uint64_t>(count))];
  }

  Json integer(const SchemaNode& n) {
    int64_t lo = n.minimum ? static_cast<int64_t>(std::ceil(*n.minimum)) : 0;
    int64_t hi = n.maximum ? static_cast<int64_t>(std::floor(*n.maximum)) : std::max<int64_t>(lo, 0) + 1000;
    if (boundary(n)) return rng_.chance(0.5) ? lo : hi;
    return rng_.range(lo, hi);
  }

  Json number(const SchemaNode& n) {
    double lo = n.minimum.value_or(0.0), hi = n.maximum.value_or(lo + 1000.0);
    if (boundary(n)) return rng_.chance(0.5) ? lo : hi;
    double v = lo + (hi - lo) * rng_.unit();
    v = std::floor(v * 100.0) / 100.0;  // two decimals, like most real amounts
    return std::clamp(v, lo, hi);
  }

  Json string(const SchemaNode& n) {
    if (!n.format.empty()) {
      if (n.format == "date-time") return iso8601(ctx_.now_ms, true);
      if (n.format == "uuid") return uuid(rng_);
      if (n.format == "email") return rng_.chars(8, "abcdefghijklmnopqrstuvwxyz") + "@example.com";
      if (n.format == "uri") return "https://example.com/" + rng_.chars(8, "abcdefghijklmnopqrstuvwxyz");
      if (n.format == "ipv4") return find_format("ipv4")->generate(rng_, ctx_);
    }
    std::size_t lo = n.min_length.value_or(0);
    std::size_t hi = std::min(n.max_length.value_or(std::max<std::size_t>(lo, 24)), kMaxGeneratedString);
    hi = std::max(hi, lo);
    std::size_t len;
    if (boundary(n)) {
      len = rng_.chance(0.5) ? lo : hi;
    } else {
      len = static_cast<std::size_t>(rng_.range(static_cast<int64_t>(std::max<std::size_t>(lo, 1)),
                                                 static_cast<int64_t>(std::max<std::size_t>(hi, 1))));
      len = std::min(len, hi);
    }
    return rng_.chars(len, kPlain);
  }

  Json array(const SchemaNode& n, std::size_t depth) {
    Json out = Json::array();
    std::size_t lo = n.min_items.value_or(0);
    std::size_t hi = n.max_items.value_or(lo + o_.default_max_items);
    std::size_t count;
    if (&n == o_.records && o_.records_count >= 0) {
      count = static_cast<std::size_t>(o_.records_count);
    } else {
      hi = std::min(std::max(hi, lo), std::max(lo, kMaxGeneratedItems));
      if (depth > o_.max_depth) {
        count = lo;
      } else if (boundary(n)) {
        count = rng_.chance(0.5) ? lo : hi;
      } else {
        count = static_cast<std::size_t>(rng_.range(static_cast<int64_t>(lo), static_cast<int64_t>(std::min(hi, lo + 4))));
      }
    }
    if (!n.items) {
      for (std::size_t i = 0; i < count; ++i) out.push_back(rng_.chars(6, kPlain));
      return out;
    }
    out.get_ref<Json::array_t&>().reserve(count);
    for (std::size_t i = 0; i < count; ++i) out.push_back(value(*n.items, depth + 1));
    return out;
  }

  Json object(const SchemaNode& n, std::size_t depth) {
    Json out = Json::object();
    out.get_ref<Json::object_t&>().reserve(n.properties.size());
    for (const auto& p : n.properties) {
      if (!p.required) {
        if (depth > o_.max_depth) continue;
        const SchemaNode& pn = p.node->resolved();
        double presence = p.node->presence >= 0 ? p.node->presence : pn.presence >= 0 ? pn.presence : o_.optional_presence;
        if (!rng_.chance(presence)) continue;
      }
      out[p.name] = value(*p.node, depth + 1);
    }
    if (n.additional && n.properties.empty() && depth <= o_.max_depth) {
      // A map (headers, attributes): a few keys named by propertyNames when given.
      // Grouped records (Kafka partitions) start in one group; the finalize hook regroups them.
      std::size_t count = n.additional->resolved().items && &n.additional->resolved() == o_.records
                              ? 1
                              : static_cast<std::size_t>(rng_.range(0, 3));
      for (std::size_t i = 0; i < count; ++i) {
        std::string key;
        if (n.property_names) {
          Json k = value(*n.property_names, depth + 1);
          key = k.is_string() ? k.get<std::string>() : dump(k);
        } else {
          key = rng_.chars(static_cast<std::size_t>(rng_.range(3, 10)), "abcdefghijklmnopqrstuvwxyz");
        }
        out[key] = value(*n.additional, depth + 1);
      }
    }
    return out;
  }

  Rng& rng_;
  GenContext& ctx_;
  const GenOptions& o_;
};

}  // namespace

Json generate_value(const SchemaNode& node, Rng& rng, GenContext& ctx, const GenOptions& options) {
  Generator g(rng, ctx, options);
  return g.value(node, 0);
}

}  // namespace evh
