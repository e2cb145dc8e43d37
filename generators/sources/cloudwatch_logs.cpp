// Amazon CloudWatch Logs: builds awslogs.data (base64 of gzip of the log document) and checks the decoded document:
// its shape, the owner and names of a DATA_MESSAGE, and log event ids that encode their timestamps (SEMANTICS.md
// §6.11).
#include <array>
#include <cinttypes>
#include <cstdio>
#include <optional>
#include <set>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";

// ---- log event ids: decimal strings of (timestamp << 144) | (per-stream 112-bit value << 16) | counter, as in
// real deliveries (the 56-digit ids in the reference data all shift right by 144 bits to their timestamp).

using Big = std::array<uint32_t, 7>;  // little-endian 32-bit limbs, 224 bits

void add_bits(Big& b, uint64_t v, int shift) {
  for (int bit = 0; bit < 64; ++bit) {
    if (!((v >> bit) & 1)) continue;
    int at = shift + bit;
    b[static_cast<std::size_t>(at / 32)] |= 1u << (at % 32);
  }
}

std::string to_decimal(Big b) {
  std::string out;
  auto is_zero = [&] {
    for (auto l : b)
      if (l) return false;
    return true;
  };
  while (!is_zero()) {
    uint64_t rem = 0;
    for (std::size_t i = b.size(); i-- > 0;) {
      uint64_t cur = (rem << 32) | b[i];
      b[i] = static_cast<uint32_t>(cur / 10);
      rem = cur % 10;
    }
    out += static_cast<char>('0' + rem);
  }
  if (out.empty()) out = "0";
  return std::string(out.rbegin(), out.rend());
}

// The value of a decimal string, or nullopt when it is not digits or does not fit.
std::optional<Big> from_decimal(const std::string& s) {
  if (s.empty() || s.size() > 66 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  Big b{};
  for (char c : s) {
    uint64_t carry = static_cast<uint64_t>(c - '0');
    for (auto& l : b) {
      uint64_t cur = static_cast<uint64_t>(l) * 10 + carry;
      l = static_cast<uint32_t>(cur);
      carry = cur >> 32;
    }
    if (carry) return std::nullopt;
  }
  return b;
}

// Bits 144 and up of a 224-bit value (the timestamp part of an id).
uint64_t high_bits(const Big& b) {
  // bit 144 = limb 4, bit 16
  return (static_cast<uint64_t>(b[4]) >> 16) | (static_cast<uint64_t>(b[5]) << 16) |
         (static_cast<uint64_t>(b[6]) << 48);
}

// ---- generation

// One application log line: Powertools-style JSON, a runtime-formatted line or an error.
std::string app_line(Rng& rng, GenContext& ctx, const std::string& request, int64_t ts) {
  switch (rng.below(3)) {
    case 0:
      return dump(Json{{"level", rng.chance(0.8) ? "INFO" : "ERROR"},
                       {"location", "handler:42"},
                       {"message", rng.chance(0.5) ? "order processed" : "payment declined"},
                       {"timestamp", iso8601(ts, true)},
                       {"service", ctx.name},
                       {"xray_trace_id", "1-" + rng.chars(8, kHex) + "-" + rng.chars(24, kHex)}});
    case 1:
      return iso8601(ts, true) + "\t" + request + "\tINFO\tReceived " + std::to_string(rng.range(1, 50)) + " records\n";
    default:
      return "[ERROR] " + iso8601(ts, true) + "\t" + request + "\tValueError: invalid amount\n";
  }
}

// `count` consecutive lines of a Lambda function's log stream: START, application lines, END, REPORT per
// invocation, starting anywhere in that cycle.
std::vector<std::string> lambda_lines(Rng& rng, GenContext& ctx, std::size_t count, int64_t ts) {
  std::vector<std::string> lines;
  while (lines.size() < count + 6) {
    std::string request = uuid(rng);
    lines.push_back("START RequestId: " + request + " Version: $LATEST\n");
    for (int64_t i = rng.range(0, 3); i > 0; --i) lines.push_back(app_line(rng, ctx, request, ts));
    lines.push_back("END RequestId: " + request + "\n");
    char buf[256];
    int duration = static_cast<int>(rng.range(1, 3000));
    std::snprintf(buf, sizeof buf,
                  "REPORT RequestId: %s\tDuration: %d.%02d ms\tBilled Duration: %d ms\tMemory Size: 128 MB\t"
                  "Max Memory Used: %d MB\t\n",
                  request.c_str(), duration, static_cast<int>(rng.below(100)), duration + 1,
                  static_cast<int>(rng.range(30, 120)));
    lines.push_back(buf);
  }
  std::size_t from = rng.below(lines.size() - count + 1);
  return std::vector<std::string>(lines.begin() + static_cast<std::ptrdiff_t>(from),
                                  lines.begin() + static_cast<std::ptrdiff_t>(from + count));
}

// An API Gateway access log line (JSON format).
std::string access_line(Rng& rng, int64_t ts) {
  static const std::array<const char*, 4> kRoutes = {"GET /orders", "POST /orders", "GET /orders/{id}",
                                                     "DELETE /orders/{id}"};
  static const std::array<const char*, 5> kStatus = {"200", "200", "201", "404", "500"};
  return dump(Json{{"requestId", uuid(rng)},
                   {"ip", std::to_string(rng.range(1, 223)) + "." + std::to_string(rng.below(256)) + "." +
                              std::to_string(rng.below(256)) + "." + std::to_string(rng.range(1, 254))},
                   {"requestTime", iso8601(ts, false)},
                   {"routeKey", kRoutes[rng.below(kRoutes.size())]},
                   {"status", kStatus[rng.below(kStatus.size())]},
                   {"responseLength", std::to_string(rng.range(0, 4096))}});
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json doc = Json::object();
  int64_t ts = ctx.now_ms - rng.range(1000, 300000);
  if (rng.chance(0.01)) {
    // Reachability probe (CloudWatch Logs subscription docs): no log group, no stream, no filters.
    Json probe = Json::object();
    probe["id"] = "";
    probe["timestamp"] = ts;
    probe["message"] = "CWL CONTROL MESSAGE: Checking health of destination Lambda function.";
    doc["messageType"] = "CONTROL_MESSAGE";
    doc["owner"] = "CloudwatchLogs";
    doc["logGroup"] = "";
    doc["logStream"] = "";
    doc["subscriptionFilters"] = Json::array();
    doc["logEvents"] = Json::array();
    doc["logEvents"].push_back(probe);
  } else {
    std::string group, stream;
    int kind = static_cast<int>(rng.below(4));  // 0-1 Lambda, 2 ECS, 3 API Gateway access logs
    if (kind <= 1) {
      group = "/aws/lambda/" + ctx.function;
      std::string day = iso8601(ts, false).substr(0, 10);
      for (auto& c : day) c = c == '-' ? '/' : c;
      stream = day + "/[$LATEST]" + rng.chars(32, kHex);
    } else if (kind == 2) {
      group = "/ecs/" + ctx.name;
      stream = "ecs/app/" + rng.chars(32, kHex);
    } else {
      group = "/aws/apigateway/" + ctx.name + "-access";
      stream = rng.chars(32, kHex);
    }
    doc["messageType"] = "DATA_MESSAGE";
    doc["owner"] = ctx.account;
    doc["logGroup"] = group;
    doc["logStream"] = stream;
    doc["subscriptionFilters"] = Json::array({ctx.name + "-to-" + ctx.function});
    Json events = Json::array();
    std::size_t count = static_cast<std::size_t>(rng.range(1, 8));
    std::vector<std::string> lines = kind <= 1 ? lambda_lines(rng, ctx, count, ts) : std::vector<std::string>{};
    uint64_t stream_lo = rng.next(), stream_hi = rng.next() & 0xffffffffffffULL;  // 112 bits per delivery
    std::string request = uuid(rng);
    for (std::size_t i = 0; i < count; ++i) {
      ts += rng.range(0, 40);
      Big id{};
      add_bits(id, i, 0);
      add_bits(id, stream_lo, 16);
      add_bits(id, stream_hi, 80);
      add_bits(id, static_cast<uint64_t>(ts), 144);
      std::string message = kind <= 1 ? lines[i] : kind == 2 ? app_line(rng, ctx, request, ts) : access_line(rng, ts);
      events.push_back({{"id", to_decimal(id)}, {"timestamp", ts}, {"message", message}});
    }
    doc["logEvents"] = events;
    if (rng.chance(0.1)) doc["policyLevel"] = "ACCOUNT_LEVEL_POLICY";
  }
  event["awslogs"] = {{"data", codec::base64_encode(codec::gzip_compress(dump(doc)))}};
}

// ---- check

// The decoded document's shape (SEMANTICS.md §6.11); CONTROL_MESSAGE documents carry empty names.
const Schema* document_schema() {
  static const std::optional<Schema> schema = []() -> std::optional<Schema> {
    auto doc = parse_json(R"({
      "type": "object",
      "properties": {
        "messageType": {"enum": ["DATA_MESSAGE", "CONTROL_MESSAGE"]},
        "owner": {"type": "string", "minLength": 1},
        "logGroup": {"type": "string", "maxLength": 512},
        "logStream": {"type": "string", "maxLength": 512},
        "subscriptionFilters": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "logEvents": {
          "type": "array",
          "items": {
            "type": "object",
            "properties": {
              "id": {"type": "string"},
              "timestamp": {"type": "integer", "minimum": 0},
              "message": {"type": "string"},
              "extractedFields": {"type": "object"}
            },
            "required": ["id", "timestamp", "message"]
          }
        },
        "policyLevel": {"type": "string", "pattern": "^[A-Z_]+$"}
      },
      "required": ["messageType", "owner", "logGroup", "logStream", "subscriptionFilters", "logEvents"]
    })",
                          "cloudwatch-logs document schema");
    if (!doc) return std::nullopt;
    auto s = Schema::load(*doc, "cloudwatch-logs document schema");
    if (!s) return std::nullopt;
    return *s;
  }();
  return schema ? &*schema : nullptr;
}

void check(const Json& event, std::vector<Problem>& out) {
  const Json* data = find_at(event, "/awslogs/data");
  if (!data || !data->is_string()) return;
  const std::string at = "/awslogs/data";
  auto raw = codec::base64_decode(data->get_ref<const std::string&>());
  if (!raw) return;  // the schema's gzip-base64 format reports it
  auto text = codec::inflate_auto(*raw);
  if (!text) return;
  Json doc = parse_untrusted(*text);
  if (doc.is_discarded()) {
    report(out, at, "decodes to text that is not JSON");
    return;
  }
  std::vector<Problem> shape;
  if (const Schema* s = document_schema()) validate_value(s->root(), doc, "", shape);
  for (auto& p : shape)
    report(out, at, "decoded document" + (p.pointer.empty() ? std::string() : " " + p.pointer) + ": " + p.message);
  if (!doc.is_object()) return;
  if (str(doc, "messageType") == "DATA_MESSAGE") {
    std::string owner = str(doc, "owner");
    if (owner.size() != 12 || owner.find_first_not_of("0123456789") != std::string::npos)
      report(out, at, "decoded document /owner: a DATA_MESSAGE names a 12-digit account");
    for (const char* key : {"logGroup", "logStream"})
      if (str(doc, key).empty()) report(out, at, std::string("decoded document /") + key + ": empty in a DATA_MESSAGE");
    auto filters = doc.find("subscriptionFilters");
    if (filters != doc.end() && filters->is_array() && filters->empty())
      report(out, at, "decoded document /subscriptionFilters: a DATA_MESSAGE names the filter that matched");
    auto events = doc.find("logEvents");
    if (events != doc.end() && events->is_array() && events->empty())
      report(out, at, "decoded document /logEvents: a DATA_MESSAGE carries at least one log event");
  }
  auto events = doc.find("logEvents");
  if (events == doc.end() || !events->is_array()) return;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < events->size(); ++i) {
    const Json& e = (*events)[i];
    std::string ep = "decoded document /logEvents/" + std::to_string(i);
    std::string id = str(e, "id");
    if (!id.empty() && !ids.insert(id).second) report(out, at, ep + "/id: repeats another log event's id");
    auto ts = e.is_object() ? e.find("timestamp") : e.end();
    auto big = from_decimal(id);
    // Only ids of the 56-digit kind (>= 2^144) encode a timestamp.
    if (big && ts != e.end() && ts->is_number_integer() && high_bits(*big) != 0 &&
        high_bits(*big) != static_cast<uint64_t>(ts->get<int64_t>()))
      report(out, at,
             ep + "/id: does not encode the event's timestamp (id >> 144 = " + std::to_string(high_bits(*big)) + ")");
  }
}

}  // namespace

SourceHooks cloudwatch_logs_hooks() { return {finalize, check}; }

}  // namespace evh::sources
