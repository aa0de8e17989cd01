#include "ec2api/protocol/pagination.h"

#include <gtest/gtest.h>

namespace minivpc::ec2api {
namespace {

using json = nlohmann::json;

std::vector<std::string> Keys(int n) {
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) keys.push_back("vpc-" + std::to_string(100 + i));
  return keys;
}

Page MustPaginate(const json& input, const std::vector<std::string>& keys) {
  StatusOr<Page> p = Paginate(input, keys);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : Page();
}

TEST(Paginate, WithoutMaxResultsReturnsEverything) {
  Page p = MustPaginate(json::object(), Keys(12));
  EXPECT_EQ(p.begin, 0u);
  EXPECT_EQ(p.end, 12u);
  EXPECT_TRUE(p.next_token.empty());
}

TEST(Paginate, WalksAllPages) {
  const std::vector<std::string> keys = Keys(12);
  json input = {{"MaxResults", 5}};
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    Page p = MustPaginate(input, keys);
    for (size_t i = p.begin; i < p.end; ++i) seen.push_back(keys[i]);
    ++pages;
    if (p.next_token.empty()) break;
    input["NextToken"] = p.next_token;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, keys);
}

TEST(Paginate, ExactFitHasNoNextToken) {
  Page p = MustPaginate({{"MaxResults", 5}}, Keys(5));
  EXPECT_EQ(p.end, 5u);
  EXPECT_TRUE(p.next_token.empty());
}

TEST(Paginate, DeletionsBetweenPagesSkipNothing) {
  std::vector<std::string> keys = Keys(10);
  Page first = MustPaginate({{"MaxResults", 5}}, keys);
  ASSERT_FALSE(first.next_token.empty());
  // The last item of page one and the first of page two go away.
  keys.erase(keys.begin() + 4, keys.begin() + 6);
  Page second = MustPaginate({{"MaxResults", 5}, {"NextToken", first.next_token}}, keys);
  ASSERT_EQ(second.begin, 4u);
  EXPECT_EQ(keys[second.begin], "vpc-106");
  EXPECT_EQ(second.end, 8u);
  EXPECT_TRUE(second.next_token.empty());
}

TEST(Paginate, TokenWithoutMaxResultsRunsToTheEnd) {
  const std::vector<std::string> keys = Keys(8);
  Page first = MustPaginate({{"MaxResults", 5}}, keys);
  Page rest = MustPaginate({{"NextToken", first.next_token}}, keys);
  EXPECT_EQ(rest.begin, 5u);
  EXPECT_EQ(rest.end, 8u);
}

TEST(Paginate, EmptyTokenIsTheFirstPage) {
  Page p = MustPaginate({{"NextToken", ""}, {"MaxResults", 5}}, Keys(6));
  EXPECT_EQ(p.begin, 0u);
  EXPECT_EQ(p.end, 5u);
}

TEST(Paginate, RejectsMaxResultsOutOfRange) {
  for (int bad : {0, 4, 1001, -1}) {
    StatusOr<Page> p = Paginate({{"MaxResults", bad}}, Keys(3));
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), "InvalidParameterValue");
  }
  StatusOr<Page> p = Paginate({{"MaxResults", 4}}, Keys(3));
  EXPECT_EQ(p.status().message(),
            "Value (4) for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
  EXPECT_TRUE(Paginate({{"MaxResults", 2}}, Keys(3), /*min_results=*/1, /*max_results=*/100).ok());
}

TEST(Paginate, RejectsForeignTokens) {
  for (const char* bad : {"garbage", "mv1.!!", "mv1.A", "mv1.dnBjLTEwMA==", "eyJ2IjoxfQ"}) {
    StatusOr<Page> p = Paginate({{"NextToken", bad}}, Keys(3));
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), "InvalidParameterValue");
    EXPECT_EQ(p.status().message(),
              "Value (" + std::string(bad) +
                  ") for parameter nextToken is invalid. The token is invalid.");
  }
}

}  // namespace
}  // namespace minivpc::ec2api
