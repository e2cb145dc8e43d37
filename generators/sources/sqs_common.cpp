// SQS record finalize and consistency checks (SEMANTICS.md §3.1, §8.4).
#include "generators/sources/sqs_common.h"

#include <algorithm>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

void put_length_prefixed(std::string& out, std::string_view bytes) {
  uint32_t n = static_cast<uint32_t>(bytes.size());
  out += static_cast<char>((n >> 24) & 0xff);
  out += static_cast<char>((n >> 16) & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  out += static_cast<char>(n & 0xff);
  out.append(bytes);
}

// Makes one attribute agree with its data type.
void fix_attribute(Json& attr, Rng& rng) {
  std::string type = str(attr, "dataType");
  if (type.rfind("Binary", 0) == 0) {
    attr.erase("stringValue");
    attr["binaryValue"] = codec::base64_encode(rng.chars(8, "abcdefghijklmnop0123456789"));
  } else {
    attr.erase("binaryValue");
    attr["stringValue"] = type.rfind("Number", 0) == 0 ? std::to_string(rng.range(0, 100000))
                                                       : str(attr, "stringValue").empty() ? "value" : str(attr, "stringValue");
  }
}

}  // namespace

std::string sqs_md5_of_attributes(const Json& attributes) {
  std::vector<std::string> names;
  for (const auto& [k, _] : attributes.items()) names.push_back(k);
  std::sort(names.begin(), names.end());
  std::string buf;
  for (const auto& name : names) {
    const Json& a = attributes[name];
    std::string type = str(a, "dataType");
    put_length_prefixed(buf, name);
    put_length_prefixed(buf, type);
    if (type.rfind("Binary", 0) == 0) {
      buf += '\x02';
      put_length_prefixed(buf, codec::base64_decode(str(a, "binaryValue")).value_or(""));
    } else {
      buf += '\x01';
      put_length_prefixed(buf, str(a, "stringValue"));
    }
  }
  return codec::md5_hex(buf);
}

void sqs_finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json* records = array_at(event, "/Records");
  if (!records) return;
  for (auto& r : *records) {
    r["md5OfBody"] = codec::md5_hex(str(r, "body"));
    Json& attrs = r["messageAttributes"];
    if (!attrs.is_object()) attrs = Json::object();
    for (auto& [_, a] : attrs.items()) fix_attribute(a, rng);
    if (!attrs.empty()) {
      r["md5OfMessageAttributes"] = sqs_md5_of_attributes(attrs);
    } else if (r.contains("md5OfMessageAttributes")) {
      r["md5OfMessageAttributes"] = nullptr;  // recorded as null or absent (SEMANTICS.md §8.4)
    }
    // Sent before first receive, both before "now".
    int64_t sent = ctx.now_ms - rng.range(10, 120000);
    Json& a = r["attributes"];
    a["SentTimestamp"] = std::to_string(sent);
    a["ApproximateFirstReceiveTimestamp"] = std::to_string(sent + rng.range(0, 5000));
  }
}

void sqs_refresh(Json& event) {
  Json* records = array_at(event, "/Records");
  if (!records) return;
  for (auto& r : *records) {
    if (!r.is_object()) continue;
    if (r.contains("body") && r["body"].is_string()) r["md5OfBody"] = codec::md5_hex(r["body"].get<std::string>());
    auto attrs = r.find("messageAttributes");
    bool any = attrs != r.end() && attrs->is_object() && !attrs->empty();
    if (any) {
      std::string md5 = sqs_md5_of_attributes(*attrs);
      r["md5OfMessageAttributes"] = md5;
    } else if (r.contains("md5OfMessageAttributes")) {
      r["md5OfMessageAttributes"] = nullptr;  // no attributes: null (SEMANTICS.md §8.4)
    }
  }
}

void sqs_check(const Json& event, std::vector<Problem>& out) {
  const Json* records = array_at(event, "/Records");
  if (!records) return;
  for (std::size_t i = 0; i < records->size(); ++i) {
    const Json& r = (*records)[i];
    std::string at = "/Records/" + std::to_string(i);
    if (!r.is_object()) continue;
    std::string md5 = str(r, "md5OfBody");
    if (!md5.empty() && md5 != codec::md5_hex(str(r, "body")))
      report(out, at + "/md5OfBody", "is not the MD5 of the body");
    auto attrs = r.find("messageAttributes");
    std::string md5a = str(r, "md5OfMessageAttributes");
    if (attrs != r.end() && attrs->is_object() && !md5a.empty() && md5a != sqs_md5_of_attributes(*attrs))
      report(out, at + "/md5OfMessageAttributes", "is not the MD5 of the message attributes");
    auto a = r.find("attributes");
    if (a != r.end() && a->is_object()) {
      std::string sent = str(*a, "SentTimestamp"), first = str(*a, "ApproximateFirstReceiveTimestamp");
      if (!sent.empty() && !first.empty() && compare_decimal(first, sent) < 0)
        report(out, at + "/attributes/ApproximateFirstReceiveTimestamp", "is before SentTimestamp");
    }
    std::string arn = str(r, "eventSourceARN"), region = str(r, "awsRegion");
    if (!arn.empty() && !region.empty() && arn.find(":" + region + ":") == std::string::npos)
      report(out, at + "/eventSourceARN", "names another region than awsRegion");
  }
}

}  // namespace evh::sources
