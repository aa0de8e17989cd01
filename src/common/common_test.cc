#include <gtest/gtest.h>

#include "common/error_codes.h"
#include "common/random.h"
#include "common/status.h"

namespace minivpc {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2) return Status(err::kInvalidParameterValue, "odd");
  return x / 2;
}

Status UseHalf(int x, int* out) {
  MINIVPC_ASSIGN_OR_RETURN(int h, Half(x));
  *out = h;
  return Status::Ok();
}

TEST(Status, CarriesAwsCodeAndMessage) {
  Status s(err::kInvalidVpcIdNotFound, "The vpc ID 'vpc-1' does not exist");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), "InvalidVpcID.NotFound");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(StatusOr, AssignOrReturnPropagatesError) {
  int out = 0;
  EXPECT_TRUE(UseHalf(4, &out).ok());
  EXPECT_EQ(out, 2);
  Status s = UseHalf(3, &out);
  EXPECT_EQ(s.code(), "InvalidParameterValue");
  EXPECT_EQ(out, 2);
}

TEST(ErrorCodes, ClientErrorsAre4xx) {
  EXPECT_EQ(err::HttpStatusFor(err::kInvalidAction), 400);
  EXPECT_EQ(err::HttpStatusFor(err::kAuthFailure), 403);
  EXPECT_EQ(err::HttpStatusFor(err::kInternalError), 500);
}

TEST(Random, IdsHaveAwsFormat) {
  SystemRandom r(42);
  std::string id = r.NewId("vpc");
  ASSERT_EQ(id.size(), 4 + 17);
  EXPECT_EQ(id.substr(0, 4), "vpc-");
  for (char c : id.substr(4)) EXPECT_TRUE(isxdigit(c) && !isupper(c)) << id;
  SystemRandom r2(42);
  EXPECT_EQ(r2.NewId("vpc"), id);  // seeded: reproducible
}

TEST(Clock, FormatsIso8601Utc) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(1767225600123), "2026-01-01T00:00:00.123Z");
}

}  // namespace
}  // namespace minivpc
