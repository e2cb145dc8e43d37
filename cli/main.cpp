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
  auto* list = app.add_subcommand("list", "List sources, mutators or formats");
  list->add_option("what", list_what, "sources | mutators | formats")->required()->check(CLI::IsMember({"sources", "mutators", "formats"}));
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
  } catch (const std::exception& e) {
    return evh::cli::fail(3, std::string("internal error: ") + e.what());
  }
  return 2;
}
