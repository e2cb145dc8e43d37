// The target of a run or a replay as the command line builds it: the effects sink, the sink's
// HTTP server for out-of-process targets (EVH_EFFECTS_URL), and the target itself.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "generators/error.h"
#include "harness/effects.h"
#include "harness/effects_server.h"
#include "harness/scenario.h"
#include "harness/target.h"

namespace evh::cli {

/// Owns what a target needs while it runs; not movable (the target holds the sink's address).
struct CliTarget {
  harness::EffectsSink sink;
  std::unique_ptr<harness::EffectsServer> effects_server;  ///< only for out-of-process targets
  std::unique_ptr<harness::Target> target;
};

/// Builds `spec` with the scenario's function configuration and environment. In-process
/// (builtin:) handlers report effects through their context; the others POST them to a sink on
/// 127.0.0.1 whose address they get as EVH_EFFECTS_URL. Errors carry the exit code's ErrorCode.
Result<std::unique_ptr<CliTarget>> make_cli_target(const std::string& spec, const harness::Scenario& scenario, int concurrency = 1);

/// Writes `text` to `path`, creating its directory.
Status write_text(const std::filesystem::path& path, const std::string& text);

}  // namespace evh::cli
