// make_cli_target and write_text, shared by evh run and evh replay.
#include "cli/target_setup.h"

#include <fstream>

#include "examples/builtin.h"

namespace evh::cli {

Result<std::unique_ptr<CliTarget>> make_cli_target(const std::string& spec, const harness::Scenario& scenario, int concurrency) {
  auto t = std::make_unique<CliTarget>();
  harness::TargetOptions topts;
  topts.function = scenario.function;
  for (const auto& [k, v] : scenario.environment) topts.env[k] = v;
  topts.concurrency = concurrency;
  topts.effects = &t->sink;
  topts.builtin = [](const std::string& name) { return examples::find_builtin(name); };
  if (spec.rfind("builtin:", 0) != 0) {
    t->effects_server = std::make_unique<harness::EffectsServer>(t->sink);
    if (auto st = t->effects_server->start(); !st) return make_error(ErrorCode::kUnreachable, "effects sink: " + st.error().message);
    topts.effects_url = t->effects_server->url();
  }
  auto target = harness::make_target(spec, topts);
  if (!target) return target.error();
  t->target = std::move(*target);
  return t;
}

Status write_text(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream f(path, std::ios::binary);
  if (!f) return make_error(ErrorCode::kIo, path.string() + ": cannot write file");
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!f) return make_error(ErrorCode::kIo, path.string() + ": write failed");
  return Ok{};
}

}  // namespace evh::cli
