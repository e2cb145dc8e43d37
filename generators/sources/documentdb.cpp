// documentdb: change events in stream order (clusterTime increasing, resume token embedding it),
// one namespace per mapping, documentKey._id echoed by fullDocument._id, fields per operationType.
#include <cstdio>

#include "generators/sources/source_util.h"
#include "generators/sources/sources.h"

namespace evh::sources {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";

std::string hex8(uint64_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(v & 0xffffffffULL));
  return buf;
}

// Resume token as the AWS example shows it: 01 <t:8 hex> <i:8 hex> 01 <i:8 hex> <8 hex>
// ("0163eeb6e7000000090100000009000041e1" for t=1676588775, i=9).
std::string resume_token(int64_t t, int64_t i, Rng& rng) {
  return "01" + hex8(static_cast<uint64_t>(t)) + hex8(static_cast<uint64_t>(i)) + "01" +
         hex8(static_cast<uint64_t>(i)) + rng.chars(8, kHex);
}

// Puts `id` first in the document, as the server stores _id.
void put_id_first(Json& doc, const Json& id) {
  Json out = Json::object();
  out["_id"] = id;
  for (auto& [k, v] : doc.items())
    if (k != "_id") out[k] = std::move(v);
  doc = std::move(out);
}

const char* draw_operation(Rng& rng) {
  double u = rng.unit();
  return u < 0.5 ? "insert" : u < 0.75 ? "update" : u < 0.85 ? "replace" : "delete";
}

void finalize(Json& event, Rng& rng, GenContext& ctx) {
  Json* events = array_at(event, "/events");
  if (!events) return;
  int64_t t = ctx.now_ms / 1000 - rng.range(1, 300);
  int64_t inc = rng.range(1, 20);
  Json ns;
  for (auto& rec : *events) {
    if (!rec.is_object() || !rec["event"].is_object()) continue;
    Json& e = rec["event"];
    // Stream order: (t, i) increases; i restarts when the second changes.
    if (rng.chance(0.3)) {
      t += rng.range(1, 3);
      inc = 1;
    } else {
      ++inc;
    }
    e["clusterTime"] = Json{{"$timestamp", Json{{"t", t}, {"i", inc}}}};
    e["_id"] = Json{{"_data", resume_token(t, inc, rng)}};
    if (ns.is_null()) ns = e["ns"].is_object() ? e["ns"] : Json{{"db", "appdb"}, {"coll", ctx.name}};
    e["ns"] = ns;  // a mapping watches one database / collection
    std::string op = draw_operation(rng);
    e["operationType"] = op;
    Json id = Json{
        {"$oid", hex8(static_cast<uint64_t>(op == "insert" ? t : t - rng.range(60, 30000000))) + rng.chars(16, kHex)}};
    e["documentKey"] = Json{{"_id", id}};
    Json doc = e.contains("fullDocument") && e["fullDocument"].is_object() ? e["fullDocument"] : Json::object();
    put_id_first(doc, id);
    e.erase("updateDescription");
    if (op == "update") {
      Json fields = Json::object();
      for (auto& [k, v] : doc.items()) {
        if (k == "_id") continue;
        if (fields.empty() || rng.chance(0.3)) fields[k] = v;
      }
      e["updateDescription"] = Json{{"updatedFields", fields}, {"removedFields", Json::array()}};
      // FullDocument UpdateLookup sends the whole document; Default sends only the delta.
      if (rng.chance(0.5)) {
        e["fullDocument"] = doc;
      } else {
        e.erase("fullDocument");
      }
    } else if (op == "delete") {
      e.erase("fullDocument");
    } else {
      e["fullDocument"] = doc;
    }
  }
}

bool time_of(const Json& e, int64_t& t, int64_t& i) {
  const Json* ts = find_at(e, "/clusterTime/$timestamp");
  if (!ts || !ts->is_object()) return false;
  auto tt = ts->find("t"), ii = ts->find("i");
  if (tt == ts->end() || ii == ts->end() || !tt->is_number_integer() || !ii->is_number_integer()) return false;
  t = tt->get<int64_t>();
  i = ii->get<int64_t>();
  return true;
}

void check(const Json& event, std::vector<Problem>& out) {
  const Json* events = array_at(event, "/events");
  if (!events) return;
  bool have_prev = false;
  int64_t pt = 0, pi = 0;
  for (std::size_t n = 0; n < events->size(); ++n) {
    const Json* e = find_at((*events)[n], "/event");
    if (!e || !e->is_object()) continue;
    std::string at = "/events/" + std::to_string(n) + "/event";
    int64_t t = 0, i = 0;
    if (time_of(*e, t, i)) {
      if (have_prev && (t < pt || (t == pt && i <= pi)))
        report(out, at + "/clusterTime", "does not increase: change events arrive in stream order");
      have_prev = true;
      pt = t;
      pi = i;
      const Json* data = find_at(*e, "/_id/_data");
      if (data && data->is_string()) {
        const std::string& d = data->get_ref<const std::string&>();
        if (d.size() == 36 && d.rfind("01", 0) == 0 &&
            d.substr(2, 16) != hex8(static_cast<uint64_t>(t)) + hex8(static_cast<uint64_t>(i)))
          report(out, at + "/_id/_data", "resume token does not carry clusterTime (t, i)");
      }
    }
    std::string op = str(*e, "operationType");
    auto full = e->find("fullDocument");
    bool has_doc = full != e->end() && full->is_object();
    if ((op == "insert" || op == "replace") && !has_doc) report(out, at, op + " event without fullDocument");
    if (op == "delete" && has_doc) report(out, at + "/fullDocument", "a delete event carries no fullDocument");
    if (op == "update" && !e->contains("updateDescription")) report(out, at, "update event without updateDescription");
    const Json* key = find_at(*e, "/documentKey/_id");
    if (has_doc && key && full->contains("_id") && (*full)["_id"] != *key)
      report(out, at + "/fullDocument/_id", "differs from documentKey._id");
  }
}

}  // namespace

SourceHooks documentdb_hooks() { return {finalize, check}; }

}  // namespace evh::sources
