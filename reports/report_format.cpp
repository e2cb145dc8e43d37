// The report-format table: one line per format.
#include "reports/report_format.h"

#include <algorithm>

#include "reports/html.h"
#include "reports/junit.h"
#include "reports/markdown.h"
#include "reports/sarif.h"

namespace evh::reports {
namespace {

std::string render_json_file(const ReportInputs& in) {
  return in.result.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}
std::string render_junit_file(const ReportInputs& in) { return render_junit(in.result); }
std::string render_sarif_file(const ReportInputs& in) { return render_sarif(in.result); }
std::string render_html_file(const ReportInputs& in) { return render_html(in.result, in.findings, in.trace); }
std::string render_markdown_file(const ReportInputs& in) { return render_markdown(in.result); }

}  // namespace

const std::vector<ReportFormat>& report_formats() {
  static const std::vector<ReportFormat> kFormats = {
      {"json", "result.json", "the result model (source of truth every other format is rendered from)", render_json_file},
      {"junit", "junit.xml", "JUnit XML: a test suite per source x mode, a test case per invariant", render_junit_file},
      {"sarif", "result.sarif", "SARIF 2.1.0: a rule per invariant, a result per finding", render_sarif_file},
      {"html", "result.html", "one self-contained page: verdicts, findings with event and timeline, coverage", render_html_file},
      {"md", "result.md", "Markdown: verdict, statistics, compliance checklist, findings with replay lines", render_markdown_file},
  };
  return kFormats;
}

const ReportFormat* find_report_format(std::string_view id) {
  for (const auto& f : report_formats())
    if (id == f.id) return &f;
  return nullptr;
}

Result<std::vector<const ReportFormat*>> parse_report_formats(std::string_view list) {
  std::vector<const ReportFormat*> out;
  auto known = [] {
    std::string s;
    for (const auto& f : report_formats()) s += (s.empty() ? "" : ", ") + std::string(f.id);
    return s;
  };
  for (std::size_t pos = 0; pos <= list.size();) {
    std::size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    const std::string_view item = list.substr(pos, comma - pos);
    pos = comma + 1;
    if (item == "all") {
      for (const auto& f : report_formats())
        if (std::find(out.begin(), out.end(), &f) == out.end()) out.push_back(&f);
      continue;
    }
    const ReportFormat* f = find_report_format(item);
    if (f == nullptr)
      return make_error(ErrorCode::kUsage, "--format '" + std::string(item) + "': unknown format (use " + known() + ", or all)");
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  }
  return out;
}

}  // namespace evh::reports
