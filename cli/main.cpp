// evh: contract tests and fuzzing for event-driven functions. Entry point: option parsing only.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"evh: contract tests and fuzzing for event-driven functions (AWS Lambda event sources)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "evh 0.1.0");

  std::string list_what;
  bool list_json = false;
  auto* list = app.add_subcommand("list", "List sources, mutators, formats, invariants, faults, targets or handlers");
  list->add_option("what", list_what, "sources | mutators | formats | invariants | faults | targets | handlers")
      ->required()
      ->check(CLI::IsMember({"sources", "mutators", "formats", "invariants", "faults", "targets", "handlers"}));
  list->add_flag("--json", list_json, "Print JSON");

  std::string describe_source;
  bool describe_json = false;
  auto* describe = app.add_subcommand("describe", "Invocation model, limits, schemas and an example event of a source");
  describe->add_option("source", describe_source, "Source id (evh list sources)")->required();
  describe->add_flag("--json", describe_json, "Print JSON");

  evh::cli::GenerateOptions gen;
  auto* generate = app.add_subcommand("generate", "Generate events, one JSON document per line");
  generate->add_option("source", gen.source, "Source id (evh list sources)")->required();
  generate->add_option("-n,--count", gen.count, "Number of events")->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  generate->add_option("--seed", gen.seed, "Run seed (printed on stderr when drawn)");
  generate->add_option("--mutate", gen.mutate, "none | legal | illegal | any")->check(CLI::IsMember({"none", "legal", "illegal", "any"}));
  generate->add_option("--payload-schema", gen.payload_schema, "JSON Schema of the record payload");
  generate->add_option("--payload-sample", gen.payload_samples, "Sample payload files (seeds)");
  generate->add_option("--batch-size", gen.batch_size, "Records per event (batched sources)")->check(CLI::Range(int64_t{1}, int64_t{10000}));
  generate->add_flag("--with-meta", gen.with_meta, "Wrap each event with source, seed, mutations and expectation");
  generate->add_option("-o,--output", gen.output, "Output file (default: standard output)");

  evh::cli::ValidateOptions val;
  auto* validate = app.add_subcommand("validate", "Check events (JSON or JSONL) against a source's schema and limits");
  validate->add_option("source", val.source, "Source id (evh list sources)")->required();
  validate->add_option("files", val.files, "Event files, JSON or JSONL ('-' for standard input)")->required();
  validate->add_option("--payload-schema", val.payload_schema, "Also check each record's payload against this JSON Schema");
  validate->add_option("--coverage", val.coverage, "Generate N events and list fields of the given events the generator never produces")->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  validate->add_flag("--strict", val.strict, "Count consistency problems (md5 mismatch, ids out of order) as failures");

  evh::cli::RunOptions run;
  auto* runc = app.add_subcommand("run", "Deliver cases to a target in a mode, on the virtual clock, and check the invariants");
  runc->add_option("scenario", run.scenario, "Scenario or event-source definition file (JSON, AWS parameter names)");
  runc->add_option("--source", run.source, "Source id (evh list sources)");
  runc->add_option("--mode", run.mode, "sync | async | poll (default: how the source invokes)");
  runc->add_option("--target", run.target, "builtin:NAME | http://HOST:PORT[/path] | runtime-api:CMD | exec:CMD | exec-persistent:CMD");
  runc->add_option("--cases", run.cases, "Number of cases (default 100)")->check(CLI::Range(uint64_t{0}, uint64_t{100000000}));
  runc->add_option("--seed", run.seed, "Run seed (printed on stderr when drawn)");
  runc->add_option("--mutate", run.mutate, "none | legal | illegal | any (default any)")->check(CLI::IsMember({"none", "legal", "illegal", "any"}));
  runc->add_option("--payload-schema", run.payload_schema, "JSON Schema of the record payload");
  runc->add_option("--payload-sample", run.payload_samples, "Sample payload files (seeds)");
  runc->add_option("--batch-size", run.batch_size, "Records per generated event")->check(CLI::Range(int64_t{1}, int64_t{10000}));
  auto* faults_opt = runc->add_option("--faults", run.faults, "Faults to inject: ID[=RATE],... (evh list faults; 'none')");
  runc->add_option("--invariants", run.invariants, "Only these invariant ids (comma-separated)");
  runc->add_option("--exclude-invariants", run.exclude_invariants, "Leave out these invariant ids");
  runc->add_option("--invocation-type", run.invocation_type, "RequestResponse | DryRun (sync mode)");
  runc->add_option("--effects-cmd", run.effects_cmd, "Command printing effects (JSON array or JSONL), run after the run");
  runc->add_flag("--effects-cmd-each", run.effects_cmd_each, "Also run --effects-cmd after each invocation");
  runc->add_option("--input", run.input, "Exact workload instead of generated cases: one producer action per line (JSON Lines, docs/scenario.md)");
  runc->add_option("--async-payload-limit", run.async_payload_limit, "Async mode: largest event accepted, 1MB (today) or 256KB (before Oct 2025)");
  runc->add_option("--report-dir", run.report_dir, "Where result.json, trace.jsonl and findings/ go (default evh-report)");
  runc->add_option("--format", run.format, "Report formats, comma-separated: json, junit, sarif, html, md, or all (result.json and trace.jsonl are always written)");
  runc->add_flag("--no-shrink", run.no_shrink, "Keep each finding's case as found: do not re-run the target to shrink it");
  runc->add_option("--concurrency", run.concurrency, "Runtime processes / parallel invocations")->check(CLI::Range(1, 64));
  runc->add_option("--records", run.records, "Poll mode: records the producer sends (workload.records, 1-10000000)");
  runc->add_option("--keys", run.keys, "Poll mode: distinct ordering keys (workload.keys, 1-100000)");
  runc->add_option("--arrival", run.arrival, "Poll mode: burst | steady | trickle (workload.arrival)");
  runc->add_option("--rate", run.rate, "Poll mode: records per second for steady or trickle arrival (workload.ratePerSecond)");
  runc->add_option("--producer-duplicates", run.producer_duplicates, "Poll mode: fraction of records the producer sends twice (workload.duplicates, 0-1)");
  runc->add_option("--shards", run.shards, "Poll mode: shards of a Kinesis or DynamoDB stream (stream.ShardCount, 1-500)");
  runc->add_option("--partitions", run.partitions, "Poll mode: partitions of a Kafka topic (stream.NumPartitions, 1-1000)");
  runc->add_option("--shard", run.shard, "Run only part K of N of the cases (K/N, e.g. 2/3; sync and async modes): one CI job each, joined by evh report merge");

  evh::cli::ReportMergeOptions merge;
  auto* reportc = app.add_subcommand("report", "Work with report directories (merge)");
  reportc->require_subcommand(1);
  auto* mergec = reportc->add_subcommand("merge", "Join the results of the shards of one run (evh run --shard K/N) into one report");
  mergec->add_option("shards", merge.shards, "Each shard's report directory (or its result.json)")->required();
  mergec->add_option("--report-dir", merge.report_dir, "Where the merged result.json, trace.jsonl and findings/ go (default evh-report)");
  mergec->add_option("--format", merge.format, "Report formats, comma-separated: json, junit, sarif, html, md, or all (result.json and trace.jsonl are always written)");
  mergec->add_flag("--allow-missing", merge.allow_missing, "Write the report even when shards are missing (it then gave up: never a pass)");

  evh::cli::ReplayOptions rep;
  auto* replayc = app.add_subcommand("replay", "Deliver a finding's case (or a handler fuzzer's crash input) again and say FIXED or STILL FAILING");
  replayc->add_option("finding", rep.finding, "A finding file (<report-dir>/findings/<invariant>/<sha1>.json) or a handler fuzzer's input (crash-<sha1>)")->required();
  replayc->add_option("--target", rep.target, "Replay against this target instead of the one the file names (builtin:NAME, http://..., ...)");
  replayc->add_option("--report-dir", rep.report_dir, "Also write result.json and trace.jsonl of the replay here");

  evh::cli::DemoOptions demo_opts;
  auto* democ = app.add_subcommand("demo", "Run the correct and buggy example handlers over six sources and write every report format");
  democ->add_option("--report-dir", demo_opts.report_dir, "One subdirectory per run, plus index.md and index.html (default evh-demo)");
  democ->add_option("--seed", demo_opts.seed, "Run seed of every run (default 20261123)");

  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    std::string names;
    for (const auto* sub : app.get_subcommands({})) {
      known = known || sub->get_name() == argv[1];
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) return evh::cli::fail(2, std::string("unknown command '") + argv[1] + "' (commands: " + names + ")");
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    return evh::cli::fail(2, what + " (see evh --help)");
  }

  try {
    if (*list) return evh::cli::list(list_what, list_json);
    if (*describe) return evh::cli::describe(describe_source, describe_json);
    if (*generate) return evh::cli::generate(gen);
    if (*validate) return evh::cli::validate(val);
    if (*replayc) return evh::cli::replay(rep);
    if (*democ) return evh::cli::demo(demo_opts);
    if (*mergec) return evh::cli::report_merge(merge);
    if (*runc) {
      run.faults_given = faults_opt->count() > 0;
      return evh::cli::run(run);
    }
  } catch (const std::exception& e) {
    return evh::cli::fail(3, std::string("internal error: ") + e.what());
  }
  return 2;
}
