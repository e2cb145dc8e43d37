// Amazon DynamoDB Streams: Keys taken from the item image, images present as eventName and StreamViewType say,
// SequenceNumber increasing, unique eventIDs, SizeBytes as DynamoDB sizes items, creation times in order, one
// stream and region, TTL userIdentity on REMOVE only, tumbling-window fields (SEMANTICS.md §3.3, §3.5, §8.6).
#include <cinttypes>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "generators/sources/kinesis_common.h"
#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

constexpr std::string_view kDigits = "0123456789";

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of(kDigits) == std::string::npos; }

// ---- DynamoDB item sizing (Developer Guide, "Item sizes and formats"): attribute name bytes plus value bytes;
// a number takes 1 byte per two significant digits plus 1; a map or list 3 bytes plus 1 per element.

int64_t number_size(const std::string& n) {
  std::string digits;
  for (char c : n) {
    if (c == 'e' || c == 'E') break;
    if (c >= '0' && c <= '9') digits += c;
  }
  auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 1;
  digits = digits.substr(first);
  digits.erase(digits.find_last_not_of('0') + 1);
  return static_cast<int64_t>((digits.size() + 1) / 2 + 1);
}

int64_t binary_size(const Json& v) {
  if (!v.is_string()) return 0;
  auto raw = codec::base64_decode(v.get_ref<const std::string&>());
  return static_cast<int64_t>(raw ? raw->size() : v.get_ref<const std::string&>().size());
}

int64_t item_size(const Json& item, bool& nested);

int64_t value_size(const Json& av, bool& nested) {
  if (!av.is_object() || av.size() != 1) return 0;
  auto first = av.begin();
  const std::string& type = first.key();
  const Json& v = first.value();
  auto each = [&](auto&& size_of) {
    int64_t sum = 0;
    if (v.is_array())
      for (const auto& e : v) sum += size_of(e);
    return sum;
  };
  if (type == "S") return v.is_string() ? static_cast<int64_t>(v.get_ref<const std::string&>().size()) : 0;
  if (type == "N") return v.is_string() ? number_size(v.get<std::string>()) : 0;
  if (type == "B") return binary_size(v);
  if (type == "BOOL" || type == "NULL") return 1;
  if (type == "SS")
    return each(
        [](const Json& e) { return e.is_string() ? static_cast<int64_t>(e.get_ref<const std::string&>().size()) : 0; });
  if (type == "NS") return each([](const Json& e) { return e.is_string() ? number_size(e.get<std::string>()) : 0; });
  if (type == "BS") return each([](const Json& e) { return binary_size(e); });
  nested = true;
  if (type == "M") return 3 + item_size(v, nested) + (v.is_object() ? static_cast<int64_t>(v.size()) : 0);
  if (type == "L") return 3 + each([&](const Json& e) { return value_size(e, nested) + 1; });
  return 0;
}

int64_t item_size(const Json& item, bool& nested) {
  int64_t sum = 0;
  if (item.is_object())
    for (const auto& [name, av] : item.items()) sum += static_cast<int64_t>(name.size()) + value_size(av, nested);
  return sum;
}

// Size of a stream record: its Keys and images (matches the sizes in the AWS documentation examples).
int64_t record_size(const Json& d, bool& nested) {
  int64_t size = 0;
  for (const char* part : {"Keys", "NewImage", "OldImage"}) {
    auto it = d.find(part);
    if (it != d.end()) size += item_size(*it, nested);
  }
  return size;
}

// ---- finalize

bool is_key_type(const Json& av) {
  return av.is_object() && av.size() == 1 && (av.contains("S") || av.contains("N") || av.contains("B"));
}

int key_rank(const std::string& name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "pk" || lower == "id") return 0;
  if (lower.size() > 2 && lower.compare(lower.size() - 2, 2, "id") == 0) return 1;
  return 2;
}

bool sort_key_like(const std::string& name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "sk" || lower.find("date") != std::string::npos || lower.find("time") != std::string::npos ||
         (lower.size() > 2 && lower.compare(lower.size() - 2, 2, "at") == 0);
}

// The table's key: scalar attributes every record's item carries (partition key, sometimes a sort key).
std::vector<std::string> choose_keys(const std::vector<Json>& items, Rng& rng) {
  std::vector<std::string> common;
  if (!items.empty() && items[0].is_object()) {
    for (const auto& [name, av] : items[0].items()) {
      bool everywhere = true;
      for (const auto& it : items)
        everywhere = everywhere && it.is_object() && it.contains(name) && is_key_type(it[name]);
      if (everywhere) common.push_back(name);
    }
  }
  std::stable_sort(common.begin(), common.end(),
                   [](const auto& a, const auto& b) { return key_rank(a) < key_rank(b); });
  std::vector<std::string> keys;
  if (common.empty()) return keys;
  keys.push_back(common[0]);
  if (rng.chance(0.4)) {
    // A sort key: a date/time-like name or a number (versions, timestamps, counters), either tried first.
    bool numeric_first = rng.chance(0.5);
    for (int pass = 0; pass < 2 && keys.size() == 1; ++pass) {
      for (std::size_t i = 1; i < common.size(); ++i) {
        bool numeric = items[0][common[i]].contains("N");
        if ((pass == 0) != numeric_first ? sort_key_like(common[i]) : numeric) {
          keys.push_back(common[i]);
          break;
        }
      }
    }
  }
  return keys;
}

// The item as it was before a MODIFY: one non-key attribute had another value (or did not exist yet).
Json previous_version(const Json& item, const std::vector<std::string>& keys, Rng& rng) {
  Json old = item;
  std::vector<std::string> names;
  for (const auto& [name, _] : item.items())
    if (std::find(keys.begin(), keys.end(), name) == keys.end()) names.push_back(name);
  if (names.empty()) return old;
  const std::string& name = rng.pick(names);
  Json& av = old[name];
  static const std::vector<std::string> kStates = {"PENDING", "CREATED", "draft", "v1", "OrderCreated"};
  if (av.contains("S")) {
    std::string prev = rng.pick(kStates);
    av["S"] = prev == av["S"] ? std::string("previous") : prev;
  } else if (av.contains("N")) {
    av["N"] = std::to_string(rng.range(0, 999));
  } else if (av.contains("BOOL") && av["BOOL"].is_boolean()) {
    av["BOOL"] = !av["BOOL"].get<bool>();
  } else {
    old.erase(name);  // the attribute was added by this update
  }
  return old;
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json* records = array_at(event, "/Records");
  if (!records || records->empty()) return;
  // One stream: one view type, one ARN (table/<name>/stream/<creation label>).
  double u = rng.unit();
  const std::string view = u < 0.7    ? "NEW_AND_OLD_IMAGES"
                           : u < 0.85 ? "NEW_IMAGE"
                           : u < 0.93 ? "OLD_IMAGE"
                                      : "KEYS_ONLY";
  std::string label = iso8601(ctx.now_ms - rng.range(86400000LL, 400LL * 86400000LL), true);
  label.pop_back();  // stream labels carry no zone letter: 2016-12-01T00:00:00.000
  const std::string arn =
      "arn:aws:dynamodb:" + ctx.region + ":" + ctx.account + ":table/" + ctx.name + "/stream/" + label;
  // Items: the generated NewImage (the user's payload) is the item each change is about.
  std::vector<Json> items;
  for (auto& r : *records) {
    const Json* img = r.is_object() ? find_at(r, "/dynamodb/NewImage") : nullptr;
    items.push_back(img && img->is_object() ? *img : Json::object());
  }
  std::vector<std::string> keys = choose_keys(items, rng);
  if (keys.empty()) {
    keys.push_back("pk");
    for (auto& it : items) {
      Json with_key = Json{{"pk", Json{{"S", uuid(rng)}}}};
      for (const auto& [k, v] : it.items()) with_key[k] = v;
      it = with_key;
    }
  }
  bool windowed = event.is_object() && event.contains("window");  // TumblingWindowInSeconds > 0
  std::pair<int64_t, int64_t> window{0, 0};
  std::vector<int64_t> times;
  if (windowed) {
    window = draw_window(rng, ctx);
    times = sorted_times(rng, records->size(), window.first / 1000, std::min(window.second, ctx.now_ms) / 1000);
  } else {
    int64_t first = ctx.now_ms / 1000 - rng.range(1, 3600);
    times = sorted_times(rng, records->size(), first, first + 30);
  }
  const std::string head = "1" + rng.chars(5, kDigits) + "0000000000";
  uint64_t counter = static_cast<uint64_t>(rng.range(1000000000LL, 99999999999LL));
  char buf[32];
  for (std::size_t i = 0; i < records->size(); ++i) {
    Json& r = (*records)[i];
    if (!r.is_object()) continue;
    double e = rng.unit();
    const std::string name = e < 0.35 ? "INSERT" : e < 0.8 ? "MODIFY" : "REMOVE";
    const Json& item = items[i];
    Json key_attrs = Json::object();
    for (const auto& k : keys) key_attrs[k] = item[k];
    bool new_image = name != "REMOVE" && (view == "NEW_AND_OLD_IMAGES" || view == "NEW_IMAGE");
    bool old_image = name != "INSERT" && (view == "NEW_AND_OLD_IMAGES" || view == "OLD_IMAGE");
    Json d = Json::object();
    d["ApproximateCreationDateTime"] = times[i];
    d["Keys"] = key_attrs;
    if (new_image) d["NewImage"] = item;
    if (old_image) d["OldImage"] = name == "MODIFY" ? previous_version(item, keys, rng) : item;
    counter += static_cast<uint64_t>(rng.range(1, 5000000));
    std::snprintf(buf, sizeof buf, "%012" PRIu64, counter);
    d["SequenceNumber"] = head + buf;
    bool nested = false;
    d["SizeBytes"] = std::max<int64_t>(1, record_size(d, nested));
    d["StreamViewType"] = view;
    Json out = Json::object();
    out["eventID"] = rng.chars(32, "0123456789abcdef");
    out["eventName"] = name;
    out["eventVersion"] = "1.1";  // SEMANTICS.md §8.6
    out["eventSource"] = "aws:dynamodb";
    out["awsRegion"] = ctx.region;
    if (name == "REMOVE" && rng.chance(0.25))  // deleted by Time to Live
      out["userIdentity"] = {{"type", "Service"}, {"principalId", "dynamodb.amazonaws.com"}};
    out["dynamodb"] = std::move(d);
    out["eventSourceARN"] = arn;
    r = std::move(out);
  }
  if (windowed) {
    std::snprintf(buf, sizeof buf, "%013" PRId64, ctx.now_ms - rng.range(0, 14400000));
    set_window_fields(event, rng, window, std::string("shardId-0000000") + buf + "-" + rng.chars(8, "0123456789abcdef"),
                      arn);
  } else {
    clear_window_fields(event);
  }
}

// ---- check

void check(const Json& event, std::vector<Problem>& out) {
  const Json* records = array_at(event, "/Records");
  if (!records) return;
  std::string arn, view, last_seq;
  double last_time = -1;
  std::set<std::string> event_ids;
  for (std::size_t i = 0; i < records->size(); ++i) {
    const Json& r = (*records)[i];
    std::string at = "/Records/" + std::to_string(i);
    if (!r.is_object()) continue;
    std::string name = str(r, "eventName");
    std::string id = str(r, "eventID");
    if (!id.empty() && !event_ids.insert(id).second) report(out, at + "/eventID", "repeats another record's eventID");
    if (r.contains("userIdentity") && !name.empty() && name != "REMOVE")
      report(out, at + "/userIdentity", "appears on a " + name + " record (only Time to Live deletions carry it)");
    std::string record_arn = str(r, "eventSourceARN");
    if (arn.empty()) {
      arn = record_arn;
    } else if (!record_arn.empty() && record_arn != arn) {
      report(out, at + "/eventSourceARN", "names another stream than the first record (one mapping reads one stream)");
    }
    std::string region = str(r, "awsRegion"), arn_region = arn_part(record_arn, 3);
    if (!region.empty() && !arn_region.empty() && region != arn_region)
      report(out, at + "/awsRegion", "is not the region of eventSourceARN");
    auto dit = r.find("dynamodb");
    if (dit == r.end() || !dit->is_object()) continue;
    const Json& d = *dit;
    std::string dp = at + "/dynamodb";
    std::string seq = str(d, "SequenceNumber");
    if (all_digits(seq)) {
      if (!last_seq.empty() && compare_decimal(seq, last_seq) <= 0)
        report(out, dp + "/SequenceNumber", "does not increase (records of a shard arrive in order)");
      last_seq = seq;
    }
    auto t = d.find("ApproximateCreationDateTime");
    if (t != d.end() && t->is_number()) {
      if (t->get<double>() < last_time)
        report(out, dp + "/ApproximateCreationDateTime", "is before the previous record's");
      last_time = t->get<double>();
    }
    std::string v = str(d, "StreamViewType");
    if (view.empty()) {
      view = v;
    } else if (!v.empty() && v != view) {
      report(out, dp + "/StreamViewType", "differs from the first record's (a stream has one view type)");
    }
    bool has_new = d.contains("NewImage"), has_old = d.contains("OldImage");
    if (name == "INSERT" && has_old)
      report(out, dp + "/OldImage", "is present on an INSERT (there was no item before)");
    if (name == "REMOVE" && has_new) report(out, dp + "/NewImage", "is present on a REMOVE (there is no item after)");
    if (v == "KEYS_ONLY" && (has_new || has_old))
      report(out, dp, "carries an image although StreamViewType is KEYS_ONLY");
    if (v == "NEW_IMAGE" && has_old) report(out, dp + "/OldImage", "is present although StreamViewType is NEW_IMAGE");
    if (v == "OLD_IMAGE" && has_new) report(out, dp + "/NewImage", "is present although StreamViewType is OLD_IMAGE");
    if (v == "NEW_AND_OLD_IMAGES" || v == "NEW_IMAGE") {
      if ((name == "INSERT" || name == "MODIFY") && !has_new)
        report(out, dp, "has no NewImage although the stream records new images");
    }
    if (v == "NEW_AND_OLD_IMAGES" || v == "OLD_IMAGE") {
      if ((name == "MODIFY" || name == "REMOVE") && !has_old)
        report(out, dp, "has no OldImage although the stream records old images");
    }
    // Keys are the key attributes of the item (SEMANTICS.md §3.3).
    auto keys = d.find("Keys");
    const Json* image = has_new && d["NewImage"].is_object()   ? &d["NewImage"]
                        : has_old && d["OldImage"].is_object() ? &d["OldImage"]
                                                               : nullptr;
    if (keys != d.end() && keys->is_object() && image) {
      for (const auto& [k, av] : keys->items()) {
        auto it = image->find(k);
        if (it == image->end()) {
          report(out, dp + "/Keys/" + pointer_token(k), "is not an attribute of the item image");
        } else if (*it != av) {
          report(out, dp + "/Keys/" + pointer_token(k), "differs from the item image's value");
        }
      }
    }
    // SizeBytes: exact when the images hold no maps or lists (their overhead is not documented precisely enough).
    auto size = d.find("SizeBytes");
    bool nested = false;
    int64_t expected = record_size(d, nested);
    if (size != d.end() && size->is_number_integer() && !nested && expected > 0 && size->get<int64_t>() != expected)
      report(out, dp + "/SizeBytes",
             "is " + std::to_string(size->get<int64_t>()) + " but the Keys and images take " +
                 std::to_string(expected) + " bytes");
  }
  check_window(event, "", arn, out);
}

// After a legal mutation: Keys follow the item image, SizeBytes follows Keys and images, the window fields follow
// the records.
void refresh(Json& event) {
  Json* records = array_at(event, "/Records");
  if (!records) return;
  std::string arn;
  for (auto& r : *records) {
    if (!r.is_object()) continue;
    if (arn.empty()) arn = str(r, "eventSourceARN");
    Json* d = find_at(r, "/dynamodb");
    if (!d || !d->is_object()) continue;
    Json* keys = find_at(*d, "/Keys");
    Json* new_image = find_at(*d, "/NewImage");
    Json* old_image = find_at(*d, "/OldImage");
    Json* image = new_image && new_image->is_object()   ? new_image
                  : old_image && old_image->is_object() ? old_image
                                                        : nullptr;
    if (keys && keys->is_object() && image) {
      for (auto& [k, av] : keys->items()) {
        auto it = image->find(k);
        if (it == image->end()) continue;
        av = *it;
        if (old_image && old_image != image && old_image->is_object() && old_image->contains(k)) (*old_image)[k] = av;
      }
    }
    auto size = d->find("SizeBytes");
    bool nested = false;
    if (size != d->end() && size->is_number_integer()) *size = std::max<int64_t>(1, record_size(*d, nested));
  }
  refresh_window(event, "", arn, {});
}

}  // namespace

SourceHooks dynamodb_streams_hooks() { return {finalize, check, refresh}; }

}  // namespace evh::sources
