#include "ec2api/protocol/filters.h"

#include <gtest/gtest.h>

#include <chrono>

#include "ec2api/protocol/wildcard.h"

namespace minivpc::ec2api {
namespace {

using json = nlohmann::json;

TEST(WildcardMatch, StarAndQuestionMark) {
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_TRUE(WildcardMatch("*", "anything"));
  EXPECT_TRUE(WildcardMatch("web-*", "web-1"));
  EXPECT_TRUE(WildcardMatch("web-*", "web-"));
  EXPECT_FALSE(WildcardMatch("web-*", "db-1"));
  EXPECT_TRUE(WildcardMatch("*-prod-*", "app-prod-7"));
  EXPECT_TRUE(WildcardMatch("a**b", "ab"));
  EXPECT_TRUE(WildcardMatch("10.0.?.0/24", "10.0.3.0/24"));
  EXPECT_FALSE(WildcardMatch("10.0.?.0/24", "10.0.33.0/24"));
  EXPECT_FALSE(WildcardMatch("?", ""));
  EXPECT_TRUE(WildcardMatch("*a?", "bbbac"));
  EXPECT_FALSE(WildcardMatch("*a?", "bbbca"));
}

TEST(WildcardMatch, IsExactAndCaseSensitiveWithoutWildcards) {
  EXPECT_TRUE(WildcardMatch("vpc-1", "vpc-1"));
  EXPECT_FALSE(WildcardMatch("vpc-1", "vpc-10"));
  EXPECT_FALSE(WildcardMatch("VPC-1", "vpc-1"));
  EXPECT_TRUE(WildcardMatch("", ""));
  EXPECT_FALSE(WildcardMatch("", "x"));
}

TEST(WildcardMatch, BackslashEscapes) {
  EXPECT_TRUE(WildcardMatch("\\*amazon\\?\\\\", "*amazon?\\"));
  EXPECT_FALSE(WildcardMatch("\\*amazon", "xamazon"));
  EXPECT_TRUE(WildcardMatch("a\\?*", "a?bc"));
  EXPECT_FALSE(WildcardMatch("a\\?*", "abc"));
  // A backslash before anything else, or at the end, is literal.
  EXPECT_TRUE(WildcardMatch("C:\\temp", "C:\\temp"));
  EXPECT_TRUE(WildcardMatch("end\\", "end\\"));
}

TEST(WildcardMatch, PathologicalPatternIsFast) {
  const std::string value(200000, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(WildcardMatch("a*a*a*a*a*a*a*a*b", value));
  EXPECT_TRUE(WildcardMatch("a*a*a*a*a*a*a*a*", value));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

json Vpc() {
  return json::parse(R"({"VpcId": "vpc-1", "IsDefault": false, "State": "available",
      "CidrBlockAssociationSet": [{"CidrBlock": "10.0.0.0/16"}, {"CidrBlock": "10.1.0.0/16"}],
      "Tags": [{"Key": "Name", "Value": "web"}, {"Key": "Env", "Value": "prod"}]})");
}

const FilterPaths kPaths = {
    {"vpc-id", "VpcId"},
    {"is-default", "IsDefault"},
    {"cidr-block-association.cidr-block", "CidrBlockAssociationSet.CidrBlock"}};

bool Match(const std::vector<Filter>& filters) {
  StatusOr<bool> r = MatchesFilters(Vpc(), filters, kPaths);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() && *r;
}

TEST(Filters, PathsAndValues) {
  EXPECT_TRUE(Match({}));
  EXPECT_TRUE(Match({{"vpc-id", {"vpc-2", "vpc-1"}}}));  // OR across values
  EXPECT_FALSE(Match({{"vpc-id", {"vpc-2"}}}));
  EXPECT_TRUE(Match({{"vpc-id", {"vpc-*"}}, {"is-default", {"false"}}}));  // AND
  EXPECT_FALSE(Match({{"vpc-id", {"vpc-*"}}, {"is-default", {"true"}}}));
  EXPECT_FALSE(Match({{"vpc-id", {}}}));  // no values: matches nothing
}

TEST(Filters, NestedPathFlattensArrays) {
  EXPECT_TRUE(Match({{"cidr-block-association.cidr-block", {"10.1.0.0/16"}}}));
  EXPECT_TRUE(Match({{"cidr-block-association.cidr-block", {"10.?.0.0/16"}}}));
  EXPECT_FALSE(Match({{"cidr-block-association.cidr-block", {"10.2.0.0/16"}}}));
}

TEST(Filters, TagFilters) {
  EXPECT_TRUE(Match({{"tag:Name", {"web"}}}));
  EXPECT_TRUE(Match({{"tag:Env", {"dev", "pr*"}}}));
  EXPECT_FALSE(Match({{"tag:Env", {"web"}}}));   // value belongs to another key
  EXPECT_FALSE(Match({{"tag:name", {"web"}}}));  // keys are case-sensitive
  EXPECT_TRUE(Match({{"tag-key", {"Env"}}}));
  EXPECT_TRUE(Match({{"tag-key", {"N*"}}}));
  EXPECT_FALSE(Match({{"tag-key", {"Owner"}}}));
  EXPECT_TRUE(Match({{"tag-value", {"prod"}}}));
  EXPECT_FALSE(Match({{"tag-value", {"Env"}}}));
  StatusOr<bool> untagged =
      MatchesFilters(json::parse(R"({"VpcId": "vpc-2"})"), {{"tag-key", {"*"}}}, kPaths);
  ASSERT_TRUE(untagged.ok());
  EXPECT_FALSE(*untagged);
}

TEST(Filters, UnknownFilterName) {
  StatusOr<bool> r = MatchesFilters(Vpc(), {{"colour", {"red"}}}, kPaths);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "InvalidParameterValue");
  EXPECT_EQ(r.status().message(), "The filter 'colour' is invalid");
}

TEST(Filters, CompiledSetIsReusable) {
  StatusOr<FilterSet> set = FilterSet::Compile({{"tag:Env", {"prod"}}}, kPaths);
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->Matches(Vpc()));
  EXPECT_FALSE(set->Matches(json::parse(R"({"Tags": [{"Key": "Env", "Value": "dev"}]})")));
  EXPECT_TRUE(FilterSet().Matches(Vpc()));
}

TEST(ParseFilters, ReadsDecodedInput) {
  StatusOr<std::vector<Filter>> f = ParseFilters(
      json::parse(R"({"Filters": [{"Name": "vpc-id", "Values": ["a", "b"]}, {"Name": "state"}]})"));
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 2u);
  EXPECT_EQ((*f)[0].name, "vpc-id");
  EXPECT_EQ((*f)[0].values, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE((*f)[1].values.empty());
  StatusOr<std::vector<Filter>> none = ParseFilters(json::parse(R"({"VpcIds": ["x"]})"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(ParseFilters, FilterWithoutNameIsInvalid) {
  StatusOr<std::vector<Filter>> f =
      ParseFilters(json::parse(R"({"Filters": [{"Values": ["a"]}]})"));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), "InvalidParameterValue");
  EXPECT_EQ(f.status().message(), "The filter 'null' is invalid");
}

}  // namespace
}  // namespace minivpc::ec2api
