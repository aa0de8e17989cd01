#include "live/host_names.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace minivpc::live {
namespace {

TEST(HostNames, TagIsFourCharactersAndFollowsTheStateFile) {
  HostNames a = HostNames::ForState("/var/lib/minivpc/a.db");
  EXPECT_EQ(a.tag.size(), 4u);
  EXPECT_EQ(a.tag.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz"), std::string::npos);
  EXPECT_EQ(HostNames::ForState("/var/lib/minivpc/a.db").tag, a.tag);
  EXPECT_NE(HostNames::ForState("/var/lib/minivpc/b.db").tag, a.tag);
}

TEST(HostNames, RelativeAndAbsolutePathsOfOneFileShareTheTag) {
  std::string abs = (std::filesystem::current_path() / "var" / "minivpc.db").string();
  EXPECT_EQ(HostNames::ForState("var/minivpc.db").tag, HostNames::ForState(abs).tag);
  EXPECT_EQ(HostNames::ForState("./var/../var/minivpc.db").tag, HostNames::ForState(abs).tag);
}

TEST(HostNames, InMemoryServersGetATagToo) {
  HostNames m = HostNames::ForState("");
  EXPECT_EQ(m.tag.size(), 4u);
  EXPECT_EQ(HostNames::ForState("").tag, m.tag);  // one process, one tag
}

TEST(HostNames, NamesCarryTheTagAndFitTheInterfaceNameLimit) {
  HostNames n{"k3x9"};
  EXPECT_EQ(n.InstanceNamespace("i-0123456789abcdef0"), "mv-k3x9-i-0123456789abcdef0");
  EXPECT_EQ(n.InternetNamespace(), "mv-k3x9-internet");
  EXPECT_EQ(n.EniTap("eni-0123456789abcdef0"), "mvk3x9012345678");
  EXPECT_EQ(n.EniTap("eni-0123456789abcdef0").size(), 15u);  // IFNAMSIZ - 1
  EXPECT_EQ(n.InternetTap(), "mvk3x9inet");
}

TEST(HostNames, NoInstanceNamespaceForAnUnknownInstance) {
  EXPECT_EQ(NamespaceOf("i-00000000000000000"), "");
}

}  // namespace
}  // namespace minivpc::live
