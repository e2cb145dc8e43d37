// Markdown writer (CommonMark + GitHub tables). Every value from the run is escaped or fenced.
#include "reports/markdown.h"

#include <sstream>

#include "reports/internal/escape.h"
#include "reports/internal/result_view.h"

namespace evh::reports {
namespace {

using internal::count;
using internal::markdown_code;
using internal::markdown_escape;
using internal::str;

std::string status_words(const std::string& status) { return status == "not-exercised" ? "not exercised" : status; }

std::string verdict_words(const std::string& verdict) {
  if (verdict == "pass") return "PASS — every exercised invariant held";
  if (verdict == "fail") return "FAIL — findings below";
  if (verdict == "gave-up") return "GAVE UP — the budget ran out (not a pass)";
  return verdict.empty() ? "unknown" : verdict;
}

void write_run(std::ostream& out, const Json& run, bool several) {
  const std::string unit = str(run, "mode") == "poll" ? "batches" : "cases";
  if (several) {
    out << "## " << markdown_escape(internal::suite_name(run)) << "\n\n";
    out << "**Verdict: " << markdown_escape(verdict_words(str(run, "verdict"))) << "**\n\n";
  }
  out << (several ? "### " : "## ") << "Run\n\n";
  out << "| | |\n|---|---|\n";
  out << "| source | " << markdown_code(str(run, "source")) << " |\n";
  out << "| mode | " << markdown_code(str(run, "mode")) << " |\n";
  out << "| target | " << markdown_code(str(run, "target")) << " |\n";
  out << "| seed | " << markdown_code(internal::text(run, "seed")) << " |\n";
  if (auto st = run.find("statistics"); st != run.end() && st->is_object()) {
    out << "| cases | " << count(*st, "casesRun") << " of " << count(*st, "casesRequested") << " |\n";
    out << "| invocations | " << count(*st, "invocations") << " |\n";
    out << "| findings | " << count(*st, "findings") << " |\n";
    out << "| virtual time | " << markdown_escape(internal::text(*st, "virtualMs")) << " ms |\n";
  }
  std::string faults;
  if (auto f = run.find("faults"); f != run.end() && f->is_array())
    for (const auto& x : *f) faults += (faults.empty() ? "" : ", ") + str(x, "id") + "=" + internal::text(x, "rate");
  out << "| fault plan | " << (faults.empty() ? "none" : markdown_code(faults)) << " |\n";
  if (const std::string g = str(run, "gaveUp"); !g.empty()) out << "| gave up | " << markdown_escape(g) << " |\n";
  out << "\n";

  out << (several ? "### " : "## ") << "Compliance: " << markdown_escape(str(run, "source")) << " ("
      << markdown_escape(str(run, "mode")) << ")\n\n";
  if (auto inv = run.find("invariants"); inv != run.end() && inv->is_array()) {
    for (const auto& v : *inv) {
      const std::string id = str(v, "id");
      const std::string status = str(v, "status");
      out << "- " << status_mark(status) << " " << markdown_code(id) << " — " << status_words(status) << " ("
          << count(v, "exercised") << " " << unit << " exercised, " << count(v, "findings") << " findings)";
      if (const std::string summary = internal::invariant_summary(id); !summary.empty())
        out << ": " << markdown_escape(summary);
      out << "\n";
    }
  }
  out << "\n";

  auto fs = run.find("findings");
  if (fs == run.end() || !fs->is_array() || fs->empty()) return;
  out << (several ? "### " : "## ") << "Findings\n\n";
  std::size_t n = 0;
  for (const auto& f : *fs) {
    out << (several ? "#### " : "### ") << ++n << ". " << markdown_code(str(f, "invariant")) << " — case "
        << markdown_escape(internal::text(f, "case")) << "\n\n";
    out << markdown_escape(str(f, "message")) << "\n\n";
    out << "- mutations: " << markdown_code(internal::mutation_chain(f.value("mutations", Json()))) << "\n";
    out << "- seed: " << markdown_code(internal::text(f, "seed")) << "\n";
    if (const std::string file = str(f, "file"); !file.empty()) out << "- file: " << markdown_code(file) << "\n";
    const std::string replay = internal::replay_command(run, f);
    const std::string fence = internal::markdown_fence(replay);
    out << "\nReplay:\n\n" << fence << "sh\n" << internal::xml_safe_text(replay) << "\n" << fence << "\n\n";
  }
}

}  // namespace

const char* status_mark(const std::string& status) {
  if (status == "held") return "✔";
  if (status == "violated") return "✘";
  return "–";
}

std::string render_markdown(const Json& result) {
  const auto runs = internal::runs_of(result);
  std::ostringstream out;
  out << "# evh contract report";
  if (runs.size() == 1) out << ": " << markdown_escape(internal::suite_name(*runs.front()));
  out << "\n\n";
  std::string overall = "pass";
  for (const Json* run : runs) {
    const std::string v = str(*run, "verdict");
    if (v == "gave-up" && overall == "pass") overall = v;
    if (v == "fail") overall = v;
  }
  if (runs.empty()) overall = "";
  out << "**Verdict: " << markdown_escape(verdict_words(overall)) << "**\n\n";
  for (const Json* run : runs) write_run(out, *run, runs.size() > 1);
  return out.str();
}

}  // namespace evh::reports
