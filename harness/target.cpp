#include "harness/target.h"

#include "harness/internal/targets.h"

namespace evh::harness {

const std::vector<TargetKind>& target_kinds() {
  static const std::vector<TargetKind> kKinds = {
      {"builtin:", "an example handler that ships with evh, in-process (evh list handlers)"},
      {"http://", "an Invoke API endpoint: the Lambda service dialect or the Runtime Interface Emulator's"},
      {"runtime-api:", "evh serves the Lambda Runtime API and starts the command (any Lambda runtime client)"},
      {"exec:", "runs the command once per invocation: event on stdin, result on stdout"},
      {"exec-persistent:", "one long-lived process speaking newline-delimited JSON (docs/exec-protocol.md)"},
  };
  return kKinds;
}

Result<std::unique_ptr<Target>> make_target(const std::string& spec, const TargetOptions& options) {
  auto starts = [&](std::string_view p) { return spec.rfind(p, 0) == 0; };
  auto rest = [&](std::string_view p) { return spec.substr(p.size()); };
  auto need_command = [&](std::string_view p) -> Result<std::string> {
    std::string cmd = rest(p);
    if (cmd.find_first_not_of(" \t") == std::string::npos)
      return make_error(ErrorCode::kUsage, "--target " + std::string(p) + " needs a command, e.g. " + std::string(p) + "'node handler.js'");
    return cmd;
  };
  if (starts("builtin:")) {
    std::string name = rest("builtin:");
    const Handler* h = options.builtin ? options.builtin(name) : nullptr;
    if (h == nullptr) return make_error(ErrorCode::kUsage, "--target builtin:" + name + ": no such example handler (see evh list handlers)");
    return make_in_process_target(*h, spec, options);
  }
  if (starts("http://") || starts("https://")) return internal::make_http_target(spec, options);
  if (starts("runtime-api:")) {
    auto cmd = need_command("runtime-api:");
    if (!cmd) return cmd.error();
    return internal::make_runtime_api_target(*cmd, options);
  }
  if (starts("exec-persistent:")) {
    auto cmd = need_command("exec-persistent:");
    if (!cmd) return cmd.error();
    return internal::make_exec_persistent_target(*cmd, options);
  }
  if (starts("exec:")) {
    auto cmd = need_command("exec:");
    if (!cmd) return cmd.error();
    return internal::make_exec_target(*cmd, options);
  }
  std::string kinds;
  for (const auto& k : target_kinds()) kinds += std::string(kinds.empty() ? "" : ", ") + k.prefix + "...";
  return make_error(ErrorCode::kUsage, "--target '" + spec + "': unknown kind (use " + kinds + ")");
}

}  // namespace evh::harness
