// THE table of mutators (filled below) and the dispatcher.
#include "generators/mutation.h"

namespace evh {

const char* to_string(MutationKind k) { return k == MutationKind::kIllegal ? "illegal" : "legal-edge"; }

Result<MutateFilter> parse_mutate_filter(std::string_view s) {
  if (s == "none") return MutateFilter::kNone;
  if (s == "legal") return MutateFilter::kLegal;
  if (s == "illegal") return MutateFilter::kIllegal;
  if (s == "any") return MutateFilter::kAny;
  return make_error(ErrorCode::kUsage, "--mutate must be none, legal, illegal or any, not '" + std::string(s) + "'");
}

const std::vector<Mutator>& mutators() {
  static const std::vector<Mutator> kMutators = {};
  return kMutators;
}

const Mutator* find_mutator(std::string_view id) {
  for (const auto& m : mutators())
    if (m.id == id) return &m;
  return nullptr;
}

Case mutate(const Case& base, MutateFilter, MutationContext&, int) { return base; }

Result<Case> apply_chain(const Case& base, const std::vector<std::string>&, MutationContext&) { return base; }

}  // namespace evh
