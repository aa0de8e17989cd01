// The EC2 instance type catalogue: CPU, memory and, above all, the network
// interface and address limits that the VPC rules enforce.
//
//   const InstanceTypeInfo* t = FindInstanceType("m5.large");
//   if (t == nullptr) return Status(kInvalidParameterValue, "...");
//   if (eni_count >= t->max_network_interfaces) ...  // AttachmentLimitExceeded
//
// Data source. Every number is AWS's own, as returned by the EC2
// DescribeInstanceTypes API (VCpuInfo, MemoryInfo, NetworkInfo, ...) and as
// printed in the EC2 User Guide table "IP addresses per network interface per
// instance type" (docs.aws.amazon.com/AWSEC2/latest/UserGuide/AvailableIpPerENI.html).
// The rows were taken from three machine-generated copies of that API output
// and cross-checked: aws/amazon-vpc-cni-k8s pkg/awsutils/vpc_ip_resource_limit.go
// (ENI and IPv4 limits, hypervisor, bare metal; 2022), getmoto/moto
// moto/ec2/resources/instance_types.json (full records; the newest snapshot and
// the one preferred where they differ) and weldpua2008/aws.ec2.compare
// (full records; older). The ENI and IP limits agree wherever the copies
// overlap; network_performance strings follow the newest snapshot (AWS raised
// c5.9xlarge, m5.12xlarge and r5.12xlarge from "10 Gigabit" to "12 Gigabit").
//
// Two attributes are not fixed facts of the hardware, so they are recorded as
// a choice:
//  - current_generation: DescribeInstanceTypes reported true for m5, c5 and r5
//    until recently and now reports false (newest snapshot); we follow the
//    newest. t2 and t3 are current generation.
//  - free_tier_eligible: depends on the account and Region. We mark t2.micro
//    and t3.micro, the two types AWS offers under the classic 750-hour free
//    tier (t3.micro where t2 is unavailable).
//
// Families covered, each with every size AWS sells: t2, t3, m5, c5, r5.
//
// The table is a constant array in sorted order; lookups are a binary search
// with no allocation. All functions are thread safe and the returned pointers
// and span stay valid for the life of the program.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace minivpc {

struct InstanceTypeInfo {
  std::string_view name;  // e.g. "m5.large"

  // VCpuInfo. default_vcpus == default_cores * threads_per_core.
  int default_vcpus;
  int default_cores;
  int threads_per_core;

  int64_t memory_mib;  // MemoryInfo.SizeInMiB

  // NetworkInfo: the ENI and address limits. The per-interface IPv4 count
  // includes the primary private address.
  int max_network_interfaces;
  int ipv4_per_interface;
  int ipv6_per_interface;
  bool ipv6_supported;
  int max_network_cards;
  std::string_view network_performance;  // e.g. "Up to 10 Gigabit"
  std::string_view ena_support;          // "unsupported" | "supported" | "required"

  bool burstable;               // BurstablePerformanceSupported (T-family credits)
  bool bare_metal;              // *.metal
  std::string_view hypervisor;  // "xen" | "nitro"; "" for bare metal
  bool current_generation;
  bool free_tier_eligible;
  std::string_view ebs_optimized_support;  // "unsupported" | "supported" | "default"

  // ProcessorInfo.SupportedArchitectures.
  bool supports_i386;
  bool supports_x86_64;
};

// The type called `name` (exact, case-sensitive, as EC2 matches it), or
// nullptr if the catalogue has no such type.
const InstanceTypeInfo* FindInstanceType(std::string_view name);

// Every type, sorted by name (byte order). The storage is static.
std::span<const InstanceTypeInfo> AllInstanceTypes();

// The most private IPv4 addresses an instance of this type can hold across
// all its interfaces: max_network_interfaces * ipv4_per_interface.
inline int MaxPrivateIpv4Addresses(const InstanceTypeInfo& t) {
  return t.max_network_interfaces * t.ipv4_per_interface;
}

}  // namespace minivpc
