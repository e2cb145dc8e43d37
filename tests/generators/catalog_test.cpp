// Catalog and tables: every source loads, every id is unique and documented.
#include "generators/catalog.h"

#include <gtest/gtest.h>

#include "tests/util/run_command.h"

#include <fstream>
#include <set>
#include <sstream>

#include "generators/format.h"
#include "generators/mutation.h"

namespace evh {
namespace {

std::string read_doc(const std::string& name) {
  return evh::testing::read_text(std::string(EVH_SOURCE_DIR) + "/docs/reference/" + name);
}

TEST(Catalog, EverySourceLoads) {
  EXPECT_EQ(catalog_error(), "");
  EXPECT_EQ(all_sources().size(), catalog().size());
  EXPECT_EQ(catalog().size(), 36u);
}

TEST(Catalog, IdsAreUniqueAndDocumented) {
  std::string doc = read_doc("sources.md");
  std::set<std::string> ids;
  for (const auto& s : all_sources()) {
    EXPECT_TRUE(ids.insert(s.id).second) << "duplicate source id " << s.id;
    EXPECT_NE(doc.find("\n## " + s.id + "\n"), std::string::npos) << "docs/reference/sources.md has no section for " << s.id;
  }
}

TEST(Catalog, EverySourceDeclaresItsContract) {
  for (const auto& s : all_sources()) {
    SCOPED_TRACE(s.id);
    EXPECT_FALSE(s.title.empty());
    EXPECT_FALSE(s.summary.empty());
    EXPECT_GT(s.limits.max_event_bytes, 0u);
    EXPECT_FALSE(s.response.contract.empty());
    EXPECT_FALSE(s.response.read_by.empty());
    // A contract other than "ignored" must say what a correct return value looks like.
    if (s.response.contract != "ignored") {
      EXPECT_TRUE(s.response.schema.has_value());
    }
    if (s.batched()) {
      EXPECT_NE(s.records_node, nullptr);
      EXPECT_GE(s.limits.max_batch_records, 1u);
    }
    if (s.type == InvocationType::kEvent) {
      EXPECT_EQ(s.model, InvocationModel::kAsyncPush) << "Event invocations are async pushes";
    }
  }
}

TEST(Catalog, UnknownSourceErrorListsKnownIds) {
  auto r = find_source("sqs-fifoo");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUsage);
  EXPECT_NE(r.error().message.find("sqs-fifo"), std::string::npos);
}

TEST(Mutators, TableHasBothKindsUniqueDocumentedIds) {
  std::string doc = read_doc("mutators.md");
  std::set<std::string> ids;
  int legal = 0, illegal = 0;
  for (const auto& m : mutators()) {
    std::string id(m.id);
    EXPECT_TRUE(ids.insert(id).second) << "duplicate mutator id " << id;
    EXPECT_NE(doc.find("\n## " + id + "\n"), std::string::npos) << "docs/reference/mutators.md has no section for " << id;
    EXPECT_NE(id.find('.'), std::string::npos) << id << " is not a dotted id";
    (m.kind == MutationKind::kLegalEdge ? legal : illegal)++;
  }
  EXPECT_GE(ids.size(), 30u);
  EXPECT_GE(legal, 10);
  EXPECT_GE(illegal, 10);
}

TEST(Formats, IdsAreUnique) {
  std::set<std::string_view> ids;
  for (const auto& f : formats()) EXPECT_TRUE(ids.insert(f.id).second) << f.id;
}

}  // namespace
}  // namespace evh
