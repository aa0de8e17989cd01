#include "vpc/lookups.h"

#include <gtest/gtest.h>

namespace minivpc {
namespace {

TEST(IdError, NotFoundMessagesUseEc2Wording) {
  // As EC2 answers, e.g. "The routeTable ID 'rtb-4fc866a0' does not exist".
  struct Case {
    const IdKind* kind;
    const char* id;
    const char* code;
    const char* message;
  };
  const Case cases[] = {
      {&kRouteTableKind, "rtb-4fc866a0", "InvalidRouteTableID.NotFound",
       "The routeTable ID 'rtb-4fc866a0' does not exist"},
      {&kAclKind, "acl-0804e62f77ad72b9c", "InvalidNetworkAclID.NotFound",
       "The networkAcl ID 'acl-0804e62f77ad72b9c' does not exist"},
      {&kVpcKind, "vpc-6de5e109", "InvalidVpcID.NotFound",
       "The vpc ID 'vpc-6de5e109' does not exist"},
      {&kEniKind, "eni-0123456789abcdef0", "InvalidNetworkInterfaceID.NotFound",
       "The networkInterface ID 'eni-0123456789abcdef0' does not exist"},
  };
  for (const auto& c : cases) {
    Status s = IdError(*c.kind, c.id);
    EXPECT_EQ(s.code(), c.code) << c.id;
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(IdError, MalformedIdsGetTheMalformedCode) {
  Status s = IdError(kRouteTableKind, "rtb-nat-gw-a");
  EXPECT_EQ(s.code(), "InvalidRouteTableId.Malformed");
  EXPECT_EQ(s.message(), "Invalid id: \"rtb-nat-gw-a\"");
  EXPECT_EQ(IdError(kAclKind, "acl-xyz").code(), "InvalidNetworkAclID.Malformed");
}

}  // namespace
}  // namespace minivpc
