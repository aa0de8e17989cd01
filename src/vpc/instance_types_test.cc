#include "vpc/instance_types.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace minivpc {
namespace {

const InstanceTypeInfo& Get(std::string_view name) {
  const InstanceTypeInfo* t = FindInstanceType(name);
  if (t == nullptr) {
    ADD_FAILURE() << "missing instance type " << name;
    static const InstanceTypeInfo kEmpty{};
    return kEmpty;
  }
  return *t;
}

TEST(InstanceTypes, T2MicroHasTwoEnisOfTwoAddresses) {
  const InstanceTypeInfo& t = Get("t2.micro");
  EXPECT_EQ(t.max_network_interfaces, 2);
  EXPECT_EQ(t.ipv4_per_interface, 2);
  EXPECT_EQ(t.ipv6_per_interface, 2);
  EXPECT_EQ(MaxPrivateIpv4Addresses(t), 4);
}

TEST(InstanceTypes, T3MicroHasTwoEnisOfTwoAddresses) {
  const InstanceTypeInfo& t = Get("t3.micro");
  EXPECT_EQ(t.max_network_interfaces, 2);
  EXPECT_EQ(t.ipv4_per_interface, 2);
  EXPECT_EQ(t.ipv6_per_interface, 2);
}

TEST(InstanceTypes, M5LargeHasThreeEnisOfTenAddresses) {
  const InstanceTypeInfo& t = Get("m5.large");
  EXPECT_EQ(t.max_network_interfaces, 3);
  EXPECT_EQ(t.ipv4_per_interface, 10);
  EXPECT_EQ(t.ipv6_per_interface, 10);
}

TEST(InstanceTypes, M5_24xlargeHasFifteenEnisOfFiftyAddresses) {
  const InstanceTypeInfo& t = Get("m5.24xlarge");
  EXPECT_EQ(t.max_network_interfaces, 15);
  EXPECT_EQ(t.ipv4_per_interface, 50);
  EXPECT_EQ(t.ipv6_per_interface, 50);
  EXPECT_EQ(MaxPrivateIpv4Addresses(t), 750);
}

TEST(InstanceTypes, C5_9xlargeHasEightEnisOfThirtyAddresses) {
  const InstanceTypeInfo& t = Get("c5.9xlarge");
  EXPECT_EQ(t.max_network_interfaces, 8);
  EXPECT_EQ(t.ipv4_per_interface, 30);
  EXPECT_EQ(t.ipv6_per_interface, 30);
}

// Published limits from AWS's "IP addresses per network interface per instance
// type" table: max ENIs, IPv4 per ENI, IPv6 per ENI.
struct Limits {
  std::string_view name;
  int enis, ipv4, ipv6;
};

TEST(InstanceTypes, MatchesPublishedEniAndAddressLimits) {
  const Limits kPublished[] = {
      {"t2.nano", 2, 2, 2},        {"t2.small", 3, 4, 4},      {"t2.medium", 3, 6, 6},
      {"t2.large", 3, 12, 12},     {"t2.xlarge", 3, 15, 15},   {"t2.2xlarge", 3, 15, 15},
      {"t3.nano", 2, 2, 2},        {"t3.small", 3, 4, 4},      {"t3.medium", 3, 6, 6},
      {"t3.large", 3, 12, 12},     {"t3.xlarge", 4, 15, 15},   {"t3.2xlarge", 4, 15, 15},
      {"m5.xlarge", 4, 15, 15},    {"m5.4xlarge", 8, 30, 30},  {"m5.12xlarge", 8, 30, 30},
      {"m5.16xlarge", 15, 50, 50}, {"m5.metal", 15, 50, 50},   {"c5.large", 3, 10, 10},
      {"c5.2xlarge", 4, 15, 15},   {"c5.12xlarge", 8, 30, 30}, {"c5.18xlarge", 15, 50, 50},
      {"c5.24xlarge", 15, 50, 50}, {"c5.metal", 15, 50, 50},   {"r5.large", 3, 10, 10},
      {"r5.xlarge", 4, 15, 15},    {"r5.8xlarge", 8, 30, 30},  {"r5.16xlarge", 15, 50, 50},
      {"r5.metal", 15, 50, 50},
  };
  for (const Limits& want : kPublished) {
    const InstanceTypeInfo& t = Get(want.name);
    EXPECT_EQ(t.max_network_interfaces, want.enis) << want.name;
    EXPECT_EQ(t.ipv4_per_interface, want.ipv4) << want.name;
    EXPECT_EQ(t.ipv6_per_interface, want.ipv6) << want.name;
  }
}

TEST(InstanceTypes, MatchesPublishedCpuAndMemory) {
  struct Spec {
    std::string_view name;
    int vcpus, cores, threads;
    int64_t mib;
  };
  const Spec kPublished[] = {
      {"t2.nano", 1, 1, 1, 512},        {"t2.2xlarge", 8, 8, 1, 32768},
      {"t3.nano", 2, 1, 2, 512},        {"t3.2xlarge", 8, 4, 2, 32768},
      {"m5.large", 2, 1, 2, 8192},      {"m5.metal", 96, 48, 2, 393216},
      {"c5.9xlarge", 36, 18, 2, 73728}, {"c5.18xlarge", 72, 36, 2, 147456},
      {"r5.large", 2, 1, 2, 16384},     {"r5.24xlarge", 96, 48, 2, 786432},
  };
  for (const Spec& want : kPublished) {
    const InstanceTypeInfo& t = Get(want.name);
    EXPECT_EQ(t.default_vcpus, want.vcpus) << want.name;
    EXPECT_EQ(t.default_cores, want.cores) << want.name;
    EXPECT_EQ(t.threads_per_core, want.threads) << want.name;
    EXPECT_EQ(t.memory_mib, want.mib) << want.name;
  }
}

TEST(InstanceTypes, MatchesPublishedNetworkPerformance) {
  EXPECT_EQ(Get("t2.micro").network_performance, "Low to Moderate");
  EXPECT_EQ(Get("t2.xlarge").network_performance, "Moderate");
  EXPECT_EQ(Get("t3.nano").network_performance, "Up to 5 Gigabit");
  EXPECT_EQ(Get("m5.large").network_performance, "Up to 10 Gigabit");
  EXPECT_EQ(Get("m5.16xlarge").network_performance, "20 Gigabit");
  EXPECT_EQ(Get("c5.18xlarge").network_performance, "25 Gigabit");
  EXPECT_EQ(Get("r5.8xlarge").network_performance, "10 Gigabit");
}

TEST(InstanceTypes, EveryListedSizeIsPresent) {
  const std::vector<std::string> t_sizes = {"nano",  "micro",  "small",  "medium",
                                            "large", "xlarge", "2xlarge"};
  const std::vector<std::string> m_r_sizes = {"large",    "xlarge",   "2xlarge",
                                              "4xlarge",  "8xlarge",  "12xlarge",
                                              "16xlarge", "24xlarge", "metal"};
  const std::vector<std::string> c_sizes = {"large",    "xlarge",   "2xlarge",
                                            "4xlarge",  "9xlarge",  "12xlarge",
                                            "18xlarge", "24xlarge", "metal"};
  std::set<std::string> expected;
  for (const auto& s : t_sizes) {
    expected.insert("t2." + s);
    expected.insert("t3." + s);
  }
  for (const auto& s : m_r_sizes) {
    expected.insert("m5." + s);
    expected.insert("r5." + s);
  }
  for (const auto& s : c_sizes) {
    expected.insert("c5." + s);
  }

  for (const std::string& name : expected) {
    EXPECT_NE(FindInstanceType(name), nullptr) << name;
  }
  EXPECT_EQ(AllInstanceTypes().size(), expected.size());
}

TEST(InstanceTypes, NamesAreUniqueAndSorted) {
  std::span<const InstanceTypeInfo> all = AllInstanceTypes();
  ASSERT_FALSE(all.empty());
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(all[i - 1].name, all[i].name) << "at index " << i;
  }
}

TEST(InstanceTypes, FindReturnsTheCatalogueEntry) {
  std::span<const InstanceTypeInfo> all = AllInstanceTypes();
  for (const InstanceTypeInfo& t : all) {
    EXPECT_EQ(FindInstanceType(t.name), &t) << t.name;
  }
}

TEST(InstanceTypes, UnknownTypeReturnsNullptr) {
  for (std::string_view bad :
       {"", "t2", "t2.", "t2.mega", "m5", "M5.LARGE", "m5.large ", "c5.8xlarge", "a", "zzz"}) {
    EXPECT_EQ(FindInstanceType(bad), nullptr) << "'" << bad << "'";
  }
}

TEST(InstanceTypes, VcpusAreCoresTimesThreads) {
  for (const InstanceTypeInfo& t : AllInstanceTypes()) {
    EXPECT_EQ(t.default_vcpus, t.default_cores * t.threads_per_core) << t.name;
  }
}

TEST(InstanceTypes, T2IsXenWithoutEnaAndOthersAreNitro) {
  for (const InstanceTypeInfo& t : AllInstanceTypes()) {
    const bool t2 = t.name.starts_with("t2.");
    if (t2) {
      EXPECT_EQ(t.hypervisor, "xen") << t.name;
      EXPECT_EQ(t.ena_support, "unsupported") << t.name;
      EXPECT_EQ(t.ebs_optimized_support, "unsupported") << t.name;
    } else {
      EXPECT_EQ(t.ena_support, "required") << t.name;
      EXPECT_EQ(t.ebs_optimized_support, "default") << t.name;
    }
    if (!t2 && !t.bare_metal) {
      EXPECT_EQ(t.hypervisor, "nitro") << t.name;
    }
  }
}

TEST(InstanceTypes, MetalTypesAreBareMetalWithNoHypervisor) {
  int metal = 0;
  for (const InstanceTypeInfo& t : AllInstanceTypes()) {
    EXPECT_EQ(t.bare_metal, t.name.ends_with(".metal")) << t.name;
    if (t.bare_metal) {
      ++metal;
      EXPECT_EQ(t.hypervisor, "") << t.name;
    }
  }
  EXPECT_EQ(metal, 3);  // m5, c5, r5
}

TEST(InstanceTypes, OnlyTFamiliesAreBurstable) {
  for (const InstanceTypeInfo& t : AllInstanceTypes()) {
    EXPECT_EQ(t.burstable, t.name.starts_with("t2.") || t.name.starts_with("t3.")) << t.name;
  }
}

TEST(InstanceTypes, OnlyT2MicroAndT3MicroAreFreeTierEligible) {
  for (const InstanceTypeInfo& t : AllInstanceTypes()) {
    EXPECT_EQ(t.free_tier_eligible, t.name == "t2.micro" || t.name == "t3.micro") << t.name;
  }
}

TEST(InstanceTypes, SmallT2SizesAlsoRun32BitX86) {
  const std::set<std::string_view> i386 = {"t2.nano", "t2.micro", "t2.small", "t2.medium"};
  for (const InstanceTypeInfo& t : AllInstanceTypes()) {
    EXPECT_EQ(t.supports_i386, i386.contains(t.name)) << t.name;
    EXPECT_TRUE(t.supports_x86_64) << t.name;
  }
}

TEST(InstanceTypes, AllSupportIpv6WithOneNetworkCard) {
  for (const InstanceTypeInfo& t : AllInstanceTypes()) {
    EXPECT_TRUE(t.ipv6_supported) << t.name;
    EXPECT_EQ(t.max_network_cards, 1) << t.name;
    EXPECT_GE(t.max_network_interfaces, 2) << t.name;
  }
}

}  // namespace
}  // namespace minivpc
