// HTML writer. Every value from the run goes through html_escape(); the page has no script and
// loads nothing, so it reads the same from a CI artifact, a mail attachment or file://.
#include "reports/html.h"

#include <map>
#include <set>
#include <sstream>

#include "reports/internal/escape.h"
#include "reports/internal/result_view.h"
#include "reports/markdown.h"

namespace evh::reports {
namespace {

using internal::count;
using internal::html_escape;
using internal::str;
using internal::text;

/// Events can be 6 MB (over-limit mutations): the page shows this much and names the file.
constexpr std::size_t kMaxEventChars = 64 * 1024;
/// Trace lines shown per finding; a retry storm can have thousands.
constexpr std::size_t kMaxTimelineRows = 200;

constexpr const char* kStyle = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.6rem;margin-bottom:.25rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.6rem;overflow:auto;white-space:pre-wrap;word-break:break-all}
.verdict{display:inline-block;padding:.2rem .7rem;border-radius:1rem;font-weight:600}
.pass,.held{color:#116329}.fail,.violated{color:#a40e26}.gave-up,.not-exercised{color:#6e7781}
.verdict.pass{background:#dafbe1}.verdict.fail{background:#ffebe9}.verdict.gave-up{background:#eaeef2}
.finding{border:1px solid #d0d7de;border-left:4px solid #cf222e;border-radius:6px;padding:.2rem 1rem 1rem;margin:1rem 0}
.replay{background:#fff8c5}.muted{color:#6e7781}details summary{cursor:pointer;font-weight:600}
)css";

std::string pretty(const Json& j) { return j.dump(2, ' ', false, Json::error_handler_t::replace); }

std::string status_class(const std::string& s) {
  return s == "held" || s == "violated" || s == "not-exercised" || s == "pass" || s == "fail" || s == "gave-up" ? s : "";
}

bool same_case(const Json& line, const Json& finding) {
  auto a = line.find("case");
  auto b = finding.find("case");
  return a != line.end() && b != finding.end() && *a == *b;
}

/// One short cell for what a trace line says beyond t and action.
std::string trace_detail(const Json& line) {
  std::string d;
  auto add = [&](const std::string& s) { d += (d.empty() ? "" : "; ") + s; };
  if (auto o = line.find("outcome"); o != line.end() && o->is_object()) {
    std::string s = str(*o, "kind");
    if (const std::string st = text(*o, "status"); !st.empty()) s += " " + st;
    if (const std::string e = str(*o, "errorType"); !e.empty()) s += " " + e;
    if (auto r = o->find("response"); r != o->end() && !r->is_null()) {
      std::string body = r->dump(-1, ' ', false, Json::error_handler_t::replace);
      if (body.size() > 160) body = body.substr(0, 160) + "…";
      s += " " + body;
    }
    add(s);
  }
  for (const char* key : {"status", "clientStatus", "condition", "reason", "to", "error"})
    if (const std::string v = text(line, key); !v.empty()) add(std::string(key) + " " + v);
  if (auto c = line.find("contract"); c != line.end() && c->is_object() && c->value("ok", true) == false)
    add("contract violated");
  if (auto f = line.find("faults"); f != line.end() && f->is_array() && !f->empty()) add("faults " + f->dump());
  if (auto r = line.find("records"); r != line.end() && r->is_array() && !r->empty())
    add(std::to_string(r->size()) + (r->size() == 1 ? " record" : " records"));
  if (const std::string m = text(line, "mutations"); !m.empty() && m != "[]") add("mutations " + m);
  return d;
}

void write_timeline(std::ostream& out, const std::vector<const Json*>& lines) {
  if (lines.empty()) {
    out << "<p class=\"muted\">No trace lines for this case.</p>\n";
    return;
  }
  out << "<table class=\"timeline\"><thead><tr><th>t (virtual ms)</th><th>action</th><th>attempt</th>"
         "<th>outcome</th></tr></thead><tbody>\n";
  std::size_t shown = 0;
  for (const Json* l : lines) {
    if (shown++ == kMaxTimelineRows) break;
    out << "<tr><td>" << html_escape(text(*l, "t")) << "</td><td>" << html_escape(str(*l, "action")) << "</td><td>"
        << html_escape(text(*l, "attempt")) << "</td><td>" << html_escape(trace_detail(*l)) << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
  if (lines.size() > kMaxTimelineRows)
    out << "<p class=\"muted\">" << lines.size() - kMaxTimelineRows << " more lines in trace.jsonl.</p>\n";
}

void write_finding(std::ostream& out, const Json& run, const Json& f, const Json& doc, std::size_t number,
                   const std::vector<Json>& trace) {
  const std::string id = str(f, "invariant");
  out << "<section class=\"finding\" id=\"finding-" << number << "\">\n<h3>" << number << ". <code>" << html_escape(id)
      << "</code> — case " << html_escape(text(f, "case")) << "</h3>\n";
  out << "<p class=\"message\">" << html_escape(str(f, "message")) << "</p>\n";
  out << "<table><tbody>\n<tr><th>mutations</th><td><code>"
      << html_escape(internal::mutation_chain(f.value("mutations", Json()))) << "</code> (" << html_escape(str(f, "expect"))
      << ")</td></tr>\n<tr><th>seed</th><td><code>" << html_escape(text(f, "seed")) << "</code></td></tr>\n";
  if (const std::string file = str(f, "file"); !file.empty())
    out << "<tr><th>file</th><td><code>" << html_escape(file) << "</code></td></tr>\n";
  out << "</tbody></table>\n";
  out << "<p>Replay:</p>\n<pre class=\"replay\"><code>" << html_escape(internal::replay_command(run, f)) << "</code></pre>\n";

  if (doc.is_object() && doc.contains("event")) {
    std::string event = pretty(doc["event"]);
    out << "<details open><summary>Shrunk event</summary>\n<pre class=\"event\"><code>";
    if (event.size() > kMaxEventChars) {
      const std::size_t more = event.size() - kMaxEventChars;
      event.resize(kMaxEventChars);
      out << html_escape(event) << "</code></pre>\n<p class=\"muted\">… " << more
          << " more characters: the whole event is in the finding file.</p>\n";
    } else {
      out << html_escape(event) << "</code></pre>\n";
    }
    out << "</details>\n";
  }

  std::vector<const Json*> lines;
  for (const auto& l : trace)
    if (same_case(l, f)) lines.push_back(&l);
  if (lines.empty() && doc.is_object())
    if (auto t = doc.find("trace"); t != doc.end() && t->is_array())
      for (const auto& l : *t) lines.push_back(&l);
  out << "<h4>Timeline of case " << html_escape(text(f, "case")) << "</h4>\n";
  write_timeline(out, lines);
  out << "</section>\n";
}

void write_coverage(std::ostream& out, const Json& run, const std::vector<Json>& trace) {
  // Mutators: the chain of each case, from the trace's per-case lines and from the findings.
  struct Seen {
    std::set<std::string> cases;
    std::size_t findings = 0;
  };
  std::map<std::string, Seen> mutators;
  std::set<std::string> cases_with_chain;
  for (const auto& l : trace) {
    auto m = l.find("mutations");
    if (m == l.end() || !m->is_array()) continue;
    const std::string kase = text(l, "case");
    if (!cases_with_chain.insert(kase).second) continue;
    const std::string chain = internal::mutation_chain(*m);
    for (const auto& x : *m) mutators[x.is_string() ? x.get<std::string>() : x.dump()].cases.insert(kase);
    if (chain == "none") mutators["(none: valid event)"].cases.insert(kase);
  }
  if (auto fs = run.find("findings"); fs != run.end() && fs->is_array())
    for (const auto& f : *fs) {
      auto m = f.find("mutations");
      if (m == f.end() || !m->is_array() || m->empty()) {
        ++mutators["(none: valid event)"].findings;
        mutators["(none: valid event)"].cases.insert(text(f, "case"));
        continue;
      }
      for (const auto& x : *m) {
        auto& s = mutators[x.is_string() ? x.get<std::string>() : x.dump()];
        ++s.findings;
        s.cases.insert(text(f, "case"));
      }
    }
  out << "<h3>Mutators</h3>\n";
  if (mutators.empty()) {
    out << "<p class=\"muted\">No mutation recorded in this run's trace or findings.</p>\n";
  } else {
    out << "<table class=\"coverage\"><thead><tr><th>mutator</th><th>cases</th><th>findings</th></tr></thead><tbody>\n";
    for (const auto& [id, s] : mutators)
      out << "<tr><td><code>" << html_escape(id) << "</code></td><td>" << s.cases.size() << "</td><td>" << s.findings
          << "</td></tr>\n";
    out << "</tbody></table>\n";
  }

  // Faults: the plan, and how often each fault fired in the trace.
  std::map<std::string, std::size_t> fired;
  for (const auto& l : trace)
    if (auto f = l.find("faults"); f != l.end() && f->is_array())
      for (const auto& x : *f) ++fired[x.is_string() ? x.get<std::string>() : x.dump()];
  out << "<h3>Faults</h3>\n";
  auto plan = run.find("faults");
  if (plan == run.end() || !plan->is_array() || plan->empty()) {
    out << "<p class=\"muted\">Fault plan: none (every delivery as requested).</p>\n";
  } else {
    out << "<table class=\"coverage\"><thead><tr><th>fault</th><th>rate</th><th>fired</th></tr></thead><tbody>\n";
    for (const auto& x : *plan) {
      const std::string id = x.is_object() ? str(x, "id") : x.is_string() ? x.get<std::string>() : x.dump();
      out << "<tr><td><code>" << html_escape(id) << "</code></td><td>" << html_escape(x.is_object() ? text(x, "rate") : "")
          << "</td><td>" << fired[id] << "</td></tr>\n";
    }
    out << "</tbody></table>\n";
  }
}

void write_run(std::ostream& out, const Json& run, const std::vector<Json>& docs, std::size_t& finding_number,
               const std::vector<Json>& trace) {
  const std::string verdict = str(run, "verdict");
  const std::string unit = str(run, "mode") == "poll" ? "batches" : "cases";
  out << "<h2>" << html_escape(internal::suite_name(run)) << " <span class=\"verdict " << status_class(verdict) << "\">"
      << html_escape(verdict) << "</span></h2>\n";
  out << "<table class=\"run\"><tbody>\n<tr><th>target</th><td><code>" << html_escape(str(run, "target"))
      << "</code></td></tr>\n<tr><th>seed</th><td><code>" << html_escape(text(run, "seed")) << "</code></td></tr>\n";
  if (auto st = run.find("statistics"); st != run.end() && st->is_object())
    out << "<tr><th>cases</th><td>" << count(*st, "casesRun") << " of " << count(*st, "casesRequested")
        << "</td></tr>\n<tr><th>invocations</th><td>" << count(*st, "invocations") << "</td></tr>\n<tr><th>findings</th><td>"
        << count(*st, "findings") << "</td></tr>\n<tr><th>virtual time</th><td>" << html_escape(text(*st, "virtualMs"))
        << " ms</td></tr>\n";
  if (const std::string g = str(run, "gaveUp"); !g.empty())
    out << "<tr><th>gave up</th><td>" << html_escape(g) << "</td></tr>\n";
  out << "</tbody></table>\n";

  out << "<h3>Invariants</h3>\n<table class=\"invariants\"><thead><tr><th></th><th>invariant</th><th>verdict</th><th>"
      << unit << " exercised</th><th>findings</th><th>platform behaviour</th></tr></thead><tbody>\n";
  if (auto inv = run.find("invariants"); inv != run.end() && inv->is_array())
    for (const auto& v : *inv) {
      const std::string status = str(v, "status");
      out << "<tr class=\"" << status_class(status) << "\"><td>" << status_mark(status) << "</td><td><code>"
          << html_escape(str(v, "id")) << "</code></td><td>" << html_escape(status) << "</td><td>" << count(v, "exercised")
          << "</td><td>" << count(v, "findings") << "</td><td>" << html_escape(internal::invariant_summary(str(v, "id")))
          << "</td></tr>\n";
    }
  out << "</tbody></table>\n";

  out << "<h3>Findings</h3>\n";
  auto fs = run.find("findings");
  if (fs == run.end() || !fs->is_array() || fs->empty()) {
    out << "<p class=\"muted\">None.</p>\n";
  } else {
    static const Json kNone;
    for (const auto& f : *fs) {
      const Json& doc = finding_number < docs.size() ? docs[finding_number] : kNone;
      ++finding_number;
      write_finding(out, run, f, doc, finding_number, trace);
    }
  }
  out << "<h3>Coverage</h3>\n";
  write_coverage(out, run, trace);
}

}  // namespace

std::string render_html(const Json& result, const std::vector<Json>& findings, const std::vector<Json>& trace) {
  const auto runs = internal::runs_of(result);
  static const std::vector<Json> kNoTrace;
  const std::vector<Json>& run_trace = runs.size() == 1 ? trace : kNoTrace;
  std::ostringstream out;
  std::string title = "evh report";
  if (runs.size() == 1) title += ": " + internal::suite_name(*runs.front()) + " — " + str(*runs.front(), "verdict");
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
      << html_escape(title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
  out << "<h1>evh contract report</h1>\n<p class=\"muted\">Rendered from result.json; every finding replays with "
         "the command shown.</p>\n";
  std::size_t finding_number = 0;
  for (const Json* run : runs) write_run(out, *run, findings, finding_number, run_trace);
  out << "</body>\n</html>\n";
  return out.str();
}

}  // namespace evh::reports
