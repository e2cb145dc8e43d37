// Amazon S3 notifications: form-encoded keys, bucket ARN from the bucket name, fields and extra-data blocks that
// match the event type (deletes carry no size/eTag), eventVersion per type, hex sequencers (SEMANTICS.md §6.12).
#include <cctype>
#include <optional>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

// What an eventName implies for the record (S3 User Guide, "Event message structure").
struct Kind {
  bool deleted = false;         // no size / eTag (ObjectRemoved:*, LifecycleExpiration:*)
  bool by_service = false;      // principalId and sourceIPAddress are s3.amazonaws.com (lifecycle, tiering)
  const char* block = nullptr;  // the extra-data block this type carries, if any
  const char* version = "2.1";
};

Kind kind_of(const std::string& name) {
  Kind k;
  auto starts = [&](const char* p) { return name.rfind(p, 0) == 0; };
  if (starts("ObjectRemoved:")) {
    k.deleted = true;
  } else if (starts("LifecycleExpiration:")) {
    k = {true, true, nullptr, "2.3"};
  } else if (name == "LifecycleTransition") {
    k = {false, true, "lifecycleEventData", "2.3"};
  } else if (name == "IntelligentTiering") {
    k = {false, true, "intelligentTieringEventData", "2.3"};
  } else if (starts("Replication:")) {
    k = {false, false, "replicationEventData", "2.2"};
  } else if (name == "ObjectRestore:Completed") {
    k.block = "glacierEventData";
  } else if (name == "ObjectRestore:Delete" || starts("ObjectTagging:") || starts("ObjectAcl:")) {
    k.version = "2.3";
  }
  return k;
}

constexpr const char* kBlocks[] = {"glacierEventData", "replicationEventData", "intelligentTieringEventData",
                                   "lifecycleEventData"};

bool is_hex(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// A minimal, schema-valid extra-data block for `block` (used when the generator did not draw one).
Json make_block(const std::string& block, Rng& rng, GenContext& ctx, const std::string& bucket) {
  if (block == "glacierEventData") {
    return {{"restoreEventData",
             {{"lifecycleRestorationExpiryTime", iso8601(ctx.now_ms + rng.range(1, 30) * 86400000LL, true)},
              {"lifecycleRestoreStorageClass", rng.chance(0.5) ? "GLACIER" : "DEEP_ARCHIVE"}}}};
  }
  if (block == "replicationEventData") {
    return {{"replicationRuleId", "replicate-all"},
            {"destinationBucket", "arn:aws:s3:::" + bucket + "-replica"},
            {"s3Operation", "OBJECT_PUT"},
            {"requestTime", iso8601(ctx.now_ms - rng.range(1000, 900000), true)}};
  }
  if (block == "intelligentTieringEventData") {
    return {{"destinationAccessTier", rng.chance(0.5) ? "ARCHIVE_ACCESS" : "DEEP_ARCHIVE_ACCESS"}};
  }
  return {{"transitionEventData", {{"destinationStorageClass", rng.chance(0.5) ? "STANDARD_IA" : "GLACIER"}}}};
}

void finalize_record(Json& r, Rng& rng, GenContext& ctx) {
  std::string name = str(r, "eventName");
  Kind k = kind_of(name);
  r["eventVersion"] = k.version;
  Json* s3 = find_at(r, "/s3");
  Json* object = find_at(r, "/s3/object");
  Json* bucket = find_at(r, "/s3/bucket");
  if (!s3 || !object || !object->is_object() || !bucket || !bucket->is_object()) return;

  // The bucket ARN names the bucket (S3 ARNs carry no region or account).
  std::string bucket_name = str(*bucket, "name");
  (*bucket)["arn"] = "arn:aws:s3:::" + bucket_name;

  // The generator draws the raw key; S3 sends it form-encoded (SEMANTICS.md §6.12).
  std::string raw = str(*object, "key");
  if (raw.empty()) raw = "object";
  (*object)["key"] = codec::url_form_encode(raw);
  if (object->contains("urlDecodedKey")) (*object)["urlDecodedKey"] = raw;

  if (k.deleted) {
    object->erase("size");
    object->erase("eTag");
  } else {
    if (!object->contains("size")) (*object)["size"] = rng.range(0, 10485760);
    if (!object->contains("eTag")) (*object)["eTag"] = rng.chars(32, "0123456789abcdef");
    std::string etag = str(*object, "eTag").substr(0, 32);
    if (name == "ObjectCreated:CompleteMultipartUpload") etag += "-" + std::to_string(rng.range(2, 40));
    (*object)["eTag"] = etag;
  }
  if (name.find("DeleteMarkerCreated") != std::string::npos) {
    const Json* v = find_at(*object, "/versionId");
    if (!v || !v->is_string())
      (*object)["versionId"] = rng.chars(32, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
  }

  // Service-initiated events name S3 itself as principal and source (S3 UG, lifecycle notifications).
  if (k.by_service) {
    r["userIdentity"] = {{"principalId", "s3.amazonaws.com"}};
    r["requestParameters"] = {{"sourceIPAddress", "s3.amazonaws.com"}};
  } else if (str(r["requestParameters"], "sourceIPAddress") == "s3.amazonaws.com") {
    r["requestParameters"]["sourceIPAddress"] = find_format("ipv4")->generate(rng, ctx);
  }
  if (!k.by_service && str(r["userIdentity"], "principalId") == "s3.amazonaws.com")
    r["userIdentity"]["principalId"] = "AWS:AIDA" + rng.chars(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

  // Exactly the extra-data block the event type carries.
  for (const char* b : kBlocks) {
    if (k.block && std::string(b) == k.block) {
      if (!r.contains(b) || !r[b].is_object()) r[b] = make_block(b, rng, ctx, bucket_name);
    } else {
      r.erase(b);
    }
  }
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json* records = array_at(event, "/Records");
  if (!records) return;
  for (auto& r : *records)
    if (r.is_object()) finalize_record(r, rng, ctx);
}

void check(const Json& event, std::vector<Problem>& out) {
  const Json* records = array_at(event, "/Records");
  if (!records) return;
  for (std::size_t i = 0; i < records->size(); ++i) {
    const Json& r = (*records)[i];
    if (!r.is_object()) continue;
    std::string at = "/Records/" + std::to_string(i);
    std::string name = str(r, "eventName");
    Kind k = kind_of(name);
    const Json* bucket = find_at(r, "/s3/bucket");
    const Json* object = find_at(r, "/s3/object");
    if (bucket && bucket->is_object()) {
      std::string bname = str(*bucket, "name"), arn = str(*bucket, "arn");
      auto sep = arn.find(":::");
      if (!bname.empty() && !arn.empty() && (sep == std::string::npos || arn.substr(sep + 3) != bname))
        report(out, at + "/s3/bucket/arn", "does not name the bucket (expected arn:aws:s3:::" + bname + ")");
    }
    if (object && object->is_object()) {
      const Json* key = find_at(*object, "/key");
      std::optional<std::string> decoded;
      if (key && key->is_string()) {
        decoded = codec::url_form_decode(key->get<std::string>());
        if (!decoded) report(out, at + "/s3/object/key", "is not a valid URL form encoding");
      }
      const Json* dk = find_at(*object, "/urlDecodedKey");
      if (decoded && dk && dk->is_string() && dk->get<std::string>() != *decoded)
        report(out, at + "/s3/object/urlDecodedKey", "is not the decoded key");
      if (k.deleted && !name.empty()) {
        if (object->contains("size")) report(out, at + "/s3/object/size", "present on a delete event (" + name + ")");
        if (object->contains("eTag")) report(out, at + "/s3/object/eTag", "present on a delete event (" + name + ")");
      }
      const Json* seq = find_at(*object, "/sequencer");
      if (seq && seq->is_string() && !is_hex(seq->get<std::string>()))
        report(out, at + "/s3/object/sequencer", "is not a hexadecimal string");
    }
    if (!name.empty()) {
      for (const char* b : kBlocks) {
        bool expected = k.block && std::string(b) == k.block;
        if (r.contains(b) && !expected) report(out, at + "/" + b, "present on a " + name + " event");
        if (!r.contains(b) && expected) report(out, at + "/" + b, "missing on a " + name + " event");
      }
    }
  }
}

}  // namespace

SourceHooks s3_hooks() { return {finalize, check}; }

}  // namespace evh::sources
