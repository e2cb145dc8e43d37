// Subcommands: list, describe, generate, validate. Each returns the process exit code.
#include "cli/commands.h"

#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <sstream>

#include "examples/builtin.h"
#include "generators/catalog.h"
#include "generators/event_generator.h"
#include "generators/event_validator.h"
#include "generators/field_paths.h"
#include "generators/format.h"
#include "generators/mutation.h"
#include "generators/payload.h"
#include "harness/fault_plan.h"
#include "harness/invariant.h"
#include "harness/target.h"

namespace evh::cli {
namespace {

// The catalog is compiled in; a schema that fails to load is evh's own bug (or, with
// EVH_SOURCES_DIR, the schema being edited): say so once and go on with the others.
bool catalog_ok() {
  if (!catalog_error().empty()) std::cerr << "evh: warning: source left out: " << catalog_error() << "\n";
  return !all_sources().empty();
}

Json source_summary(const Source& s) {
  Json j = Json::object();
  j["id"] = s.id;
  j["title"] = s.title;
  j["model"] = to_string(s.model);
  j["invocationType"] = to_string(s.type);
  j["response"] = s.response.contract;
  return j;
}

Json describe_json(const Source& s) {
  Json j = source_summary(s);
  j["summary"] = s.summary;
  j["service"] = s.service;
  j["limits"] = {{"maxEventBytes", s.limits.max_event_bytes},
                 {"maxRecordBytes", s.limits.max_record_bytes},
                 {"maxBatchRecords", s.limits.max_batch_records},
                 {"maxResponseBytes", s.limits.max_response_bytes}};
  j["identity"] = {{"records", s.identity.records},
                   {"grouped", s.identity.grouped},
                   {"id", s.identity.id},
                   {"orderingKey", s.identity.ordering_key},
                   {"payload", s.identity.payload},
                   {"encoding", to_string(s.identity.encoding)}};
  j["defaults"] = s.defaults;
  j["responseContract"] = {{"contract", s.response.contract}, {"readBy", s.response.read_by}};
  if (s.response.schema) j["responseContract"]["schema"] = s.response.schema->document();
  if (s.meta.contains("semantics")) j["semantics"] = s.meta["semantics"];
  Json schema = s.schema.document();
  schema.erase("x-evh-source");
  j["inputSchema"] = schema;
  EventGenerator gen(s, PayloadContract::builtin());
  gen.set_batch_size(s.batched() ? 1 : -1);
  j["example"] = gen.generate(1).event;
  return j;
}

// Splits a file into documents: one JSON document, or JSONL (one per non-empty line).
Result<std::vector<std::pair<std::size_t, Json>>> read_documents(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  std::string name = path == "-" ? "<stdin>" : path;
  std::vector<std::pair<std::size_t, Json>> docs;
  auto whole = parse_json(*text, name);
  if (whole) {
    docs.emplace_back(1, std::move(*whole));
    return docs;
  }
  std::istringstream in(*text);
  std::string line;
  std::size_t lineno = 0;
  bool multi = false;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto doc = parse_json(line, name + ":" + std::to_string(lineno));
    if (!doc) {
      if (!multi) return whole.error();  // not JSONL either: report the whole-file error
      return doc.error();
    }
    multi = true;
    docs.emplace_back(lineno, std::move(*doc));
  }
  if (docs.empty()) return make_error(ErrorCode::kConfig, name + ": no JSON document found");
  return docs;
}

}  // namespace

uint64_t draw_seed() {
  std::random_device rd;  // the only non-deterministic draw: choosing a run seed
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

int fail(int code, const std::string& message) {
  std::cerr << "evh: " << message << "\n";
  return code;
}

int list(const std::string& what, bool json) {
  if (!catalog_ok()) return 3;
  Json out = Json::array();
  if (what == "sources") {
    for (const auto& s : all_sources()) out.push_back(source_summary(s));
    if (!json) {
      for (const auto& s : all_sources())
        std::printf("%-32s %-12s %-16s %s\n", s.id.c_str(), to_string(s.model), to_string(s.type), s.title.c_str());
      return 0;
    }
  } else if (what == "mutators") {
    for (const auto& m : mutators())
      out.push_back({{"id", m.id}, {"kind", to_string(m.kind)}, {"summary", m.summary}});
    if (!json) {
      for (const auto& m : mutators())
        std::printf("%-30s %-10s %s\n", std::string(m.id).c_str(), to_string(m.kind), std::string(m.summary).c_str());
      return 0;
    }
  } else if (what == "invariants") {
    for (const auto& i : harness::invariants())
      out.push_back({{"id", i.id}, {"summary", i.summary}, {"semantics", i.semantics}});
  } else if (what == "faults") {
    for (const auto& f : harness::fault_kinds())
      out.push_back({{"id", f.name}, {"summary", f.summary}, {"defaultRate", f.default_rate}, {"semantics", f.semantics}});
  } else if (what == "targets") {
    for (const auto& t : harness::target_kinds()) out.push_back({{"id", t.prefix}, {"summary", t.summary}});
  } else if (what == "handlers") {
    for (const auto& h : examples::builtin_handlers())
      out.push_back({{"id", std::string("builtin:") + h.name}, {"summary", h.summary}, {"buggy", h.buggy}});
  } else {
    for (const auto& f : formats()) out.push_back({{"id", f.id}, {"summary", f.summary}});
    if (!json) {
      for (const auto& f : formats()) std::printf("%-18s %s\n", std::string(f.id).c_str(), std::string(f.summary).c_str());
      return 0;
    }
  }
  if (!json) {
    for (const auto& e : out)
      std::printf("%-30s %s\n", e["id"].get<std::string>().c_str(), e["summary"].get<std::string>().c_str());
    return 0;
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}

int describe(const std::string& id, bool json) {
  if (!catalog_ok()) return 3;
  auto src = find_source(id);
  if (!src) return fail(2, src.error().message);
  const Source& s = **src;
  Json d = describe_json(s);
  if (json) {
    std::cout << d.dump(2) << "\n";
    return 0;
  }
  std::cout << s.id << ": " << s.title << "\n"
            << "  " << s.summary << "\n\n"
            << "invocation     " << to_string(s.model) << ", " << to_string(s.type)
            << (s.service.empty() ? "" : " (by " + s.service + ")") << "\n"
            << "limits         event " << s.limits.max_event_bytes << " B"
            << (s.limits.max_record_bytes ? ", record payload " + std::to_string(s.limits.max_record_bytes) + " B" : "")
            << ", " << s.limits.max_batch_records << " record(s) per event"
            << (s.limits.max_response_bytes ? ", response " + std::to_string(s.limits.max_response_bytes) + " B" : "")
            << "\n"
            << "records        " << (s.batched() ? s.identity.records + (s.identity.grouped ? " (grouped)" : "") : "(single event)")
            << "\n"
            << "record id      " << (s.identity.id.empty() ? "-" : s.identity.id) << "\n"
            << "ordering key   " << (s.identity.ordering_key.empty() ? "-" : s.identity.ordering_key) << "\n"
            << "payload        " << (s.identity.payload.empty() ? "-" : s.identity.payload) << " ("
            << to_string(s.identity.encoding) << ")\n"
            << "defaults       " << s.defaults.dump() << "\n"
            << "response       " << s.response.contract << ": " << s.response.read_by << "\n";
  if (s.response.schema) std::cout << "response schema\n" << s.response.schema->document().dump(2) << "\n";
  if (s.meta.contains("semantics")) std::cout << "semantics      " << s.meta["semantics"].get<std::string>() << "\n";
  std::cout << "input schema   evh describe " << s.id << " --json | jq .inputSchema\n"
            << "example event\n"
            << d["example"].dump(2) << "\n";
  return 0;
}

int generate(const GenerateOptions& o) {
  if (!catalog_ok()) return 3;
  auto src = find_source(o.source);
  if (!src) return fail(2, src.error().message);
  const Source& s = **src;
  auto filter = parse_mutate_filter(o.mutate);
  if (!filter) return fail(2, filter.error().message);
  if (o.batch_size > 0 && !s.batched()) return fail(2, "--batch-size: source '" + s.id + "' sends one event per invocation, not batches");
  if (o.batch_size > static_cast<int64_t>(s.limits.max_batch_records))
    return fail(2, "--batch-size " + std::to_string(o.batch_size) + " is over the maximum of " +
                       std::to_string(s.limits.max_batch_records) + " records for " + s.id);
  PayloadContract contract = PayloadContract::builtin();
  if (!o.payload_schema.empty() || !o.payload_samples.empty()) {
    auto c = PayloadContract::load(o.payload_schema, o.payload_samples);
    if (!c) return fail(2, c.error().message);
    contract = std::move(*c);
  }
  uint64_t seed = o.seed ? *o.seed : draw_seed();
  std::cerr << "evh: seed=" << seed << " (replay the whole run with --seed=" << seed << ")\n";

  std::ofstream file;
  std::ostream* out = &std::cout;
  if (o.output != "-") {
    file.open(o.output, std::ios::binary);
    if (!file) return fail(2, o.output + ": cannot write file");
    out = &file;
  }
  EventGenerator gen(s, contract);
  gen.set_batch_size(o.batch_size);
  std::string line;
  for (int64_t i = 0; i < o.count; ++i) {
    Case c = make_case(gen, derive_seed(seed, static_cast<uint64_t>(i)), *filter);
    line = o.with_meta ? dump(c.to_json()) : dump(c.event);
    line += '\n';
    out->write(line.data(), static_cast<std::streamsize>(line.size()));
  }
  out->flush();
  if (!*out) return fail(2, (o.output == "-" ? std::string("standard output") : o.output) + ": write failed");
  return 0;
}

int validate(const ValidateOptions& o) {
  if (!catalog_ok()) return 3;
  auto src = find_source(o.source);
  if (!src) return fail(2, src.error().message);
  const Source& s = **src;
  std::optional<PayloadContract> contract;
  if (!o.payload_schema.empty()) {
    auto c = PayloadContract::load(o.payload_schema, {});
    if (!c) return fail(2, c.error().message);
    contract = std::move(*c);
  }
  evh::ValidateOptions vo;
  vo.payload = contract ? &*contract : nullptr;
  std::size_t documents = 0, invalid = 0;
  std::set<std::string> seen_paths;
  for (const auto& path : o.files) {
    auto docs = read_documents(path);
    if (!docs) return fail(2, docs.error().message);
    std::string name = path == "-" ? "<stdin>" : path;
    for (auto& [lineno, doc] : *docs) {
      // --with-meta lines carry the event under "event".
      const Json& event = doc.is_object() && doc.contains("event") && doc.contains("source") ? doc["event"] : doc;
      auto problems = validate_event(s, event, vo);
      if (o.coverage) collect_field_paths(s, event, seen_paths);
      ++documents;
      bool ok = is_valid(problems, o.strict);
      if (!ok) ++invalid;
      for (const auto& p : problems) {
        bool counts = p.severity == Severity::kError || o.strict;
        std::cout << name << ":" << lineno << ": " << (counts ? "" : "warning: ") << to_string(p) << "\n";
      }
    }
  }
  std::cerr << "evh: " << documents << " event(s), " << invalid << " invalid\n";
  if (o.coverage) {
    std::set<std::string> generated;
    EventGenerator gen(s, PayloadContract::builtin());
    for (int64_t i = 0; i < o.coverage; ++i) collect_field_paths(s, gen.generate(derive_seed(1, static_cast<uint64_t>(i))).event, generated);
    std::size_t covered = 0;
    for (const auto& p : seen_paths) {
      if (generated.count(p)) {
        ++covered;
      } else {
        std::cout << "not generated: " << p << "\n";
      }
    }
    std::cerr << "evh: field coverage " << covered << "/" << seen_paths.size() << " paths of the given events\n";
    if (covered != seen_paths.size()) return 1;
  }
  return invalid ? 1 : 0;
}

}  // namespace evh::cli
