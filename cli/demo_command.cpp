// evh demo: the bundled correct and buggy example handlers run through the harness over six
// sources (SQS, SQS FIFO, Kinesis, DynamoDB Streams, API Gateway HTTP, S3 async), in-process,
// each into its own report directory with every format, then a table and an index. Correct
// handlers must pass; each buggy one must be caught by the invariant it was written to trip.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "examples/builtin.h"
#include "generators/embedded.h"
#include "generators/json.h"

namespace evh::embedded {
/// examples/scenarios/demo-*.json, compiled in (cli/CMakeLists.txt) so `evh demo` runs anywhere.
const std::vector<EmbeddedFile>& demo_scenario_files();
}  // namespace evh::embedded

namespace evh::cli {
namespace {

namespace fs = std::filesystem;

/// One row of the demo: a handler over a scenario, and what evh must say about it.
struct DemoRow {
  const char* run;        ///< report subdirectory and row name
  const char* handler;    ///< builtin:NAME (examples/builtin.cpp)
  const char* scenario;   ///< examples/scenarios/<file> (source, mode, mapping, cases)
  const char* invariant;  ///< the invariant that must catch it; "" = the handler must pass
  const char* faults;     ///< --faults for this row; "" = the scenario's
  const char* payload_sample = "";  ///< --payload-sample for this row (a demo-*.json beside the scenarios); "" = none
};

// The table of rows (STYLE.md §7.4). Buggy handlers name, in their first comment in
// examples/builtin.cpp, the invariant listed here.
const std::vector<DemoRow>& demo_rows() {
  static const std::vector<DemoRow> rows = {
      {"sqs-correct", "sqs-correct", "demo-sqs.json", "", ""},
      {"sqs-wrong-id", "sqs-wrong-id", "demo-sqs.json", "batch.identifiers", ""},
      {"sqs-swallow", "sqs-swallow", "demo-sqs.json", "batch.failures-reported", ""},
      {"sqs-throw-one", "sqs-throw-one", "demo-sqs.json", "batch.partial-not-whole", ""},
      {"sqs-not-idempotent", "sqs-not-idempotent", "demo-sqs.json", "idempotency.effects", "duplicate-delivery"},
      {"sqs-ack-unprocessed", "sqs-ack-unprocessed", "demo-sqs.json", "delivery.no-loss", ""},
      {"fifo-correct", "sqs-correct", "demo-sqs-fifo.json", "", ""},
      {"fifo-reorder", "fifo-reorder", "demo-sqs-fifo.json", "order.per-key", ""},
      {"kinesis-correct", "kinesis-correct", "demo-kinesis.json", "", ""},
      {"dynamodb-correct", "kinesis-correct", "demo-dynamodb-streams.json", "", ""},
      {"s3-correct", "s3-correct", "demo-s3.json", "", ""},
      {"http-echo", "apigw-echo", "demo-apigw-http.json", "", ""},
      {"http-empty-body-crash", "empty-body-crash", "demo-apigw-http.json", "robust.no-crash", ""},
      {"http-object-body", "apigw-object-body", "demo-apigw-http.json", "contract.response", ""},
      {"http-unicode-hang", "unicode-hang", "demo-apigw-http.json", "robust.no-hang", "", "demo-unicode-payload.json"},
      {"alexa-correct", "alexa-correct", "demo-alexa-skill.json", "", ""},
      {"alexa-oversize", "alexa-oversize", "demo-alexa-skill.json", "limits.payload", ""},
  };
  return rows;
}

/// What one row produced.
struct RowOutcome {
  int exit_code = 0;
  std::string verdict;   ///< pass | fail | gave-up | error (exit N) | missing handler
  std::string source;    ///< "sqs poll"
  std::size_t findings = 0;
  bool caught = false;   ///< a finding of the expected invariant
  std::string replay;    ///< "evh replay <path>" of the first finding (of the expected invariant if any)
  std::string note;      ///< one line when the row could not run
  bool ok = false;       ///< the row came out as expected
};

/// Swaps std::cout and std::cerr into a buffer for the life of the guard: the demo keeps each
/// run's own output in <run>/run.txt and prints only its table.
class CaptureOutput {
 public:
  CaptureOutput() : out_(std::cout.rdbuf(buffer_.rdbuf())), err_(std::cerr.rdbuf(buffer_.rdbuf())) {}
  ~CaptureOutput() {
    std::cout.rdbuf(out_);
    std::cerr.rdbuf(err_);
  }
  CaptureOutput(const CaptureOutput&) = delete;
  CaptureOutput& operator=(const CaptureOutput&) = delete;
  std::string text() const { return buffer_.str(); }

 private:
  std::ostringstream buffer_;
  std::streambuf* out_;
  std::streambuf* err_;
};

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

bool write_file(const fs::path& p, std::string_view text) {
  std::ofstream f(p, std::ios::binary);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  return static_cast<bool>(f);
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string expected_text(const DemoRow& row) { return *row.invariant ? std::string("fail: ") + row.invariant : "pass"; }

/// The `evh run` line that reruns one row from the scenario copy in the report directory.
std::string rerun_command(const DemoRow& row, const fs::path& scenario, uint64_t seed) {
  std::string cmd = "evh run " + scenario.string() + " --target builtin:" + row.handler + " --seed " + std::to_string(seed);
  if (*row.faults) cmd += std::string(" --faults ") + row.faults;
  if (*row.payload_sample) cmd += " --payload-sample " + (scenario.parent_path() / row.payload_sample).string();
  return cmd + " --format all";
}

RowOutcome run_row(const DemoRow& row, const fs::path& dir, const fs::path& scenario, uint64_t seed) {
  RowOutcome r;
  if (examples::find_builtin(row.handler) == nullptr) {
    r.verdict = "not run";
    r.note = std::string("handler '") + row.handler + "' is not in the builtin table (evh list handlers)";
    return r;
  }
  const fs::path run_dir = dir / row.run;
  // A previous demo's findings would linger beside the new result: start the row afresh.
  std::error_code ec;
  if (fs::exists(run_dir / "result.json", ec)) fs::remove_all(run_dir, ec);
  fs::create_directories(run_dir, ec);

  RunOptions o;
  o.scenario = scenario.string();
  o.target = std::string("builtin:") + row.handler;
  o.seed = seed;
  if (*row.faults) {
    o.faults = row.faults;
    o.faults_given = true;
  }
  if (*row.payload_sample) o.payload_samples = {(scenario.parent_path() / row.payload_sample).string()};
  o.report_dir = run_dir.string();
  o.format = "all";
  o.progress = false;
  {
    CaptureOutput capture;
    try {
      r.exit_code = run(o);
    } catch (const std::exception& e) {
      std::cerr << "evh: internal error: " << e.what() << "\n";
      r.exit_code = 3;
    }
    write_file(run_dir / "run.txt", capture.text());
  }
  Json result = parse_untrusted(read_file(run_dir / "result.json"));
  if (r.exit_code > 1 || result.is_discarded() || !result.is_object()) {
    r.verdict = "error (exit " + std::to_string(r.exit_code) + ")";
    r.note = "see " + (run_dir / "run.txt").string();
    return r;
  }
  r.verdict = result.value("verdict", "?");
  r.source = result.value("source", "") + " " + result.value("mode", "");
  const Json& findings = result["findings"];
  r.findings = findings.is_array() ? findings.size() : 0;
  for (const auto& f : findings) {
    const bool expected = *row.invariant && f.value("invariant", "") == row.invariant;
    if (expected && !r.caught) r.replay = f.value("replay", "");
    if (r.replay.empty()) r.replay = f.value("replay", "");
    r.caught = r.caught || expected;
  }
  r.ok = *row.invariant ? r.exit_code == 1 && r.caught : r.exit_code == 0;
  if (*row.invariant && !r.caught && r.exit_code == 1) r.note = std::string("caught, but not by ") + row.invariant;
  return r;
}

void write_index(const fs::path& dir, const std::vector<DemoRow>& rows, const std::vector<RowOutcome>& outcomes,
                 uint64_t seed, bool all_ok) {
  std::ostringstream md;
  md << "# evh demo, seed " << seed << "\n\n"
     << (all_ok ? "Every correct handler passed and every buggy one was caught by its invariant.\n\n"
                : "Some rows did not come out as expected (column *as expected*).\n\n")
     << "| run | handler | source | expected | verdict | findings | as expected | report | rerun |\n"
     << "|---|---|---|---|---|---|---|---|---|\n";
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>evh demo, seed " << seed
       << "</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.ok{color:#070}.bad{color:#b00}"
          "code{font-size:90%}</style></head>\n<body>\n<h1>evh demo, seed "
       << seed << "</h1>\n<p class=\"" << (all_ok ? "ok\">Every correct handler passed and every buggy one was caught by its invariant."
                                                  : "bad\">Some rows did not come out as expected.")
       << "</p>\n<table>\n<tr><th>run</th><th>handler</th><th>source</th><th>expected</th><th>verdict</th>"
          "<th>findings</th><th>as expected</th><th>report</th><th>rerun</th></tr>\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const DemoRow& row = rows[i];
    const RowOutcome& r = outcomes[i];
    const std::string scenario = "scenarios/" + std::string(row.scenario);
    const std::string rerun = rerun_command(row, dir / scenario, seed);
    const bool ran = r.note.empty() || r.verdict != "not run";
    md << "| " << row.run << " | `" << row.handler << "` | " << r.source << " | " << expected_text(row) << " | " << r.verdict
       << " | " << r.findings << " | " << (r.ok ? "yes" : "**no**") << " | "
       << (ran ? "[result.html](" + std::string(row.run) + "/result.html), [result.md](" + row.run + "/result.md)" : r.note)
       << " | `" << rerun << "` |\n";
    html << "<tr><td>" << html_escape(row.run) << "</td><td><code>" << html_escape(row.handler) << "</code></td><td>"
         << html_escape(r.source) << "</td><td>" << html_escape(expected_text(row)) << "</td><td>" << html_escape(r.verdict)
         << "</td><td>" << r.findings << "</td><td class=\"" << (r.ok ? "ok\">yes" : "bad\">no") << "</td><td>"
         << (ran ? "<a href=\"" + html_escape(row.run) + "/result.html\">result.html</a>" : html_escape(r.note))
         << "</td><td><code>" << html_escape(rerun) << "</code></td></tr>\n";
  }
  md << "\nEach run's directory holds result.json, trace.jsonl, junit.xml, result.sarif, result.md, result.html, "
        "findings/ and run.txt (what `evh run` printed). The scenarios are copies of examples/scenarios/demo-*.json.\n";
  html << "</table>\n<p>Each run's directory holds result.json, trace.jsonl, junit.xml, result.sarif, result.md, "
          "result.html, findings/ and run.txt (what <code>evh run</code> printed).</p>\n</body></html>\n";
  write_file(dir / "index.md", md.str());
  write_file(dir / "index.html", html.str());
}

}  // namespace

int demo(const DemoOptions& o) {
  const fs::path dir(o.report_dir.empty() ? "evh-demo" : o.report_dir);
  std::error_code ec;
  fs::create_directories(dir / "scenarios", ec);
  if (ec) return fail(2, "demo: --report-dir " + dir.string() + ": cannot create directory: " + ec.message());
  const uint64_t seed = o.seed ? *o.seed : kDemoSeed;
  const auto& rows = demo_rows();

  // The scenarios ship inside the binary; a copy beside the reports lets each row be rerun.
  for (const auto& f : embedded::demo_scenario_files())
    if (!write_file(dir / "scenarios" / std::string(f.name), f.contents))
      return fail(2, "demo: --report-dir " + dir.string() + ": cannot write " + (dir / "scenarios" / std::string(f.name)).string());

  std::cout << "evh demo: seed=" << seed << ", " << rows.size() << " runs, reports in " << dir.string() << "/\n";
  std::vector<RowOutcome> outcomes;
  for (const auto& row : rows) {
    if (!embedded::find(embedded::demo_scenario_files(), row.scenario)) {
      RowOutcome r;
      r.verdict = "not run";
      r.note = std::string("scenario ") + row.scenario + " is not compiled in";
      outcomes.push_back(r);
      continue;
    }
    outcomes.push_back(run_row(row, dir, dir / "scenarios" / row.scenario, seed));
  }

  // The table: one line per row, the first finding's replay line at its end.
  std::size_t w_run = 3, w_handler = 7, w_source = 6, w_expected = 8;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    w_run = std::max(w_run, std::string_view(rows[i].run).size());
    w_handler = std::max(w_handler, std::string_view(rows[i].handler).size());
    w_source = std::max(w_source, outcomes[i].source.size());
    w_expected = std::max(w_expected, expected_text(rows[i]).size());
  }
  auto cell = [](std::string_view s, std::size_t w) { return std::string(s) + std::string(w > s.size() ? w - s.size() : 0, ' '); };
  std::cout << "\n"
            << cell("run", w_run) << "  " << cell("handler", w_handler) << "  " << cell("source", w_source) << "  "
            << cell("expected", w_expected) << "  " << cell("verdict", 7) << "  " << cell("findings", 8) << "  first finding\n";
  bool all_ok = true;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const RowOutcome& r = outcomes[i];
    all_ok = all_ok && r.ok;
    std::string last = !r.note.empty() ? r.note : r.replay;
    std::cout << cell(rows[i].run, w_run) << "  " << cell(rows[i].handler, w_handler) << "  " << cell(r.source, w_source) << "  "
              << cell(expected_text(rows[i]), w_expected) << "  " << cell(r.verdict, 7) << "  "
              << cell(std::to_string(r.findings), 8) << "  " << (r.ok ? "" : "UNEXPECTED ") << last << "\n";
  }
  write_index(dir, rows, outcomes, seed, all_ok);
  std::size_t correct = 0, buggy = 0, caught = 0, passed = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (*rows[i].invariant) {
      ++buggy;
      caught += outcomes[i].ok;
    } else {
      ++correct;
      passed += outcomes[i].ok;
    }
  }
  std::cout << "\nevh demo: " << passed << "/" << correct << " correct handlers passed, " << caught << "/" << buggy
            << " buggy handlers caught by their invariant\n"
            << "evh demo: index " << (dir / "index.html").string() << " and " << (dir / "index.md").string()
            << "; each run has result.json, result.html, result.md, junit.xml, result.sarif, trace.jsonl\n";
  return all_ok ? 0 : 1;
}

}  // namespace evh::cli
