// evh run: loads the scenario, resolves flags over it, builds the target, runs, and writes the
// report directory (result.json, trace.jsonl, findings/<invariant>/<sha1>.json).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/target_setup.h"
#include "generators/catalog.h"
#include "generators/codec.h"
#include "harness/finding_file.h"
#include "harness/run.h"
#include "harness/scenario.h"
#include "harness/shrink.h"
#include "reports/writer.h"

namespace evh::cli {

namespace fs = std::filesystem;
using namespace evh::harness;

int run(const RunOptions& o) {
  if (all_sources().empty()) return fail(3, "no source could be loaded");
  Scenario scenario;
  if (!o.scenario.empty()) {
    auto s = load_scenario(o.scenario);
    if (!s) return fail(exit_code_for(s.error().code), s.error().message);
    scenario = std::move(*s);
  }
  std::string source_id = !o.source.empty() ? o.source : scenario.source;
  if (source_id.empty()) return fail(2, "run: no source: give --source or \"source\" in the scenario");
  auto src = find_source(source_id);
  if (!src) return fail(2, src.error().message);
  const Source& source = **src;

  Mode mode = default_mode(source);
  if (!o.mode.empty()) {
    auto m = parse_mode(o.mode);
    if (!m) return fail(2, m.error().message);
    mode = *m;
  } else if (scenario.mode) {
    mode = *scenario.mode;
  }
  // Producer and stream flags override the scenario's keys; resolve_scenario() checks them
  // with the rest and names the flag in its errors.
  if (o.records) set_from_flag(scenario, "workload", "records", *o.records, "--records");
  if (o.keys) set_from_flag(scenario, "workload", "keys", *o.keys, "--keys");
  if (!o.arrival.empty()) set_from_flag(scenario, "workload", "arrival", o.arrival, "--arrival");
  if (o.rate) set_from_flag(scenario, "workload", "ratePerSecond", *o.rate, "--rate");
  if (o.producer_duplicates) set_from_flag(scenario, "workload", "duplicates", *o.producer_duplicates, "--producer-duplicates");
  if (o.shards) set_from_flag(scenario, "stream", "ShardCount", *o.shards, "--shards");
  if (o.partitions) set_from_flag(scenario, "stream", "NumPartitions", *o.partitions, "--partitions");
  // --async-payload-limit overrides platform.asyncMaxPayloadBytes (SEMANTICS.md §1, §9).
  if (!o.async_payload_limit.empty()) {
    if (o.async_payload_limit != "1MB" && o.async_payload_limit != "256KB")
      return fail(2, "--async-payload-limit '" + o.async_payload_limit + "': use 1MB or 256KB");
    set_from_flag(scenario, "platform", "asyncMaxPayloadBytes",
                  o.async_payload_limit == "256KB" ? kAsyncLegacyMaxPayloadBytes : kAsyncMaxPayloadBytes, "--async-payload-limit");
  }
  if (auto st = resolve_scenario(scenario, source, mode); !st) return fail(exit_code_for(st.error().code), st.error().message);

  std::string target_spec = !o.target.empty() ? o.target : scenario.target;
  if (target_spec.empty()) return fail(2, "run: no target: give --target (builtin:NAME, http://..., runtime-api:CMD, exec:CMD, exec-persistent:CMD)");

  RunConfig config;
  config.source = &source;
  config.mode = mode;
  config.scenario = scenario;
  config.cases = o.cases ? *o.cases : scenario.cases ? *scenario.cases : 100;
  config.seed = o.seed ? *o.seed : scenario.seed ? *scenario.seed : draw_seed();
  auto filter = parse_mutate_filter(!o.mutate.empty() ? o.mutate : !scenario.mutate.empty() ? scenario.mutate : "any");
  if (!filter) return fail(2, filter.error().message);
  config.mutate = *filter;
  auto faults = FaultPlan::parse(o.faults_given ? o.faults : scenario.faults);
  if (!faults) return fail(2, faults.error().message);
  config.faults = std::move(*faults);
  auto selected = select_invariants(o.invariants, o.exclude_invariants);
  if (!selected) return fail(2, selected.error().message);
  config.invariants = std::move(*selected);
  std::string itype = !o.invocation_type.empty() ? o.invocation_type : scenario.invocation_type;
  if (itype == "DryRun") {
    config.invoke_type = InvokeType::kDryRun;
  } else if (!itype.empty() && itype != "RequestResponse") {
    if (itype == "Event") return fail(2, "--invocation-type Event: use --mode async, which delivers Event invocations");
    return fail(2, "--invocation-type '" + itype + "': use RequestResponse or DryRun");
  }
  if (o.batch_size > 0 && !source.batched()) return fail(2, "--batch-size: source '" + source.id + "' sends one event per invocation, not batches");
  config.batch_size = o.batch_size;
  std::optional<PayloadContract> payload;
  if (!o.payload_schema.empty() || !o.payload_samples.empty()) {
    auto c = PayloadContract::load(o.payload_schema, o.payload_samples);
    if (!c) return fail(2, c.error().message);
    payload = std::move(*c);
    config.payload = &*payload;
  }
  if (!o.input.empty()) {
    auto w = read_workload_input(source, o.input, payload ? *payload : PayloadContract::builtin(), config.seed);
    if (!w) return fail(exit_code_for(w.error().code), w.error().message);
    config.input = std::move(w->cases);
    config.input_timing = std::move(w->timing);
  }
  config.async_max_payload_bytes = platform_settings(scenario).async_max_payload_bytes;
  config.shrink = !o.no_shrink;
  config.effects_cmd = o.effects_cmd;
  config.effects_cmd_each = o.effects_cmd_each;
  // --shard K/N (harness/shard.h): this job runs part K of the run; `evh report merge` joins them.
  if (!o.shard.empty()) {
    auto shard = parse_shard(o.shard);
    if (!shard) return fail(2, shard.error().message);
    if (auto st = check_shard_mode(mode); !st) return fail(2, st.error().message);
    // A drawn seed would differ from job to job: the shards would be parts of different runs.
    if (!o.seed && !scenario.seed)
      return fail(2, "--shard " + o.shard + ": give the run's seed (--seed S, or \"seed\" in the scenario), the same in every shard's job");
    config.shard = *shard;
  }
  // Report formats, checked before anything runs; result.json and trace.jsonl are always written.
  auto formats = reports::parse_report_formats(o.format);
  if (!formats) return fail(2, "--format: " + formats.error().message);

  auto t = make_cli_target(target_spec, scenario, o.concurrency);
  if (!t) return fail(exit_code_for(t.error().code), t.error().message);
  Target& target = *(*t)->target;

  std::cerr << "evh: seed=" << config.seed << " (replay the whole run with --seed=" << config.seed << ")\n";
  config.target_description = target_spec;
  // Live progress on stderr (cli/progress.h): in place on a terminal, sparse plain lines in logs.
  const uint64_t run_cases = !config.input.empty() ? config.input.size() : config.cases;
  ProgressPrinter progress(std::cerr, o.progress && stderr_is_tty(), mode == Mode::kPoll ? 0 : config.shard ? config.shard->size_of(run_cases) : run_cases,
                           mode == Mode::kPoll ? "batches" : "cases");
  if (o.progress) config.on_case = [&progress](const CaseRun&, std::size_t findings) { progress.tick(findings); };
  auto result = harness::run(config, target, (*t)->sink);
  progress.finish();
  target.stop();
  if (!result) return fail(exit_code_for(result.error().code), result.error().message);

  // The report directory: nothing a run produced is lost, even when writing part of it fails.
  const fs::path dir(o.report_dir);
  std::ostringstream trace;
  result->trace.write_jsonl(trace);
  int write_errors = 0;
  auto write = [&](const fs::path& p, const std::string& text) {
    if (auto st = write_text(p, text); !st) {
      std::cerr << "evh: " << st.error().message << "\n";
      ++write_errors;
    }
  };
  std::vector<std::string> finding_paths;
  for (const auto& f : result->findings) {
    Json doc = finding_document(f, *result, config);
    std::string text = doc.dump(2) + "\n";
    fs::path p = dir / "findings" / f.finding.invariant / (codec::sha1_hex(dump(f.kase.to_json()) + f.finding.invariant + f.finding.message) + ".json");
    write(p, text);
    finding_paths.push_back(p.string());
  }
  Json rj = result->to_json();
  for (std::size_t i = 0; i < finding_paths.size() && i < rj["findings"].size(); ++i) {
    rj["findings"][i]["file"] = finding_paths[i];
    rj["findings"][i]["replay"] = "evh replay " + finding_paths[i];
  }
  write(dir / "result.json", rj.dump(2) + "\n");
  write(dir / "trace.jsonl", trace.str());
  // The other formats are rendered from what was just written (reports/writer.h).
  if (auto st = reports::write_reports(dir.string(), rj, *formats); !st) {
    std::cerr << "evh: " << st.error().message << "\n";
    ++write_errors;
  }

  // Summary on stdout.
  std::cout << "evh run: " << source.id << " " << result->mode << " -> " << result->target << "\n"
            << "  cases " << result->cases_run << "/" << result->cases_requested << ", invocations " << result->invocations
            << ", virtual time " << result->virtual_ms << " ms, faults " << config.faults.to_string() << "\n";
  if (result->shard)
    std::cout << "  shard " << result->shard->shard.to_string() << ": " << result->cases_run << " of the run's " << result->shard->run_cases
              << " cases (case index % " << result->shard->shard.count << " = " << result->shard->shard.index - 1
              << "); join the shards with evh report merge\n";
  for (const auto& v : result->verdicts)
    std::cout << "  " << (v.findings ? "FAIL " : v.exercised ? "ok   " : "--   ") << v.id << "  " << v.status()
              << " (" << v.exercised << (result->mode == "poll" ? " batches, " : " cases, ") << v.findings << " findings)\n";
  if (result->gave_up) std::cout << "  GAVE UP: " << result->gave_up_reason << "\n";
  for (auto it = result->destinations.begin(); it != result->destinations.end(); ++it)
    std::cout << "  destination " << it.key() << ": " << it.value().size() << " message(s)\n";
  std::size_t shown = 0;
  for (std::size_t i = 0; i < result->findings.size() && shown < 20; ++i, ++shown) {
    const auto& f = result->findings[i];
    std::cout << "  finding " << f.finding.invariant << " case " << f.finding.case_index << " ["
              << f.kase.chain() << "]: " << f.finding.message
              << (f.original ? " (shrunk from " + std::to_string(f.original_records) + " record(s) in " + std::to_string(f.shrink_steps) + " re-runs)" : "")
              << "\n    evh replay " << finding_paths[i] << "\n";
  }
  if (result->findings.size() > shown) std::cout << "  ... " << result->findings.size() - shown << " more in " << (dir / "result.json").string() << "\n";
  std::cout << "  report: " << (dir / "result.json").string() << "\n";
  if (write_errors) return 3;
  return result->exit_code();
}

}  // namespace evh::cli
