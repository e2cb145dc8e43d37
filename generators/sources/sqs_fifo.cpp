// Amazon SQS (FIFO): the sqs digests plus per-group SequenceNumber order, send times in group order and
// deduplication ids (content-based = SHA-256 of the body) unique within a group (SEMANTICS.md §3.1, §8.3).
#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <set>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"
#include "generators/sources/sqs_common.h"

namespace evh::sources {
namespace {

constexpr std::string_view kDigits = "0123456789";

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of(kDigits) == std::string::npos; }

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  sqs_finalize(event, rng, ctx);  // md5OfBody, md5OfMessageAttributes, attribute values
  Json* records = array_at(event, "/Records");
  if (!records || records->empty()) return;
  // A batch mixes a few message groups (SEMANTICS.md §3.1).
  static const std::array<const char*, 8> kGroups = {"orders",   "customer-1842", "tenant-a",     "device-7f3a",
                                                     "payments", "eu-west",       "session-91c2", "cart-5521"};
  std::size_t group_count = 1 + rng.below(std::min<std::size_t>(3, records->size()));
  std::size_t first = rng.below(kGroups.size());
  std::vector<std::string> groups;
  for (std::size_t i = 0; i < group_count; ++i) groups.emplace_back(kGroups[(first + i) % kGroups.size()]);
  // SequenceNumber: a 20-digit number that only grows, drawn per queue so every group's order holds.
  std::string high = "1" + rng.chars(12, kDigits);
  int64_t low = rng.range(0, 4000000);
  int64_t sent = ctx.now_ms - rng.range(20000, 120000);
  std::vector<int64_t> sent_times;
  std::set<std::pair<std::string, std::string>> dedup_seen;  // (group, id)
  for (auto& r : *records) {
    if (!r.is_object()) continue;
    Json& a = r["attributes"];
    if (!a.is_object()) a = Json::object();
    std::string group = groups[rng.below(groups.size())];
    low += rng.range(1, 50000);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%07lld", static_cast<long long>(low));
    a["SequenceNumber"] = high + buf;
    a["MessageGroupId"] = group;
    sent += rng.range(0, 1500);
    a["SentTimestamp"] = std::to_string(sent);
    sent_times.push_back(sent);
    // Content-based deduplication hashes the body; an explicit id is the producer's choice.
    std::string dedup = rng.chance(0.7) ? codec::sha256_hex(str(r, "body")) : uuid(rng);
    if (!dedup_seen.insert({group, dedup}).second) dedup = uuid(rng);  // a true duplicate would not be delivered
    a["MessageDeduplicationId"] = dedup;
  }
  // The batch is received once, after the last send.
  int64_t received = sent + rng.range(5, 2000);
  for (auto& r : *records) {
    if (r.is_object() && r["attributes"].is_object())
      r["attributes"]["ApproximateFirstReceiveTimestamp"] = std::to_string(received);
  }
}

void check(const Json& event, std::vector<Problem>& out) {
  sqs_check(event, out);
  const Json* records = array_at(event, "/Records");
  if (!records) return;
  struct GroupState {
    std::string sequence, sent;
  };
  std::map<std::string, GroupState> groups;
  std::map<std::pair<std::string, std::string>, std::string> dedup_seen;  // (group, id) -> messageId
  std::string queue;
  for (std::size_t i = 0; i < records->size(); ++i) {
    const Json& r = (*records)[i];
    std::string at = "/Records/" + std::to_string(i);
    if (!r.is_object()) continue;
    std::string arn = str(r, "eventSourceARN");
    if (queue.empty()) {
      queue = arn;
    } else if (!arn.empty() && arn != queue) {
      report(out, at + "/eventSourceARN", "names another queue than the first record (one mapping reads one queue)");
    }
    auto a = r.find("attributes");
    if (a == r.end() || !a->is_object()) continue;
    std::string group = str(*a, "MessageGroupId");
    if (group.empty()) continue;
    GroupState& g = groups[group];
    std::string seq = str(*a, "SequenceNumber"), sent = str(*a, "SentTimestamp");
    if (all_digits(seq)) {
      if (!g.sequence.empty() && compare_decimal(seq, g.sequence) <= 0)
        report(out, at + "/attributes/SequenceNumber", "does not increase within message group " + group);
      g.sequence = seq;
    }
    if (all_digits(sent)) {
      if (!g.sent.empty() && compare_decimal(sent, g.sent) < 0)
        report(out, at + "/attributes/SentTimestamp", "is before an earlier message of group " + group);
      g.sent = sent;
    }
    std::string dedup = str(*a, "MessageDeduplicationId");
    auto [it, fresh] = dedup_seen.emplace(std::make_pair(group, dedup), str(r, "messageId"));
    if (!dedup.empty() && !fresh && it->second != str(r, "messageId"))  // a redelivery keeps its messageId
      report(out, at + "/attributes/MessageDeduplicationId",
             "repeats another message of group " + group + " (SQS would have dropped it as a duplicate)");
  }
}

// After a legal mutation: the sqs digests; a digest of attributes that are all gone becomes null (SEMANTICS.md §8.4).
void refresh(Json& event) {
  sqs_refresh(event);
  Json* records = array_at(event, "/Records");
  if (!records) return;
  for (auto& r : *records) {
    if (!r.is_object()) continue;
    auto attrs = r.find("messageAttributes");
    bool none = attrs == r.end() || !attrs->is_object() || attrs->empty();
    if (none && r.contains("md5OfMessageAttributes")) r["md5OfMessageAttributes"] = nullptr;
  }
}

}  // namespace

SourceHooks sqs_fifo_hooks() { return {finalize, check, refresh}; }

}  // namespace evh::sources
