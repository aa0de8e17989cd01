#include "store/live_records.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include "store/store.h"

namespace minivpc {
namespace {

std::string TempDb() {
  static int counter = 0;
  auto dir =
      std::filesystem::temp_directory_path() /
      ("minivpc-live-records-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "state.db").string();
}

void ExpectAddRemoveList(LiveRecords& r) {
  ASSERT_TRUE(r.Add({"netns", "mv-ab12-i-2"}).ok());
  ASSERT_TRUE(r.Add({"netns", "mv-ab12-i-1"}).ok());
  ASSERT_TRUE(r.Add({"tap", "mvab12t0123"}).ok());
  ASSERT_TRUE(r.Add({"tap", "mvab12t0123"}).ok());  // idempotent
  ASSERT_TRUE(r.Remove({"netns", "mv-ab12-i-2"}).ok());
  ASSERT_TRUE(r.Remove({"netns", "absent"}).ok());
  auto list = r.List();
  ASSERT_TRUE(list.ok());
  std::vector<LiveRecord> want{{"netns", "mv-ab12-i-1"}, {"tap", "mvab12t0123"}};
  EXPECT_EQ(*list, want);
}

TEST(LiveRecords, MemoryRecordsAddRemoveAndList) {
  auto r = NewMemoryLiveRecords();
  ExpectAddRemoveList(*r);
}

TEST(LiveRecords, SqliteRecordsSurviveReopening) {
  std::string path = TempDb();
  {
    auto r = OpenSqliteLiveRecords(path);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ExpectAddRemoveList(**r);
  }
  auto again = OpenSqliteLiveRecords(path);
  ASSERT_TRUE(again.ok());
  auto list = (*again)->List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(LiveRecords, ShareTheStateFileWithTheStore) {
  std::string path = TempDb();
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok());
  auto records = OpenSqliteLiveRecords(path);
  ASSERT_TRUE(records.ok());
  // Interleaved writes through both connections: neither fails on the lock.
  for (int i = 0; i < 20; ++i) {
    std::promise<Status> done;
    (*store)->Commit({{"a/b", "vpc", "vpc-" + std::to_string(i), std::string("{}")}},
                     [&](Status s) { done.set_value(s); });
    ASSERT_TRUE((*records)->Add({"netns", "ns" + std::to_string(i)}).ok());
    ASSERT_TRUE(done.get_future().get().ok());
  }
  size_t rows = 0;
  ASSERT_TRUE((*store)->Scan([&](auto, auto, auto, auto) { ++rows; }).ok());
  EXPECT_EQ(rows, 20u);  // the records are not Store rows
  EXPECT_EQ((*records)->List()->size(), 20u);
  store->reset();
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

}  // namespace
}  // namespace minivpc
