// write_reports: load the inputs once, render each format, write each file whole.
#include "reports/writer.h"

#include <filesystem>
#include <fstream>
#include <optional>

namespace evh::reports {
namespace {

Status write_file(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return make_error(ErrorCode::kIo, path.string() + ": cannot write file");
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  f.close();
  if (!f) return make_error(ErrorCode::kIo, path.string() + ": write failed");
  return Ok{};
}

}  // namespace

Status write_reports(const std::string& dir, const Json& result, const std::vector<const ReportFormat*>& formats) {
  if (formats.empty()) return Ok{};
  auto inputs = load_report_inputs(dir, result);
  if (!inputs) return inputs.error();
  std::optional<Error> first;
  for (const ReportFormat* f : formats) {
    if (f == nullptr) continue;
    if (auto st = write_file(std::filesystem::path(dir) / f->file, f->render(*inputs)); !st && !first) first = st.error();
  }
  if (first) return *first;
  return Ok{};
}

Status write_reports(const std::string& dir, const Json& result, std::string_view formats) {
  auto list = parse_report_formats(formats);
  if (!list) return list.error();
  return write_reports(dir, result, *list);
}

}  // namespace evh::reports
