// Properties of the generators, for every source of the catalog: generated events validate,
// mutators never crash evh, illegal mutations are rejected, legal edges stay valid, and the
// same seed gives the same bytes.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "generators/arbitrary.h"
#include "generators/catalog.h"
#include "generators/event_validator.h"
#include "generators/mutation.h"

namespace evh {
namespace {

// Cases per source and property. Mutation properties cost more (a legal edge may build a full
// 6 MB batch, and every application is validated): fewer cases there keep the suite in minutes.
constexpr int kCasesPerSource = 60;
constexpr int kMutationCasesPerSource = 25;

std::vector<std::string> source_ids() {
  std::vector<std::string> ids;
  for (const auto& s : all_sources()) ids.push_back(s.id);
  return ids;
}

class SourceProperty : public ::testing::TestWithParam<std::string> {
 protected:
  const Source& source() const { return **find_source(GetParam()); }
  static bool check(const std::string& description, const std::function<void()>& property,
                    int cases = kCasesPerSource) {
    rc::detail::TestParams params;
    params.maxSuccess = cases;
    params.maxSize = 100;
    params.seed = 20261123;  // fixed: CI failures reproduce
    auto result = rc::detail::checkTestable(property, rc::detail::TestMetadata{description, description}, params);
    std::string why;
    if (!result.template is<rc::detail::SuccessResult>()) {
      std::ostringstream os;
      rc::detail::printResultMessage(result, os);
      ADD_FAILURE() << os.str();
      return false;
    }
    return true;
  }
  static std::vector<Problem> validate(const Source& s, const Json& ev) {
    ValidateOptions o;
    o.payload = &PayloadContract::builtin();
    return validate_event(s, ev, o);
  }
  static std::string first(const std::vector<Problem>& p) { return p.empty() ? "" : to_string(p[0]); }
};

TEST_P(SourceProperty, GeneratedEventsPassTheValidator) {
  const Source& s = source();
  check(s.id + ": generate then validate", [&s] {
    Case c = *gen::valid_case(s);
    auto problems = validate(s, c.event);
    RC_LOG() << first(problems) << "\n";
    RC_ASSERT(is_valid(problems, true));
  });
}

TEST_P(SourceProperty, SameSeedGivesIdenticalBytes) {
  const Source& s = source();
  check(s.id + ": same seed, same bytes", [&s] {
    uint64_t seed = *rc::gen::arbitrary<uint64_t>();
    EventGenerator a(s, PayloadContract::builtin()), b(s, PayloadContract::builtin());
    RC_ASSERT(dump(a.generate(seed).event) == dump(b.generate(seed).event));
  });
}

TEST_P(SourceProperty, EveryMutatorLeavesEvhStanding) {
  const Source& s = source();
  check(s.id + ": every mutator on any valid event", [&s] {
    Case c = *gen::valid_case(s);
    uint64_t seed = *rc::gen::arbitrary<uint64_t>();
    Rng rng(seed);
    GenContext ctx = GenContext::draw(rng);
    MutationContext mc{s, PayloadContract::builtin(), rng, ctx};
    const Mutator& m = *rc::gen::elementOf(mutators());
    auto out = m.apply(c.event, mc);
    // Whatever came out, validating it (schema, identity, consistency hooks) must not throw.
    if (out) validate(s, *out);
    RC_SUCCEED("mutator " + std::string(m.id) + (out ? " applied" : " did not apply"));
  }, kMutationCasesPerSource);
}

TEST_P(SourceProperty, IllegalMutationsAreRejectedByTheValidator) {
  const Source& s = source();
  check(s.id + ": illegal input is rejected", [&s] {
    Case c = *gen::mutated_case(s, MutateFilter::kIllegal);
    RC_PRE(c.expect == Expect::kIllegal);  // no illegal mutator applied to this event
    auto problems = validate(s, c.event);
    RC_LOG() << c.chain() << "\n";
    RC_ASSERT_FALSE(is_valid(problems, true));
  }, kMutationCasesPerSource);
}

TEST_P(SourceProperty, LegalEdgesStayValid) {
  const Source& s = source();
  check(s.id + ": legal edges are valid events", [&s] {
    Case c = *gen::mutated_case(s, MutateFilter::kLegal);
    auto problems = validate(s, c.event);
    RC_LOG() << c.chain() << " -> " << first(problems) << "\n";
    RC_ASSERT(is_valid(problems, true));
  }, kMutationCasesPerSource);
}

INSTANTIATE_TEST_SUITE_P(AllSources, SourceProperty, ::testing::ValuesIn(source_ids()),
                         [](const auto& param_info) {
                           std::string name;
                           for (char c : param_info.param) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

}  // namespace
}  // namespace evh
