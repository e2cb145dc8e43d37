// THE table of AWS value formats (x-evh-format), and generation templates.
#include "generators/format.h"

#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <regex>

#include "generators/codec.h"

namespace evh {
namespace {

constexpr std::string_view kHexLower = "0123456789abcdef";
constexpr std::string_view kHexUpper = "0123456789ABCDEF";
constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kLower = "abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view kB64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool all_of(std::string_view s, std::string_view alphabet) {
  for (char c : s)
    if (alphabet.find(c) == std::string_view::npos) return false;
  return true;
}

bool matches(const Json& v, const std::regex& re) {
  return v.is_string() && std::regex_match(v.get_ref<const std::string&>(), re);
}

std::string need_string(const Json& v) { return v.is_string() ? "" : "expected a string"; }

const std::regex& uuid_re() {
  static const std::regex re("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  return re;
}
const std::regex& iso_re() {
  static const std::regex re(
      R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)");
  return re;
}

std::string draw_region(Rng& rng) {
  static const std::array<const char*, 8> kRegions = {"us-east-1", "us-east-2", "us-west-2", "eu-west-1",
                                                      "eu-central-1", "ap-southeast-2", "ap-northeast-1",
                                                      "sa-east-1"};
  return kRegions[rng.below(kRegions.size())];
}

std::string number_string(Rng& rng, std::size_t digits) {
  std::string s = rng.chars(digits, kDigits);
  if (!s.empty() && s[0] == '0') s[0] = '1';
  return s;
}

// 56-digit Kinesis-style sequence number, strictly increasing with ctx.sequence.
std::string kinesis_sequence(GenContext& ctx) {
  char buf[64];
  ++ctx.sequence;
  std::snprintf(buf, sizeof buf, "4959%032llu%020llu", 0ULL, static_cast<unsigned long long>(ctx.sequence));
  return buf;
}

std::string b64_check(const Json& v) {
  if (!v.is_string()) return "expected a base64 string";
  return codec::base64_decode(v.get_ref<const std::string&>()) ? "" : "not valid base64";
}

const std::vector<Format> kFormats = {
    {"uuid", "RFC 4122 UUID, lower-case hex (message ids, request ids)",
     [](Rng& r, GenContext&) -> Json { return uuid(r); },
     [](const Json& v) -> std::string { return matches(v, uuid_re()) ? "" : "not a UUID"; }},
    {"region", "AWS region code, shared by the whole event",
     [](Rng&, GenContext& c) -> Json { return c.region; },
     [](const Json& v) -> std::string {
       static const std::regex re("[a-z]{2}(-[a-z]+)+-\\d+");
       return matches(v, re) ? "" : "not an AWS region";
     }},
    {"account-id", "12-digit AWS account id, shared by the whole event",
     [](Rng&, GenContext& c) -> Json { return c.account; },
     [](const Json& v) -> std::string {
       return v.is_string() && v.get_ref<const std::string&>().size() == 12 &&
                      all_of(v.get_ref<const std::string&>(), kDigits)
                  ? ""
                  : "not a 12-digit account id";
     }},
    {"arn", "Amazon Resource Name (generate with x-evh-template for a service-specific shape)",
     [](Rng& r, GenContext& c) -> Json { return expand_template("arn:aws:lambda:{region}:{account}:function:{function}", r, c); },
     [](const Json& v) -> std::string {
       return v.is_string() && v.get_ref<const std::string&>().rfind("arn:", 0) == 0 ? "" : "not an ARN";
     }},
    {"iso8601", "ISO-8601 UTC timestamp, seconds precision (2026-01-01T00:00:00Z)",
     [](Rng& r, GenContext& c) -> Json { return iso8601(c.now_ms - r.range(0, 60000), false); },
     [](const Json& v) -> std::string { return matches(v, iso_re()) ? "" : "not an ISO-8601 timestamp"; }},
    {"iso8601-ms", "ISO-8601 UTC timestamp with milliseconds (2026-01-01T00:00:00.000Z)",
     [](Rng& r, GenContext& c) -> Json { return iso8601(c.now_ms - r.range(0, 60000), true); },
     [](const Json& v) -> std::string { return matches(v, iso_re()) ? "" : "not an ISO-8601 timestamp"; }},
    {"epoch-s", "Unix epoch seconds, integer",
     [](Rng& r, GenContext& c) -> Json { return (c.now_ms - r.range(0, 60000)) / 1000; },
     [](const Json& v) -> std::string { return v.is_number_integer() && v.get<int64_t>() >= 0 ? "" : "not epoch seconds"; }},
    {"epoch-s-float", "Unix epoch seconds with a millisecond fraction (Kinesis approximateArrivalTimestamp)",
     [](Rng& r, GenContext& c) -> Json { return static_cast<double>(c.now_ms - r.range(0, 60000)) / 1000.0; },
     [](const Json& v) -> std::string { return v.is_number() && v.get<double>() >= 0 ? "" : "not epoch seconds"; }},
    {"epoch-ms", "Unix epoch milliseconds, integer",
     [](Rng& r, GenContext& c) -> Json { return c.now_ms - r.range(0, 60000); },
     [](const Json& v) -> std::string { return v.is_number_integer() && v.get<int64_t>() >= 0 ? "" : "not epoch milliseconds"; }},
    {"epoch-ms-string", "Unix epoch milliseconds as a decimal string (SQS attributes)",
     [](Rng& r, GenContext& c) -> Json { return std::to_string(c.now_ms - r.range(0, 60000)); },
     [](const Json& v) -> std::string {
       return v.is_string() && !v.get_ref<const std::string&>().empty() && all_of(v.get_ref<const std::string&>(), kDigits)
                  ? ""
                  : "not epoch milliseconds as a string";
     }},
    {"base64", "standard base64 with padding",
     [](Rng& r, GenContext&) -> Json { return codec::base64_encode(r.chars(static_cast<std::size_t>(r.range(1, 48)), kAlnum)); },
     b64_check},
    {"gzip-base64", "base64 of a gzip (or zlib) stream (CloudWatch Logs awslogs.data)",
     [](Rng& r, GenContext&) -> Json { return codec::base64_encode(codec::gzip_compress(r.chars(32, kAlnum))); },
     [](const Json& v) -> std::string {
       if (!v.is_string()) return "expected a base64 string";
       auto raw = codec::base64_decode(v.get_ref<const std::string&>());
       if (!raw) return "not valid base64";
       return codec::inflate_auto(*raw) ? "" : "not a complete gzip or zlib stream";
     }},
    {"md5-hex", "MD5 digest, 32 lower-case hex digits",
     [](Rng& r, GenContext&) -> Json { return r.chars(32, kHexLower); },
     [](const Json& v) -> std::string {
       return v.is_string() && v.get_ref<const std::string&>().size() == 32 && all_of(v.get_ref<const std::string&>(), kHexLower)
                  ? ""
                  : "not an MD5 hex digest";
     }},
    {"sha256-hex", "SHA-256 digest, 64 lower-case hex digits",
     [](Rng& r, GenContext&) -> Json { return r.chars(64, kHexLower); },
     [](const Json& v) -> std::string {
       return v.is_string() && v.get_ref<const std::string&>().size() == 64 && all_of(v.get_ref<const std::string&>(), kHexLower)
                  ? ""
                  : "not a SHA-256 hex digest";
     }},
    {"kinesis-seq", "Kinesis sequence number: decimal digits, increasing within a shard",
     [](Rng&, GenContext& c) -> Json { return kinesis_sequence(c); },
     [](const Json& v) -> std::string {
       return v.is_string() && !v.get_ref<const std::string&>().empty() && v.get_ref<const std::string&>().size() <= 128 &&
                      all_of(v.get_ref<const std::string&>(), kDigits)
                  ? ""
                  : "not a sequence number (decimal digits)";
     }},
    {"shard-id", "Kinesis / DynamoDB Streams shard id (shardId-000000000000)",
     [](Rng& r, GenContext&) -> Json { return "shardId-00000000000" + std::to_string(r.below(4)); },
     [](const Json& v) -> std::string {
       return v.is_string() && v.get_ref<const std::string&>().rfind("shardId-", 0) == 0 ? "" : "not a shard id";
     }},
    {"ipv4", "dotted-quad IPv4 address",
     [](Rng& r, GenContext&) -> Json {
       return std::to_string(r.range(1, 223)) + "." + std::to_string(r.below(256)) + "." + std::to_string(r.below(256)) +
              "." + std::to_string(r.range(1, 254));
     },
     [](const Json& v) -> std::string {
       static const std::regex re(R"((\d{1,3}\.){3}\d{1,3}|[0-9a-fA-F:]+)");
       return matches(v, re) ? "" : "not an IP address";
     }},
    {"receipt-handle", "SQS receipt handle (opaque, new on every receive)",
     [](Rng& r, GenContext&) -> Json { return "AQEB" + r.chars(140, kB64Chars); },
     [](const Json& v) -> std::string {
       return v.is_string() && !v.get_ref<const std::string&>().empty() ? "" : "empty receipt handle";
     }},
    {"json-string", "a string whose content is a JSON document",
     [](Rng& r, GenContext&) -> Json { return dump(Json{{"id", uuid(r)}, {"n", r.below(1000)}}); },
     [](const Json& v) -> std::string {
       if (!v.is_string()) return "expected a string";
       return Json::accept(v.get_ref<const std::string&>()) ? "" : "not a JSON document";
     }},
    {"http-date", "RFC 1123 date (HTTP Date header)",
     [](Rng&, GenContext& c) -> Json { return rfc1123(c.now_ms); },
     need_string},
    {"trace-id", "X-Ray trace header (Root=1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx)",
     [](Rng& r, GenContext&) -> Json { return "Root=1-" + r.chars(8, kHexLower) + "-" + r.chars(24, kHexLower); },
     need_string},
};

}  // namespace

const std::vector<Format>& formats() { return kFormats; }

const Format* find_format(std::string_view id) {
  for (const auto& f : kFormats)
    if (f.id == id) return &f;
  return nullptr;
}

std::string uuid(Rng& rng) {
  uint64_t a = rng.next(), b = rng.next();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string iso8601(int64_t epoch_ms, bool with_ms) {
  // Days to civil date (H. Hinnant's algorithm): runs stamp every trace line, and gmtime_r plus
  // strftime was a tenth of a long async simulation. Valid for years 0000–9999.
  int64_t ms = epoch_ms % 1000, secs = epoch_ms / 1000;
  if (ms < 0) ms += 1000, --secs;
  int64_t days = secs / 86400, sod = secs % 86400;
  if (sod < 0) sod += 86400, --days;
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2);
  char buf[32];
  auto put = [&buf](std::size_t at, int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) buf[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
  };
  put(0, year, 4);
  buf[4] = '-';
  put(5, month, 2);
  buf[7] = '-';
  put(8, day, 2);
  buf[10] = 'T';
  put(11, sod / 3600, 2);
  buf[13] = ':';
  put(14, sod / 60 % 60, 2);
  buf[16] = ':';
  put(17, sod % 60, 2);
  std::size_t n = 19;
  if (with_ms) {
    buf[n++] = '.';
    put(n, ms, 3);
    n += 3;
  }
  buf[n++] = 'Z';
  return std::string(buf, n);
}

std::string rfc1123(int64_t epoch_ms) {
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

namespace {

// One placeholder; `ok` false when unknown.
std::string expand_one(std::string_view ph, Rng* rng, GenContext* ctx, bool& ok) {
  ok = true;
  auto colon = ph.find(':');
  std::string_view name = ph.substr(0, colon);
  std::string_view arg = colon == std::string_view::npos ? std::string_view{} : ph.substr(colon + 1);
  std::size_t n = 0;
  if (!arg.empty() && name != "var") {
    auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
    if (ec != std::errc{} || p != arg.data() + arg.size() || n > 4096) {
      ok = false;
      return {};
    }
  }
  bool check_only = rng == nullptr;
  auto chars = [&](std::string_view alphabet) { return check_only ? std::string{} : rng->chars(n, alphabet); };
  if (name == "region" && arg.empty()) return check_only ? "" : ctx->region;
  if (name == "account" && arg.empty()) return check_only ? "" : ctx->account;
  if (name == "name" && arg.empty()) return check_only ? "" : ctx->name;
  if (name == "function" && arg.empty()) return check_only ? "" : ctx->function;
  if (name == "uuid" && arg.empty()) return check_only ? "" : uuid(*rng);
  if (name == "UUID" && arg.empty()) {
    if (check_only) return "";
    std::string u = uuid(*rng);
    for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
  }
  if (name == "hex" && n) return chars(kHexLower);
  if (name == "HEX" && n) return chars(kHexUpper);
  if (name == "alnum" && n) return chars(kAlnum);
  if (name == "digits" && n) return check_only ? "" : number_string(*rng, n);
  if (name == "lower" && n) return chars(kLower);
  if (name == "upper" && n) return chars(kUpper);
  if (name == "b64" && n) return chars(kB64Chars);
  if (name == "iso8601" && arg.empty()) return check_only ? "" : iso8601(ctx->now_ms, false);
  if (name == "iso8601-ms" && arg.empty()) return check_only ? "" : iso8601(ctx->now_ms, true);
  if (name == "epoch-s" && arg.empty()) return check_only ? "" : std::to_string(ctx->now_ms / 1000);
  if (name == "epoch-ms" && arg.empty()) return check_only ? "" : std::to_string(ctx->now_ms);
  if (name == "date" && arg.empty()) return check_only ? "" : rfc1123(ctx->now_ms);
  if (name == "var" && !arg.empty()) {
    if (check_only) return "";
    auto it = ctx->vars.find(arg);
    if (it != ctx->vars.end()) return it->second;
    // First use draws a value and keeps it for the rest of the event.
    std::string v = rng->chars(8, kLower);
    ctx->vars.emplace(std::string(arg), v);
    return v;
  }
  ok = false;
  return {};
}

std::string walk_template(std::string_view tmpl, Rng* rng, GenContext* ctx, std::string* bad) {
  std::string out;
  out.reserve(tmpl.size() + 16);
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') {
      out += tmpl[i];
      continue;
    }
    auto close = tmpl.find('}', i);
    if (close == std::string_view::npos) {
      if (bad && bad->empty()) *bad = std::string(tmpl.substr(i));
      out += tmpl.substr(i);
      break;
    }
    bool ok = true;
    std::string_view ph = tmpl.substr(i + 1, close - i - 1);
    out += expand_one(ph, rng, ctx, ok);
    if (!ok && bad && bad->empty()) *bad = "{" + std::string(ph) + "}";
    i = close;
  }
  return out;
}

}  // namespace

std::string expand_template(std::string_view tmpl, Rng& rng, GenContext& ctx) {
  return walk_template(tmpl, &rng, &ctx, nullptr);
}

std::string check_template(std::string_view tmpl) {
  std::string bad;
  walk_template(tmpl, nullptr, nullptr, &bad);
  return bad;
}

GenContext GenContext::draw(Rng& rng) {
  GenContext c;
  c.region = draw_region(rng);
  c.account = number_string(rng, 12);
  static const std::array<const char*, 8> kNames = {"orders", "payments", "inventory", "events",
                                                    "audit-log", "user-signups", "invoices", "telemetry"};
  c.name = kNames[rng.below(kNames.size())];
  c.function = c.name + "-handler";
  // Between 2025-01-01 and 2026-12-31, in ms.
  c.now_ms = 1735689600000LL + static_cast<int64_t>(rng.below(63072000000ULL));
  c.sequence = rng.below(1000000);
  return c;
}

}  // namespace evh
