// Response and error documents, byte for byte, and form decoding.
#include <gtest/gtest.h>

#include "common/error_codes.h"
#include "ec2api/protocol/api_model.h"

namespace minivpc::ec2api {
namespace {

using json = nlohmann::json;

constexpr char kDecl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
constexpr char kNs[] = " xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"";

TEST(EncodeOutput, DescribeVpcsWithTagsInModelOrder) {
  json out = json::parse(R"({"Vpcs": [{
      "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "IsDefault": false, "State": "available",
      "CidrBlockAssociationSet": [{"AssociationId": "vpc-cidr-assoc-1",
          "CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}}],
      "Ipv6CidrBlockAssociationSet": [],
      "Tags": [{"Key": "Name", "Value": "a & <b>"}]}]})");
  std::string xml = ApiModel::Get().EncodeOutput("DescribeVpcs", out, "req-1");
  EXPECT_EQ(xml, std::string(kDecl) + "<DescribeVpcsResponse" + kNs +
                     "><requestId>req-1</requestId><vpcSet><item>"
                     "<ipv6CidrBlockAssociationSet/>"
                     "<cidrBlockAssociationSet><item><associationId>vpc-cidr-assoc-1"
                     "</associationId><cidrBlock>10.0.0.0/16</cidrBlock><cidrBlockState>"
                     "<state>associated</state></cidrBlockState></item></cidrBlockAssociationSet>"
                     "<isDefault>false</isDefault>"
                     "<tagSet><item><key>Name</key><value>a &amp; &lt;b&gt;</value></item></tagSet>"
                     "<vpcId>vpc-1</vpcId><state>available</state>"
                     "<cidrBlock>10.0.0.0/16</cidrBlock>"
                     "</item></vpcSet></DescribeVpcsResponse>");
  EXPECT_TRUE(ApiModel::Get().UnknownOutputKeys("DescribeVpcs", out).empty());
}

TEST(EncodeOutput, EmptyListIsAnEmptyElementAndNullIsOmitted) {
  std::string xml = ApiModel::Get().EncodeOutput(
      "DescribeVpcs", json::parse(R"({"Vpcs": [], "NextToken": null})"), "r");
  EXPECT_EQ(xml, std::string(kDecl) + "<DescribeVpcsResponse" + kNs +
                     "><requestId>r</requestId><vpcSet/></DescribeVpcsResponse>");
}

TEST(EncodeOutput, NumbersBooleansAndNestedStructures) {
  json out = json::parse(R"({"Return": true, "SecurityGroupRules": [
      {"SecurityGroupRuleId": "sgr-1", "IsEgress": true, "FromPort": -1, "ToPort": 65535}]})");
  std::string xml = ApiModel::Get().EncodeOutput("AuthorizeSecurityGroupEgress", out, "r");
  EXPECT_NE(xml.find("<return>true</return><securityGroupRuleSet><item>"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<isEgress>true</isEgress>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<fromPort>-1</fromPort><toPort>65535</toPort>"), std::string::npos) << xml;
}

TEST(EncodeOutput, OperationsWithoutOutputShapeReturnTrue) {
  EXPECT_EQ(ApiModel::Get().EncodeOutput("DeleteVpc", json::object(), "r"),
            std::string(kDecl) + "<DeleteVpcResponse" + kNs +
                "><requestId>r</requestId><return>true</return></DeleteVpcResponse>");
}

TEST(EncodeOutput, UnknownKeysAreSkippedButReported) {
  json out = json::parse(R"({"Vpcs": [{"VpcId": "vpc-1", "Colour": "red", "Tags": "oops"}],
                             "Extra": 1})");
  std::string xml = ApiModel::Get().EncodeOutput("DescribeVpcs", out, "r");
  EXPECT_NE(xml.find("<vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet>"), std::string::npos)
      << xml;
  std::vector<std::string> unknown = ApiModel::Get().UnknownOutputKeys("DescribeVpcs", out);
  EXPECT_EQ(unknown, (std::vector<std::string>{"Extra", "Vpcs[0].Colour", "Vpcs[0].Tags (type)"}));
}

TEST(EncodeOutput, EscapesRequestIdAndControlCharacters) {
  std::string xml = ApiModel::Get().EncodeOutput(
      "CreateVpc", json::parse(R"({"Vpc": {"VpcId": "a\"b'c\r\u0001"}})"), "<id>");
  EXPECT_NE(xml.find("<requestId>&lt;id&gt;</requestId>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<vpc><vpcId>a&quot;b&apos;c&#xD;\xEF\xBF\xBD</vpcId></vpc>"),
            std::string::npos)
      << xml;
}

TEST(EncodeError, MatchesEc2Document) {
  Status s(err::kInvalidVpcIdNotFound, "The vpc ID 'vpc-<1>' does not exist");
  EXPECT_EQ(EncodeError(s, "req-9"),
            std::string(kDecl) +
                "<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code>"
                "<Message>The vpc ID &apos;vpc-&lt;1&gt;&apos; does not exist</Message></Error>"
                "</Errors><RequestID>req-9</RequestID></Response>");
}

TEST(EncodeError, ReplacesMalformedUtf8) {
  std::string xml = EncodeError(Status("UnknownParameter", "bad \xff key"), "r");
  EXPECT_NE(xml.find("<Message>bad \xEF\xBF\xBD key</Message>"), std::string::npos);
}

TEST(ParseFormUrlEncoded, DecodesPairsInOrder) {
  StatusOr<QueryParams> p = ParseFormUrlEncoded(
      "Action=DescribeVpcs&Filter.1.Name=tag%3AName&Filter.1.Value.1=a+b%2Bc"
      "&Empty=&NoEquals&=skipped&&Key%2e1=%e2%82%AC");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(*p, (QueryParams{{"Action", "DescribeVpcs"},
                             {"Filter.1.Name", "tag:Name"},
                             {"Filter.1.Value.1", "a b+c"},
                             {"Empty", ""},
                             {"NoEquals", ""},
                             {"Key.1", "\xe2\x82\xac"}}));
}

TEST(ParseFormUrlEncoded, EmptyBody) {
  StatusOr<QueryParams> p = ParseFormUrlEncoded("");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->empty());
}

TEST(ParseFormUrlEncoded, RejectsBadEscapes) {
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=1&b=%%41"}) {
    StatusOr<QueryParams> p = ParseFormUrlEncoded(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), "MalformedQueryString") << bad;
  }
}

}  // namespace
}  // namespace minivpc::ec2api
