// Conformance against real sample events (../shared/reference-events/<source>/): each one
// passes our validator, and every key path they carry can be produced by our generator.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <set>

#include "generators/catalog.h"
#include "generators/event_generator.h"
#include "generators/event_validator.h"
#include "generators/field_paths.h"

namespace evh {
namespace {

namespace fs = std::filesystem;

// Enough generated events that optional fields with low presence show up.
constexpr uint64_t kGeneratedForCoverage = 1000;

fs::path reference_dir() { return fs::path(EVH_SHARED_DIR) / "reference-events"; }

std::vector<fs::path> reference_files(const std::string& source) {
  std::vector<fs::path> out;
  fs::path dir = reference_dir() / source;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

class ReferenceEvents : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!fs::is_directory(reference_dir()))
      GTEST_SKIP() << "no " << reference_dir() << ": conformance tests need ../shared beside the checkout";
    files_ = reference_files(GetParam());
    if (files_.empty()) GTEST_SKIP() << "no reference events for " << GetParam() << " in " << reference_dir();
  }
  const Source& source() const { return **find_source(GetParam()); }
  std::vector<fs::path> files_;
};

TEST_P(ReferenceEvents, PassTheValidator) {
  for (const auto& f : files_) {
    auto doc = load_json_file(f.string());
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    auto problems = validate_event(source(), *doc);
    std::size_t consistency = 0;
    for (const auto& p : problems) {
      if (p.severity == Severity::kError) {
        ADD_FAILURE() << f.filename() << ": " << to_string(p);
      } else {
        ++consistency;
      }
    }
    // Hand-made fixtures often carry digests that do not match; reported, not failed.
    if (consistency) std::cout << "[ note ] " << GetParam() << "/" << f.filename().string() << ": " << consistency << " consistency note(s)\n";
  }
}

TEST_P(ReferenceEvents, EveryFieldCanBeGenerated) {
  std::set<std::string> reference_paths, generated_paths;
  for (const auto& f : files_) collect_field_paths(source(), *load_json_file(f.string()), reference_paths);
  EventGenerator gen(source(), PayloadContract::builtin());
  for (uint64_t i = 0; i < kGeneratedForCoverage; ++i) collect_field_paths(source(), gen.generate(derive_seed(1, i)).event, generated_paths);
  std::size_t covered = 0;
  for (const auto& p : reference_paths) {
    if (generated_paths.count(p)) {
      ++covered;
    } else {
      ADD_FAILURE() << GetParam() << ": the generator never produces " << p;
    }
  }
  std::cout << "[ coverage ] " << GetParam() << ": " << covered << "/" << reference_paths.size()
            << " reference field paths generated\n";
}

// Runs without ../shared: 1,000 generated events per source pass our own validator, strictly.
class GeneratedEvents : public ::testing::TestWithParam<std::string> {};

TEST_P(GeneratedEvents, AThousandPassTheValidator) {
  const Source& s = **find_source(GetParam());
  EventGenerator gen(s, PayloadContract::builtin());
  ValidateOptions o;
  o.payload = &PayloadContract::builtin();
  std::size_t invalid = 0;
  for (uint64_t i = 0; i < kGeneratedForCoverage; ++i) {
    Case c = gen.generate(derive_seed(20261123, i));
    auto problems = validate_event(s, c.event, o);
    if (!is_valid(problems, true)) {
      if (++invalid <= 3) ADD_FAILURE() << GetParam() << " seed " << c.seed << ": " << to_string(problems[0]);
    }
  }
  EXPECT_EQ(invalid, 0u);
  std::cout << "[ generated ] " << GetParam() << ": " << kGeneratedForCoverage - invalid << "/" << kGeneratedForCoverage
            << " valid\n";
}

std::vector<std::string> ids() {
  std::vector<std::string> out;
  for (const auto& e : catalog()) out.emplace_back(e.id);
  return out;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(AllSources, ReferenceEvents, ::testing::ValuesIn(ids()), test_name);
INSTANTIATE_TEST_SUITE_P(AllSources, GeneratedEvents, ::testing::ValuesIn(ids()), test_name);

}  // namespace
}  // namespace evh
