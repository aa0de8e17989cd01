#include "vpc/instance_types.h"

#include <algorithm>
#include <array>

namespace minivpc {
namespace {

// One row per type carries the numbers that vary by size; the family helpers
// below fill in what AWS reports identically for every size of a family
// (hypervisor, ENA, EBS optimisation, burstable credits, architectures). Every
// type in these families has one network card and supports IPv6, with as many
// IPv6 as IPv4 addresses per interface; the rows still list both columns as
// AWS's table does.

enum Extra : unsigned { kNone = 0, kI386 = 1, kFreeTier = 2 };

// t2: Xen, no ENA, not EBS-optimised, one thread per core.
constexpr InstanceTypeInfo T2(std::string_view name, int vcpus, int64_t mib, int enis, int ipv4,
                              int ipv6, std::string_view perf, unsigned extra) {
  return {.name = name,
          .default_vcpus = vcpus,
          .default_cores = vcpus,
          .threads_per_core = 1,
          .memory_mib = mib,
          .max_network_interfaces = enis,
          .ipv4_per_interface = ipv4,
          .ipv6_per_interface = ipv6,
          .ipv6_supported = true,
          .max_network_cards = 1,
          .network_performance = perf,
          .ena_support = "unsupported",
          .burstable = true,
          .bare_metal = false,
          .hypervisor = "xen",
          .current_generation = true,
          .free_tier_eligible = (extra & kFreeTier) != 0,
          .ebs_optimized_support = "unsupported",
          .supports_i386 = (extra & kI386) != 0,
          .supports_x86_64 = true};
}

// Nitro virtualised or bare metal, ENA required, EBS-optimised by default.
constexpr InstanceTypeInfo Nitro(std::string_view name, int vcpus, int cores, int64_t mib, int enis,
                                 int ipv4, int ipv6, std::string_view perf, bool burstable,
                                 bool current_generation, unsigned extra) {
  const bool metal = name.ends_with(".metal");
  return {.name = name,
          .default_vcpus = vcpus,
          .default_cores = cores,
          .threads_per_core = vcpus / cores,
          .memory_mib = mib,
          .max_network_interfaces = enis,
          .ipv4_per_interface = ipv4,
          .ipv6_per_interface = ipv6,
          .ipv6_supported = true,
          .max_network_cards = 1,
          .network_performance = perf,
          .ena_support = "required",
          .burstable = burstable,
          .bare_metal = metal,
          .hypervisor = metal ? "" : "nitro",
          .current_generation = current_generation,
          .free_tier_eligible = (extra & kFreeTier) != 0,
          .ebs_optimized_support = "default",
          .supports_i386 = (extra & kI386) != 0,
          .supports_x86_64 = true};
}

// t3: burstable Nitro, two threads per core, "Up to 5 Gigabit" at every size.
constexpr InstanceTypeInfo T3(std::string_view name, int vcpus, int cores, int64_t mib, int enis,
                              int ipv4, int ipv6, unsigned extra) {
  return Nitro(name, vcpus, cores, mib, enis, ipv4, ipv6, "Up to 5 Gigabit", /*burstable=*/true,
               /*current_generation=*/true, extra);
}

// m5, c5, r5: fixed-performance Nitro (see the header on current_generation).
constexpr InstanceTypeInfo Gen5(std::string_view name, int vcpus, int cores, int64_t mib, int enis,
                                int ipv4, int ipv6, std::string_view perf) {
  return Nitro(name, vcpus, cores, mib, enis, ipv4, ipv6, perf, /*burstable=*/false,
               /*current_generation=*/false, kNone);
}

constexpr std::string_view kLowMod = "Low to Moderate";
constexpr std::string_view kMod = "Moderate";
constexpr std::string_view kUpTo10 = "Up to 10 Gigabit";

// Sorted by name in byte order, as AWS lists them ("c5.12xlarge" < "c5.2xlarge").
// Columns: name, vCPUs, [cores,] MiB, ENIs, IPv4/ENI, IPv6/ENI, [performance].
constexpr std::array kTypes = {
    Gen5("c5.12xlarge", 48, 24, 98304, 8, 30, 30, "12 Gigabit"),
    Gen5("c5.18xlarge", 72, 36, 147456, 15, 50, 50, "25 Gigabit"),
    Gen5("c5.24xlarge", 96, 48, 196608, 15, 50, 50, "25 Gigabit"),
    Gen5("c5.2xlarge", 8, 4, 16384, 4, 15, 15, kUpTo10),
    Gen5("c5.4xlarge", 16, 8, 32768, 8, 30, 30, kUpTo10),
    Gen5("c5.9xlarge", 36, 18, 73728, 8, 30, 30, "12 Gigabit"),
    Gen5("c5.large", 2, 1, 4096, 3, 10, 10, kUpTo10),
    Gen5("c5.metal", 96, 48, 196608, 15, 50, 50, "25 Gigabit"),
    Gen5("c5.xlarge", 4, 2, 8192, 4, 15, 15, kUpTo10),

    Gen5("m5.12xlarge", 48, 24, 196608, 8, 30, 30, "12 Gigabit"),
    Gen5("m5.16xlarge", 64, 32, 262144, 15, 50, 50, "20 Gigabit"),
    Gen5("m5.24xlarge", 96, 48, 393216, 15, 50, 50, "25 Gigabit"),
    Gen5("m5.2xlarge", 8, 4, 32768, 4, 15, 15, kUpTo10),
    Gen5("m5.4xlarge", 16, 8, 65536, 8, 30, 30, kUpTo10),
    Gen5("m5.8xlarge", 32, 16, 131072, 8, 30, 30, "10 Gigabit"),
    Gen5("m5.large", 2, 1, 8192, 3, 10, 10, kUpTo10),
    Gen5("m5.metal", 96, 48, 393216, 15, 50, 50, "25 Gigabit"),
    Gen5("m5.xlarge", 4, 2, 16384, 4, 15, 15, kUpTo10),

    Gen5("r5.12xlarge", 48, 24, 393216, 8, 30, 30, "12 Gigabit"),
    Gen5("r5.16xlarge", 64, 32, 524288, 15, 50, 50, "20 Gigabit"),
    Gen5("r5.24xlarge", 96, 48, 786432, 15, 50, 50, "25 Gigabit"),
    Gen5("r5.2xlarge", 8, 4, 65536, 4, 15, 15, kUpTo10),
    Gen5("r5.4xlarge", 16, 8, 131072, 8, 30, 30, kUpTo10),
    Gen5("r5.8xlarge", 32, 16, 262144, 8, 30, 30, "10 Gigabit"),
    Gen5("r5.large", 2, 1, 16384, 3, 10, 10, kUpTo10),
    Gen5("r5.metal", 96, 48, 786432, 15, 50, 50, "25 Gigabit"),
    Gen5("r5.xlarge", 4, 2, 32768, 4, 15, 15, kUpTo10),

    T2("t2.2xlarge", 8, 32768, 3, 15, 15, kMod, kNone),
    T2("t2.large", 2, 8192, 3, 12, 12, kLowMod, kNone),
    T2("t2.medium", 2, 4096, 3, 6, 6, kLowMod, kI386),
    T2("t2.micro", 1, 1024, 2, 2, 2, kLowMod, kI386 | kFreeTier),
    T2("t2.nano", 1, 512, 2, 2, 2, kLowMod, kI386),
    T2("t2.small", 1, 2048, 3, 4, 4, kLowMod, kI386),
    T2("t2.xlarge", 4, 16384, 3, 15, 15, kMod, kNone),

    T3("t3.2xlarge", 8, 4, 32768, 4, 15, 15, kNone),
    T3("t3.large", 2, 1, 8192, 3, 12, 12, kNone),
    T3("t3.medium", 2, 1, 4096, 3, 6, 6, kNone),
    T3("t3.micro", 2, 1, 1024, 2, 2, 2, kFreeTier),
    T3("t3.nano", 2, 1, 512, 2, 2, 2, kNone),
    T3("t3.small", 2, 1, 2048, 3, 4, 4, kNone),
    T3("t3.xlarge", 4, 2, 16384, 4, 15, 15, kNone),
};

constexpr bool NameLess(const InstanceTypeInfo& a, const InstanceTypeInfo& b) {
  return a.name < b.name;
}

// Binary search depends on this; adjacent_find also rules out duplicates.
static_assert(std::is_sorted(kTypes.begin(), kTypes.end(), NameLess));
static_assert(std::adjacent_find(kTypes.begin(), kTypes.end(),
                                 [](const InstanceTypeInfo& a, const InstanceTypeInfo& b) {
                                   return a.name == b.name;
                                 }) == kTypes.end());

}  // namespace

const InstanceTypeInfo* FindInstanceType(std::string_view name) {
  auto it =
      std::lower_bound(kTypes.begin(), kTypes.end(), name,
                       [](const InstanceTypeInfo& t, std::string_view n) { return t.name < n; });
  if (it == kTypes.end() || it->name != name) {
    return nullptr;
  }
  return &*it;
}

std::span<const InstanceTypeInfo> AllInstanceTypes() { return kTypes; }

}  // namespace minivpc
