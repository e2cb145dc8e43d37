// Shrink: bounded delta debugging of a finding's case against the target (harness/shrink.h).
#include "harness/shrink.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "generators/catalog.h"
#include "generators/codec.h"
#include "generators/event_generator.h"
#include "generators/mutation.h"
#include "generators/payload.h"

namespace evh::harness {
namespace {

// The mutation stream of a re-made case: apart from generation, like make_case's.
constexpr uint64_t kShrinkMutationSalt = 0x736872696e6bULL;  // "shrink"
// Poll mode without a BatchSize in the mapping or the source's defaults (SQS: 10).
constexpr int64_t kDefaultBatchSize = 10;

using Keep = std::vector<std::size_t>;
using Predicate = std::function<bool(const Keep&)>;

Keep all_of(std::size_t n) {
  Keep k(n);
  for (std::size_t i = 0; i < n; ++i) k[i] = i;
  return k;
}

// ddmin (Zeller & Hildebrandt 2002), bounded by the predicate (which answers false once the
// step cap is hit): the smallest subset of `items` for which `fails` holds that removing any one
// chunk at the final granularity cannot shrink. `min_size` 0 first tries the empty set.
Keep ddmin(Keep items, std::size_t min_size, const Predicate& fails) {
  if (min_size == 0 && !items.empty() && fails({})) return {};
  std::size_t n = 2;
  while (items.size() >= 2 && items.size() > min_size) {
    n = std::min(n, items.size());
    std::vector<Keep> chunks(n);
    for (std::size_t i = 0; i < items.size(); ++i) chunks[i * n / items.size()].push_back(items[i]);
    bool reduced = false;
    for (const auto& c : chunks) {
      if (c.size() < std::max<std::size_t>(min_size, 1) || !fails(c)) continue;
      items = c;
      n = 2;
      reduced = true;
      break;
    }
    // With two chunks the complements are the chunks themselves.
    for (std::size_t k = 0; !reduced && n > 2 && k < chunks.size(); ++k) {
      Keep rest;
      for (std::size_t j = 0; j < chunks.size(); ++j)
        if (j != k) rest.insert(rest.end(), chunks[j].begin(), chunks[j].end());
      if (!fails(rest)) continue;
      items = std::move(rest);
      n = std::max<std::size_t>(n - 1, 2);
      reduced = true;
    }
    if (reduced) continue;
    if (n >= items.size()) break;
    n = std::min(items.size(), n * 2);
  }
  return items;
}

// Predicate answers for candidates already tried in one dimension (only failures to reproduce
// are kept: a candidate that fails is taken at once and never asked again).
Predicate remembering(const Predicate& fails) {
  auto passed = std::make_shared<std::set<Keep>>();
  return [fails, passed](const Keep& keep) {
    if (passed->count(keep)) return false;
    if (fails(keep)) return true;
    passed->insert(keep);
    return false;
  };
}

// `event` with only the records at `keep` (indices into record_pointers()). Grouped sources
// (Kafka topic-partitions, RabbitMQ queues) lose a group whose last record goes.
Json keep_records(const Source& source, const Json& event, const Keep& keep) {
  const auto pointers = record_pointers(source, event);
  std::map<std::string, std::vector<std::size_t>> drop;  // parent array → indices to erase
  for (std::size_t i = 0; i < pointers.size(); ++i) {
    if (std::find(keep.begin(), keep.end(), i) != keep.end()) continue;
    const auto slash = pointers[i].rfind('/');
    if (slash == std::string::npos) continue;
    drop[pointers[i].substr(0, slash)].push_back(std::stoul(pointers[i].substr(slash + 1)));
  }
  Json out = event;
  for (auto& [parent, indices] : drop) {
    Json* arr = find_at(out, parent);
    if (arr == nullptr || !arr->is_array()) continue;
    std::sort(indices.rbegin(), indices.rend());
    for (auto i : indices)
      if (i < arr->size()) arr->erase(i);
    if (!source.identity.grouped || !arr->empty()) continue;
    const auto slash = parent.rfind('/');
    Json* groups = find_at(out, parent.substr(0, slash));
    if (groups != nullptr && groups->is_object()) groups->erase(Json::json_pointer("/" + parent.substr(slash + 1)).back());
  }
  return out;
}

FaultPlan plan_of(const FaultPlan& plan, const Keep& keep, bool compact) {
  // A dropped fault keeps its draw at rate 0, so the faults kept fire exactly as before (the
  // plan draws once per fault, in order); `compact` removes it altogether.
  std::string spec;
  const auto& faults = plan.faults();
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const bool kept = std::find(keep.begin(), keep.end(), i) != keep.end();
    if (!kept && compact) continue;
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.17g", kept ? faults[i].second : 0.0);
    spec += (spec.empty() ? "" : ",") + std::string(to_string(faults[i].first)) + "=" + rate;
  }
  auto p = FaultPlan::parse(spec);
  EVH_CHECK(p.ok()) << "a fault plan made from a valid one: " << spec;
  return std::move(*p);
}

// Findings with one key shrink alike: the same case and invariant; in poll mode, the same
// records by id (each receive of a batch differs only in receipt handles and receive counts).
std::string shrink_key(const RunConfig& config, const FindingRecord& rec) {
  const Source& source = *config.source;
  std::string what = dump(rec.kase.to_json());
  if (config.mode == Mode::kPoll && source.batched() && !source.identity.id.empty()) {
    what = "records:";
    for (const auto& p : record_pointers(source, rec.kase.event)) {
      const Json* id = find_at(rec.kase.event, p + source.identity.id);
      what += (id != nullptr ? dump(*id) : std::string("?")) + ",";
    }
  }
  return codec::sha1_hex(what) + " " + rec.finding.invariant;
}

// The run's target, counting the invocations that time out (what a re-run costs in real time
// on an out-of-process target).
class TimeoutCounter final : public Target {
 public:
  explicit TimeoutCounter(Target& target) : target_(target) {}
  std::string describe() const override { return target_.describe(); }
  Status start() override { return target_.start(); }
  Outcome invoke(const Invocation& inv) override {
    Outcome o = target_.invoke(inv);
    if (o.kind == OutcomeKind::kTimeout) ++timeouts_;
    return o;
  }
  Status restart() override { return target_.restart(); }
  void stop() override { target_.stop(); }
  int slots() const override { return target_.slots(); }
  bool reads_payload_bytes() const override { return target_.reads_payload_bytes(); }
  bool timeouts_take_real_time() const override { return target_.timeouts_take_real_time(); }
  std::size_t take_timeouts() { return std::exchange(timeouts_, 0); }

 private:
  Target& target_;
  std::size_t timeouts_ = 0;
};

class Shrinker {
 public:
  Shrinker(const RunConfig& config, Target& target, EffectsSink& sink, const FindingRecord& finding, std::size_t max_steps,
           std::size_t* real_timeouts_left)
      : config_(config), target_(target), sink_(sink), finding_(finding), max_steps_(max_steps),
        real_timeouts_left_(target.timeouts_take_real_time() ? real_timeouts_left : nullptr) {
    if (const Invariant* inv = find_invariant(finding.finding.invariant)) invariants_ = {inv};
  }

  ShrinkResult run() {
    const Source& source = *config_.source;
    ShrinkResult out;
    out.kase = finding_.kase;
    out.faults = config_.faults;
    out.original_records = out.records = record_count(source, out.kase.event);
    if (!fails(out.kase, out.faults)) {
      out.steps = steps_;
      out.note = timeouts_capped_ ? timeouts_note()
                 : capped_        ? "not shrunk: no re-run left"
                                  : "not shrunk: the case does not fail when delivered alone (it needs the other cases of the run, or state the target kept)";
      return out;
    }
    out.reproduced = true;
    Case cur = out.kase;
    FaultPlan plan = out.faults;
    std::vector<std::string> notes;

    // 1. Records of the batch.
    Keep kept_records = all_of(out.original_records);
    auto shrink_records = [&] {
      const std::size_t n = record_count(source, cur.event);
      if (!source.batched() || n < 2) return;
      const Case from = cur;
      Keep k = ddmin(all_of(n), 1, remembering([&](const Keep& keep) {
                       Case c = from;
                       c.event = keep_records(source, from.event, keep);
                       return fails(c, plan);
                     }));
      if (k.size() == n) return;
      cur.event = keep_records(source, from.event, k);
      Keep mapped;
      for (auto i : k) mapped.push_back(i < kept_records.size() ? kept_records[i] : i);
      kept_records = std::move(mapped);
    };
    shrink_records();

    // 2. Mutations of the chain: the case re-made from its seed with part of the chain.
    if (config_.mode == Mode::kPoll) {
      if (!cur.mutations.empty()) notes.push_back("mutations: not dropped in poll mode (a batch the mapping built has no single chain to re-apply)");
    } else if (!cur.mutations.empty()) {
      const PayloadContract& payloads = config_.payload ? *config_.payload : PayloadContract::builtin();
      EventGenerator gen(source, payloads);
      gen.set_batch_size(config_.batch_size);
      auto remake = [&](const Keep& keep) -> std::optional<Case> {
        Case c = gen.generate(cur.seed);
        if (!keep.empty()) {
          std::vector<std::string> ids;
          for (auto i : keep) ids.push_back(cur.mutations[i]);
          Rng rng(mix64(cur.seed ^ kShrinkMutationSalt));
          GenContext ctx = GenContext::draw(rng);
          MutationContext mc{source, payloads, rng, ctx};
          auto r = apply_chain(c, ids, mc);
          if (!r) return std::nullopt;
          c = std::move(*r);
        }
        // The records already dropped stay dropped when the re-made batch lines up with the original.
        if (source.batched() && record_count(source, c.event) == out.original_records && kept_records.size() < out.original_records)
          c.event = keep_records(source, c.event, kept_records);
        return c;
      };
      const std::size_t n = cur.mutations.size();
      Keep k = ddmin(all_of(n), 0, remembering([&](const Keep& keep) {
                       auto c = remake(keep);
                       return c && fails(*c, plan);
                     }));
      if (k.size() < n) {
        cur = *remake(k);
        kept_records = all_of(record_count(source, cur.event));
        shrink_records();  // a re-made batch may have its records back
      }
    }

    // 3. Faults of the plan.
    if (!plan.empty()) {
      const FaultPlan from = plan;
      const std::size_t n = from.faults().size();
      Keep k = ddmin(all_of(n), 0, remembering([&](const Keep& keep) { return fails(cur, plan_of(from, keep, false)); }));
      if (k.size() < n) {
        plan = plan_of(from, k, false);
        // Without the dropped faults' (rate 0) draws, if the case still fails that way.
        if (FaultPlan compact = plan_of(from, k, true); fails(cur, compact)) plan = std::move(compact);
      }
    }

    // 4. Members of each record's JSON payload (an SQS body is parsed, cut and re-serialised;
    // digests such as md5OfBody follow through the source's refresh hook when the case is valid).
    const auto pointers = record_pointers(source, cur.event);
    for (const auto& p : pointers) {
      const Json* rec = find_at(cur.event, p);
      if (rec == nullptr || source.identity.payload.empty()) continue;
      auto payloads = record_payloads(source, *rec);
      if (!payloads || payloads->size() != 1) continue;
      const Payload payload = payloads->front();
      if (payload.raw_text || !payload.value.is_object() || payload.value.empty()) continue;
      std::vector<std::string> keys;
      for (auto it = payload.value.begin(); it != payload.value.end(); ++it) keys.push_back(it.key());
      const Case from = cur;
      auto with_keys = [&](const Keep& keep) {
        Case c = from;
        Json v = Json::object();
        for (auto i : keep) v[keys[i]] = payload.value[keys[i]];
        set_record_payload(source, *find_at(c.event, p), Payload{std::move(v), false});
        if (source.hooks.refresh != nullptr && c.expect == Expect::kValid) source.hooks.refresh(c.event);
        return c;
      };
      Keep k = ddmin(all_of(keys.size()), 0, remembering([&](const Keep& keep) { return fails(with_keys(keep), plan); }));
      if (k.size() < keys.size()) cur = with_keys(k);
    }

    out.kase = std::move(cur);
    out.faults = std::move(plan);
    out.records = record_count(source, out.kase.event);
    out.steps = steps_;
    out.capped = capped_;
    out.witness = std::move(witness_);
    if (timeouts_capped_) notes.push_back(timeouts_note());
    else if (capped_) notes.push_back("stopped at " + std::to_string(max_steps_) + " re-runs: a smaller case may exist");
    for (const auto& n : notes) out.note += (out.note.empty() ? "" : "; ") + n;
    return out;
  }

 private:
  // Delivers `kase` alone with `plan`: does the finding's invariant fail again?
  bool fails(const Case& kase, const FaultPlan& plan) {
    if (steps_ >= max_steps_ || (real_timeouts_left_ != nullptr && *real_timeouts_left_ == 0)) {
      capped_ = true;
      timeouts_capped_ = steps_ < max_steps_;
      return false;
    }
    ++steps_;
    RunConfig c = single_case_config(config_, kase, finding_.finding.case_index);
    c.faults = plan;
    if (!invariants_.empty()) c.invariants = invariants_;
    auto r = harness::run(c, target_, sink_);
    if (real_timeouts_left_ != nullptr && target_.take_timeouts() > 0) --*real_timeouts_left_;
    if (!r) return false;
    for (auto& f : r->findings) {
      if (f.finding.invariant != finding_.finding.invariant) continue;
      witness_ = std::move(f);
      return true;
    }
    return false;
  }

  static std::string timeouts_note() {
    return "stopped after " + std::to_string(kShrinkMaxRealTimeoutsPerRun) +
           " re-runs that timed out (each waits out the function's Timeout in real time): a smaller case may exist";
  }

  const RunConfig& config_;
  TimeoutCounter target_;
  EffectsSink& sink_;
  const FindingRecord& finding_;
  std::size_t max_steps_;
  std::size_t* real_timeouts_left_;
  bool timeouts_capped_ = false;
  std::vector<const Invariant*> invariants_;
  std::size_t steps_ = 0;
  bool capped_ = false;
  std::optional<FindingRecord> witness_;
};

}  // namespace

std::size_t record_count(const Source& source, const Json& event) {
  if (!source.batched()) return 1;
  return record_pointers(source, event).size();
}

RunConfig single_case_config(const RunConfig& config, const Case& kase, std::size_t index) {
  RunConfig c = config;
  c.input.clear();
  c.input_timing.clear();
  c.on_case = nullptr;
  c.shrink = false;
  c.shard.reset();  // one case alone is no shard's work
  c.cases = 1;
  Case k = kase;
  if (c.mode == Mode::kPoll) {
    // The batch's records as they were received, shaped already: no second pass of the
    // producer (keys, duplicates, poison), all arriving at the start, in one batch.
    c.scenario.workload = Json::object();
    const std::size_t n = record_count(*c.source, k.event);
    Json& esm = c.scenario.event_source_mapping;
    int64_t batch = kDefaultBatchSize;
    if (auto d = c.source->defaults.find("BatchSize"); d != c.source->defaults.end() && d->is_number_integer()) batch = d->get<int64_t>();
    if (auto b = esm.find("BatchSize"); b != esm.end() && b->is_number_integer()) batch = b->get<int64_t>();
    if (batch < static_cast<int64_t>(n)) esm["BatchSize"] = n;
  } else {
    // Sync and async modes seed a case's fault and request-id draws with seed ^ (index << 1).
    k.seed ^= static_cast<uint64_t>(index) << 1;
  }
  c.input.push_back(std::move(k));
  return c;
}

ShrinkResult shrink(const RunConfig& config, Target& target, EffectsSink& sink, const FindingRecord& finding, std::size_t max_steps,
                    std::size_t* real_timeouts_left) {
  EVH_CHECK(config.source != nullptr) << "shrink without a source";
  return Shrinker(config, target, sink, finding, max_steps, real_timeouts_left).run();
}

void shrink_findings(const RunConfig& config, Target& target, EffectsSink& sink, RunResult& result) {
  if (result.findings.empty()) return;
  RunConfig base = config;  // once per run: the re-runs copy it, and an --input workload is large
  base.input.clear();
  base.input_timing.clear();
  std::size_t budget = kShrinkMaxStepsPerRun;
  std::size_t real_timeouts_left = kShrinkMaxRealTimeoutsPerRun;
  std::map<std::string, std::size_t> done;  // sha1 of case + invariant → the finding shrunk first
  for (std::size_t i = 0; i < result.findings.size(); ++i) {
    FindingRecord& rec = result.findings[i];
    rec.original_records = record_count(*config.source, rec.kase.event);
    const std::string key = shrink_key(config, rec);
    if (auto it = done.find(key); it != done.end()) {
      const FindingRecord& first = result.findings[it->second];
      if (first.original) {
        const std::size_t index = rec.finding.case_index;
        rec.finding = first.finding;
        rec.finding.case_index = index;
        rec.kase = first.kase;
        rec.trace = first.trace;
      }
      rec.shrunk = first.shrunk;
      rec.shrink_steps = first.shrink_steps;
      rec.shrink_capped = first.shrink_capped;
      rec.shrink_note = first.shrink_note;
      rec.original = first.original;
      rec.faults = first.faults;
      continue;
    }
    done.emplace(key, i);
    if (budget == 0) {
      rec.shrink_note = "not shrunk: the run's shrinking budget (" + std::to_string(kShrinkMaxStepsPerRun) + " re-runs) is spent";
      continue;
    }
    if (real_timeouts_left == 0 && target.timeouts_take_real_time()) {
      rec.shrink_note = "not shrunk: the run's " + std::to_string(kShrinkMaxRealTimeoutsPerRun) +
                        " re-runs that may time out (each waits out the function's Timeout in real time) are spent";
      continue;
    }
    ShrinkResult s = shrink(base, target, sink, rec, std::min(kShrinkMaxSteps, budget), &real_timeouts_left);
    budget -= std::min(budget, s.steps);
    rec.shrink_steps = s.steps;
    rec.shrink_capped = s.capped;
    rec.shrink_note = s.note;
    rec.shrunk = s.reproduced;
    if (!s.reproduced) continue;
    const bool changed = dump(s.kase.to_json()) != dump(rec.kase.to_json()) || s.faults.to_string() != config.faults.to_string();
    rec.faults = std::move(s.faults);
    if (!changed) continue;
    rec.original = std::move(rec.kase);
    rec.kase = std::move(s.kase);
    if (s.witness) {
      const std::size_t index = rec.finding.case_index;
      rec.finding = std::move(s.witness->finding);
      rec.finding.case_index = index;
      rec.trace = std::move(s.witness->trace);
    }
  }
}

Json shrink_json(const FindingRecord& f) {
  if (f.shrink_steps == 0 && f.shrink_note.empty()) return Json();
  Json j{{"shrunk", f.shrunk && f.original.has_value()}, {"steps", f.shrink_steps}, {"capped", f.shrink_capped},
         {"originalRecords", f.original_records}};
  if (auto src = find_source(f.kase.source); src.ok()) j["records"] = record_count(**src, f.kase.event);
  if (f.faults) j["faults"] = f.faults->to_string();
  if (!f.shrink_note.empty()) j["note"] = f.shrink_note;
  return j;
}

}  // namespace evh::harness
