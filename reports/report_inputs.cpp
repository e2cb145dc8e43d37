// Loading what the renderers need from a report directory: the only file reading in reports/
// besides writer.cpp.
#include "reports/report_inputs.h"

#include <filesystem>

#include "reports/internal/result_view.h"

namespace evh::reports {

Result<ReportInputs> load_report_inputs(const std::string& dir, Json result) {
  namespace fs = std::filesystem;
  ReportInputs in;
  for (const Json* run : internal::runs_of(result)) {
    auto fs_it = run->find("findings");
    if (fs_it == run->end() || !fs_it->is_array()) continue;
    for (const auto& f : *fs_it) {
      if (internal::str(f, "file").empty()) {
        in.findings.emplace_back();
        continue;
      }
      // The "file" path is relative to where evh ran; the document always sits under dir.
      const fs::path p = fs::path(dir) / internal::finding_relative_path(f);
      auto doc = load_json_file(p.string());
      if (!doc) return doc.error();
      in.findings.push_back(std::move(*doc));
    }
  }
  const fs::path trace = fs::path(dir) / "trace.jsonl";
  std::error_code ec;
  if (fs::exists(trace, ec)) {
    auto text = read_file(trace.string());
    if (!text) return text.error();
    std::size_t line_no = 0;
    for (std::size_t pos = 0; pos < text->size();) {
      std::size_t nl = text->find('\n', pos);
      if (nl == std::string::npos) nl = text->size();
      ++line_no;
      std::string_view line(text->data() + pos, nl - pos);
      pos = nl + 1;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      auto j = parse_json(line, trace.string() + " line " + std::to_string(line_no));
      if (!j) return j.error();
      in.trace.push_back(std::move(*j));
    }
  }
  in.result = std::move(result);
  return in;
}

}  // namespace evh::reports
