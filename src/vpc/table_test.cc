#include "vpc/table.h"

#include <gtest/gtest.h>

namespace minivpc {
namespace {

struct Row {
  std::string id;
  std::string value;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Row, id, value)

TEST(TableLoad, KeepsEveryRowAndRunsHooksInAnyOrder) {
  Journal journal;
  Table<Row> t("acct/us-east-1", "row", &journal);
  std::vector<std::pair<std::string, bool>> seen;  // (id, had a before)
  t.AddHook([&](const Row* before, const Row* after) {
    seen.emplace_back(after ? after->id : before->id, before != nullptr);
  });
  // In order (the restore case), then out of order, then an id again.
  for (const char* id : {"b", "d", "a", "c"}) t.Load({{"id", id}, {"value", id}});
  t.Load({{"id", "d"}, {"value", "again"}});
  ASSERT_EQ(t.size(), 4u);
  std::vector<std::string> ids;
  for (const auto& [id, row] : t.rows()) ids.push_back(id);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(t.Find("d")->value, "again");
  std::vector<std::pair<std::string, bool>> want = {
      {"b", false}, {"d", false}, {"a", false}, {"c", false}, {"d", true}};
  EXPECT_EQ(seen, want);
  EXPECT_TRUE(journal.empty());  // loading is not a change to undo
}

}  // namespace
}  // namespace minivpc
