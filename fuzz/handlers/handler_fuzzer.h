// The handler fuzzer template: libFuzzer drives your C++ Lambda handler through evh's harness,
// in-process and on the virtual clock. A fuzzer is one .cpp file:
//
//   #include "fuzz/handlers/handler_fuzzer.h"
//   evh::Json handle_orders(const evh::Json& event, evh::harness::Context& ctx);  // yours
//   EVH_HANDLER_FUZZER("sqs", handle_orders, {.target = "exec:./orders-handler"});
//
// Each input is a harness::FuzzCase — events generated from seeds, records per event, a chain of
// evh's mutators, a fault plan, payload bytes — behind a header naming this fuzzer's profile.
// LLVMFuzzerCustomMutator changes one of those fields at a time (harness::mutate), so coverage
// guidance explores event structure, and payload bytes go through libFuzzer's own mutators. The
// invariants are the oracles: a violated one prints the finding, writes its finding file
// ($EVH_FINDINGS_DIR, else ./evh-findings) and aborts, so libFuzzer saves the input as
// crash-<sha1>; `evh replay crash-<sha1>` delivers it again. EVH_FUZZ_WRITE_SEEDS=DIR makes the
// fuzzer write a seed corpus of passing inputs instead. docs/fuzzing.md "Handler fuzzers".
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "generators/codec.h"
#include "generators/json.h"
#include "harness/check.h"
#include "harness/context.h"
#include "harness/fuzz_case.h"

// Defined by libFuzzer, absent under the standalone corpus runner (fuzz/replay_main.cpp).
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size) __attribute__((weak));

namespace evh::fuzz {

/// How the handler is fuzzed. Designated initializers keep the call short:
/// `{.mode = "poll", .scenario = ..., .target = "builtin:sqs-correct"}` (members in this order).
struct HandlerFuzzerOptions {
  std::string mode;                ///< sync | async | poll; "" = how the source invokes (poll for SQS, Kinesis ...)
  Json scenario = Json::object();  ///< scenario keys with AWS's names (docs/scenario.md): eventSourceMapping, queue, function, workload ...
  std::string mutate;              ///< mutators a chain may hold: none | legal | illegal | any; "" = legal in poll mode, else any
  std::string faults = "all";      ///< faults a plan may hold: ids, comma-separated, or "all" / "none" (evh list faults)
  std::string invariants;          ///< only these ids, comma-separated ("" = every invariant)
  std::string target;              ///< what `evh replay crash-<sha1>` delivers to when given no --target (builtin:NAME, exec:CMD ...)
  std::string name = "handler";    ///< the function name in traces
  std::string findings_dir;        ///< where finding files go; "" = $EVH_FINDINGS_DIR, else ./evh-findings
};

/// For EVH_HANDLER_FUZZER's optional last argument.
inline HandlerFuzzerOptions options() { return {}; }
inline HandlerFuzzerOptions options(HandlerFuzzerOptions o) { return o; }

namespace internal {

/// Makes the handler for one input: a fresh one each time, so state the handler keeps (the
/// idempotency keys it has seen ...) never leaks from one input into the next and the same
/// bytes always do the same thing, as libFuzzer needs.
using HandlerFactory = std::function<harness::Handler()>;

/// A factory from what EVH_HANDLER_FUZZER was given: a factory `Handler()`, or a handler taking
/// (const Json&, Context&) or (const Json&) — a handler with state should be given as a factory.
template <typename F>
HandlerFactory to_factory(F f) {
  if constexpr (std::is_invocable_v<F&, const Json&, harness::Context&>) {
    return [f]() { return harness::Handler(f); };
  } else if constexpr (std::is_invocable_v<F&, const Json&>) {
    return [f]() { return harness::Handler([f](const Json& event, harness::Context&) -> Json { return f(event); }); };
  } else {
    static_assert(std::is_invocable_r_v<harness::Handler, F&>,
                  "EVH_HANDLER_FUZZER takes a handler (const evh::Json&, evh::harness::Context&) or (const evh::Json&), or a "
                  "factory returning an evh::harness::Handler");
    return [f]() mutable { return harness::Handler(f()); };
  }
}

/// The state behind the four libFuzzer entry points EVH_HANDLER_FUZZER defines.
class HandlerFuzzer {
 public:
  void init(const std::string& source, HandlerFactory factory, const HandlerFuzzerOptions& o, int* argc, char*** argv) {
    harness::FuzzProfile profile{source, o.mode, o.scenario, o.mutate, o.faults, o.invariants, o.target};
    auto space = harness::FuzzSpace::make(std::move(profile));
    if (!space) {
      std::fprintf(stderr, "evh fuzz: %s\n", space.error().message.c_str());
      std::exit(2);
    }
    space_.emplace(std::move(*space));
    factory_ = std::move(factory);
    name_ = o.name;
    findings_dir_ = harness::findings_dir(o.findings_dir);
    for (int i = 1; argc != nullptr && argv != nullptr && i < *argc; ++i) {
      const std::string_view a = (*argv)[i];
      if (a.rfind("-artifact_prefix=", 0) == 0) artifact_prefix_ = a.substr(17);
      if (a.rfind("-exact_artifact_path=", 0) == 0) exact_artifact_ = a.substr(21);
    }
    if (const char* dir = std::getenv("EVH_FUZZ_WRITE_SEEDS"); dir != nullptr && *dir != '\0') std::exit(write_seeds(dir));
    std::fprintf(stderr, "evh fuzz: %s %s -> %s; inputs start with a %zu-byte profile header; findings go to %s/\n", source.c_str(),
                 harness::to_string(space_->config().mode), replay_target().empty() ? ("in-process:" + name_).c_str() : replay_target().c_str(),
                 space_->header().size(), findings_dir_.c_str());
  }

  int test_one_input(const uint8_t* data, std::size_t size) {
    EVH_CHECK(space_.has_value()) << "EVH_HANDLER_FUZZER: LLVMFuzzerInitialize did not run";
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto kase = harness::decode_input(*space_, bytes);
    if (!kase) return foreign_input(bytes);
    harness::RunConfig config = harness::fuzz_run_config(*space_, *kase);
    if (config.target_description.empty()) config.target_description = "in-process:" + name_;
    auto result = harness::run_in_process(config, factory_(), name_);
    if (!result) {
      // Not the handler's doing: evh itself failed on this input, which is a bug worth the crash.
      std::fprintf(stderr, "evh fuzz: internal error: %s\n", result.error().message.c_str());
      std::abort();
    }
    if (result->findings.empty()) return 0;
    report(*result, config, *kase, bytes);
    std::abort();  // libFuzzer saves the input as crash-<sha1>
  }

  std::size_t mutate(uint8_t* data, std::size_t size, std::size_t max_size, unsigned int seed) {
    harness::ByteMutator raw;
    if (LLVMFuzzerMutate != nullptr) raw = [](uint8_t* d, std::size_t s, std::size_t m) { return LLVMFuzzerMutate(d, s, m); };
    const std::string out = harness::mutate(*space_, std::string_view(reinterpret_cast<const char*>(data), size), max_size, seed, raw);
    return copy_out(out, data, max_size);
  }

  std::size_t cross_over(const uint8_t* a, std::size_t a_size, const uint8_t* b, std::size_t b_size, uint8_t* out, std::size_t max_size,
                         unsigned int seed) {
    const std::string child = harness::cross_over(*space_, std::string_view(reinterpret_cast<const char*>(a), a_size),
                                                  std::string_view(reinterpret_cast<const char*>(b), b_size), max_size, seed);
    return copy_out(child, out, max_size);
  }

 private:
  std::string replay_target() const { return space_->profile().target; }

  /// EVH_FUZZ_WRITE_SEEDS=DIR: writes a seed corpus for this profile — up to kSeeds inputs that
  /// pass, named by their sha1 — and exits: the default case, a few run and event seeds (with one
  /// record per event and with the most), each mutator of the space alone, each fault alone, a generated payload. Inputs
  /// with a large mutator (harness::kFuzzLargeMutators) only when too few others pass.
  int write_seeds(const std::string& dir) {
    static constexpr std::size_t kSeeds = 12;
    std::vector<harness::FuzzCase> candidates(1);
    for (uint64_t i = 1; i <= 4; ++i) {
      auto& c = candidates.emplace_back();
      c.seed = i;
      c.events = {i};
      if (space_->max_batch() > 0) candidates.emplace_back(c).batch_size = 1;
    }
    if (space_->max_batch() > 0) candidates.emplace_back().batch_size = space_->max_batch();
    std::vector<harness::FuzzCase> large;
    for (const Mutator* m : space_->mutators()) {
      harness::FuzzCase c;
      c.mutations = {std::string(m->id)};
      const bool is_large = std::find(std::begin(harness::kFuzzLargeMutators), std::end(harness::kFuzzLargeMutators), m->id) !=
                            std::end(harness::kFuzzLargeMutators);
      (is_large ? large : candidates).push_back(std::move(c));
    }
    for (harness::FaultId f : space_->faults()) candidates.emplace_back().faults = {{f, harness::kFuzzFaultRates[3]}};
    candidates.emplace_back().payload = R"({"orderId":"o-1","quantity":1})";
    std::vector<std::string> passing;
    for (const auto* list : {&candidates, &large}) {
      if (list == &large && passing.size() >= kSeeds) break;
      for (const auto& c : *list) {
        const std::string bytes = harness::encode(*space_, c);
        harness::RunConfig config = harness::fuzz_run_config(*space_, c);
        auto r = harness::run_in_process(config, factory_(), name_);
        if (r && r->findings.empty()) passing.push_back(bytes);
      }
    }
    std::vector<std::string> chosen;  // spread over the candidates, in their order
    for (std::size_t i = 0; i < std::min(kSeeds, passing.size()); ++i) chosen.push_back(passing[i * passing.size() / std::min(kSeeds, passing.size())]);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    for (const auto& bytes : chosen) std::ofstream(std::filesystem::path(dir) / codec::sha1_hex(bytes), std::ios::binary) << bytes;
    std::fprintf(stderr, "evh fuzz: wrote %zu seed input(s) that pass to %s/ (%zu of %zu candidates passed)\n", chosen.size(), dir.c_str(),
                 passing.size(), candidates.size() + large.size());
    return chosen.empty() ? 1 : 0;
  }

  std::size_t copy_out(const std::string& bytes, uint8_t* out, std::size_t max_size) {
    if (bytes.empty()) {
      if (!warned_size_)
        std::fprintf(stderr, "evh fuzz: the %zu-byte profile header does not fit in -max_len=%zu: run with -max_len=%zu\n",
                     space_->header().size(), max_size, space_->header().size() + 4096);
      warned_size_ = true;
      return 0;
    }
    std::memcpy(out, bytes.data(), bytes.size());
    return bytes.size();
  }

  /// An input this fuzzer's mutator did not write (raw bytes, another profile's input). libFuzzer
  /// starts with such inputs and mutates them into ours; the standalone runner replays a corpus,
  /// where one means the corpus was made for another profile.
  int foreign_input(std::string_view bytes) {
    if (LLVMFuzzerMutate == nullptr && !bytes.empty()) {
      std::fprintf(stderr, "evh fuzz: this input was not written by this fuzzer (its profile header differs: scenario or options "
                           "changed?); regenerate the corpus\n");
      std::exit(2);
    }
    return 0;
  }

  void report(const harness::RunResult& result, const harness::RunConfig& config, const harness::FuzzCase& kase, std::string_view bytes) {
    const auto files = harness::write_finding_files(result, config, findings_dir_);
    const auto& f = result.findings.front();
    const std::string target = replay_target().empty() ? " --target exec:'YOUR-HANDLER-COMMAND'   (or http://HOST:PORT, runtime-api:'CMD')" : "";
    std::string input;
    if (LLVMFuzzerMutate == nullptr) {
      input = "THIS-INPUT-FILE";
    } else if (!exact_artifact_.empty()) {
      input = exact_artifact_;
    } else {
      input = artifact_prefix_ + "crash-" + codec::sha1_hex(bytes);
    }
    std::map<std::string, std::size_t> more;  // the input's other findings, by invariant
    for (std::size_t i = 1; i < result.findings.size(); ++i) ++more[result.findings[i].finding.invariant];
    std::string others;
    for (const auto& [id, n] : more) others += (others.empty() ? "" : ", ") + id + " (" + std::to_string(n) + ")";
    std::fprintf(stderr,
                 "\n=== evh: invariant violated: %s\n%s\n"
                 "  handler fuzzer: %s %s -> %s\n"
                 "  input: %s\n"
                 "  case %zu: mutations: %s, expect %s\n",
                 f.finding.invariant.c_str(), f.finding.message.c_str(), result.source.c_str(), result.mode.c_str(), result.target.c_str(),
                 kase.describe().c_str(), f.finding.case_index, f.kase.chain().c_str(), to_string(f.kase.expect));
    if (!others.empty()) std::fprintf(stderr, "  more findings in this input: %s\n", others.c_str());
    if (!files.empty() && !files[0].empty()) std::fprintf(stderr, "  finding file: %s\n", files[0].c_str());
    std::fprintf(stderr, "=== replay the input: evh replay %s%s\n", input.c_str(), target.c_str());
    if (!files.empty() && !files[0].empty())
      std::fprintf(stderr, "=== replay the case:  evh replay %s%s\n", files[0].c_str(), target.c_str());
    std::fflush(stderr);
  }

  std::optional<harness::FuzzSpace> space_;
  HandlerFactory factory_;
  std::string name_;
  std::string findings_dir_;
  std::string artifact_prefix_;
  std::string exact_artifact_;
  bool warned_size_ = false;
};

inline HandlerFuzzer& fuzzer() {
  static HandlerFuzzer f;
  return f;
}

}  // namespace internal
}  // namespace evh::fuzz

/// Defines libFuzzer's entry points for fuzzing `handler` with events of `source`:
///   EVH_HANDLER_FUZZER("sqs", handle_orders);
///   EVH_HANDLER_FUZZER("sqs", make_orders_handler, {.scenario = evh::Json::parse(R"({...})"), .target = "exec:./orders"});
/// `handler` is a handler (const evh::Json&, evh::harness::Context&) or (const evh::Json&), or a
/// factory returning an evh::harness::Handler, called once per input.
#define EVH_HANDLER_FUZZER(source, handler, ...)                                                                            \
  extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {                                                            \
    ::evh::fuzz::internal::fuzzer().init(source, ::evh::fuzz::internal::to_factory(handler), ::evh::fuzz::options(__VA_ARGS__), \
                                         argc, argv);                                                                       \
    return 0;                                                                                                               \
  }                                                                                                                         \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {                                                 \
    return ::evh::fuzz::internal::fuzzer().test_one_input(data, size);                                                      \
  }                                                                                                                         \
  extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {               \
    return ::evh::fuzz::internal::fuzzer().mutate(data, size, max_size, seed);                                              \
  }                                                                                                                         \
  extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size, uint8_t* out, \
                                              size_t max_size, unsigned int seed) {                                         \
    return ::evh::fuzz::internal::fuzzer().cross_over(a, a_size, b, b_size, out, max_size, seed);                           \
  }
