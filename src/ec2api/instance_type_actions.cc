// DescribeInstanceTypes, from the catalogue in vpc/instance_types.h.
#include "ec2api/handler_util.h"
#include "ec2api/instance_shapes.h"
#include "vpc/instance_types.h"

namespace minivpc::ec2api {
namespace {

const FilterPaths kTypeFilters = {
    {"auto-recovery-supported", "AutoRecoverySupported"},
    {"bare-metal", "BareMetal"},
    {"burstable-performance-supported", "BurstablePerformanceSupported"},
    {"current-generation", "CurrentGeneration"},
    {"ebs-info.ebs-optimized-support", "EbsInfo.EbsOptimizedSupport"},
    {"ebs-info.encryption-support", "EbsInfo.EncryptionSupport"},
    {"ebs-info.nvme-support", "EbsInfo.NvmeSupport"},
    {"free-tier-eligible", "FreeTierEligible"},
    {"hypervisor", "Hypervisor"},
    {"instance-storage-supported", "InstanceStorageSupported"},
    {"instance-type", "InstanceType"},
    {"memory-info.size-in-mib", "MemoryInfo.SizeInMiB"},
    {"network-info.efa-supported", "NetworkInfo.EfaSupported"},
    {"network-info.ena-support", "NetworkInfo.EnaSupport"},
    {"network-info.encryption-in-transit-supported", "NetworkInfo.EncryptionInTransitSupported"},
    {"network-info.ipv4-addresses-per-interface", "NetworkInfo.Ipv4AddressesPerInterface"},
    {"network-info.ipv6-addresses-per-interface", "NetworkInfo.Ipv6AddressesPerInterface"},
    {"network-info.ipv6-supported", "NetworkInfo.Ipv6Supported"},
    {"network-info.maximum-network-cards", "NetworkInfo.MaximumNetworkCards"},
    {"network-info.maximum-network-interfaces", "NetworkInfo.MaximumNetworkInterfaces"},
    {"network-info.network-performance", "NetworkInfo.NetworkPerformance"},
    {"placement-group-info.supported-strategies", "PlacementGroupInfo.SupportedStrategies"},
    {"processor-info.manufacturer", "ProcessorInfo.Manufacturer"},
    {"processor-info.supported-architecture", "ProcessorInfo.SupportedArchitectures"},
    {"supported-boot-mode", "SupportedBootModes"},
    {"supported-root-device-type", "SupportedRootDeviceTypes"},
    {"supported-usage-class", "SupportedUsageClasses"},
    {"supported-virtualization-type", "SupportedVirtualizationTypes"},
    {"vcpu-info.default-cores", "VCpuInfo.DefaultCores"},
    {"vcpu-info.default-threads-per-core", "VCpuInfo.DefaultThreadsPerCore"},
    {"vcpu-info.default-vcpus", "VCpuInfo.DefaultVCpus"},
};

json NetworkInfo(const InstanceTypeInfo& t) {
  std::string perf(t.network_performance);
  return {{"NetworkPerformance", perf},
          {"MaximumNetworkInterfaces", t.max_network_interfaces},
          {"MaximumNetworkCards", t.max_network_cards},
          {"DefaultNetworkCardIndex", 0},
          {"NetworkCards", json::array({{{"NetworkCardIndex", 0},
                                         {"NetworkPerformance", perf},
                                         {"MaximumNetworkInterfaces", t.max_network_interfaces}}})},
          {"Ipv4AddressesPerInterface", t.ipv4_per_interface},
          {"Ipv6AddressesPerInterface", t.ipv6_per_interface},
          {"Ipv6Supported", t.ipv6_supported},
          {"EnaSupport", std::string(t.ena_support)},
          {"EfaSupported", false},
          {"EncryptionInTransitSupported", false},
          {"EnaSrdSupported", false}};
}

json RenderInstanceType(const InstanceTypeInfo& t) {
  bool nitro = t.ena_support != "unsupported";
  json arch = json::array();
  if (t.supports_i386) arch.push_back("i386");
  if (t.supports_x86_64) arch.push_back("x86_64");
  json strategies = json::array({"partition", "spread"});
  if (!t.burstable) strategies.insert(strategies.begin(), "cluster");
  json out{{"InstanceType", std::string(t.name)},
           {"CurrentGeneration", t.current_generation},
           {"FreeTierEligible", t.free_tier_eligible},
           {"SupportedUsageClasses", json::array({"on-demand", "spot"})},
           {"SupportedRootDeviceTypes", json::array({"ebs"})},
           {"SupportedVirtualizationTypes", json::array({"hvm"})},
           {"BareMetal", t.bare_metal},
           {"ProcessorInfo", {{"SupportedArchitectures", arch}, {"Manufacturer", "Intel"}}},
           {"VCpuInfo",
            {{"DefaultVCpus", t.default_vcpus},
             {"DefaultCores", t.default_cores},
             {"DefaultThreadsPerCore", t.threads_per_core}}},
           {"MemoryInfo", {{"SizeInMiB", t.memory_mib}}},
           {"InstanceStorageSupported", false},
           {"EbsInfo",
            {{"EbsOptimizedSupport", std::string(t.ebs_optimized_support)},
             {"EncryptionSupport", "supported"},
             {"NvmeSupport", nitro ? "required" : "unsupported"}}},
           {"NetworkInfo", NetworkInfo(t)},
           {"PlacementGroupInfo", {{"SupportedStrategies", strategies}}},
           {"BurstablePerformanceSupported", t.burstable},
           {"AutoRecoverySupported", !t.bare_metal},
           {"SupportedBootModes",
            nitro ? json::array({"legacy-bios", "uefi"}) : json::array({"legacy-bios"})}};
  if (!t.hypervisor.empty()) out["Hypervisor"] = std::string(t.hypervisor);
  return out;
}

StatusOr<json> DescribeInstanceTypesHandler(Call& c) {
  std::vector<std::string> names = GetStrings(c.input, "InstanceTypes");
  std::string unknown;
  for (const auto& n : names) {
    if (FindInstanceType(n) == nullptr) unknown += (unknown.empty() ? "" : ", ") + n;
  }
  if (!unknown.empty()) {
    return Status(err::kInvalidInstanceType,
                  "The following supplied instance types do not exist: [" + unknown + "]");
  }
  MINIVPC_ASSIGN_OR_RETURN(std::vector<Filter> filters, ParseFilters(c.input));
  MINIVPC_ASSIGN_OR_RETURN(FilterSet filter_set, FilterSet::Compile(filters, kTypeFilters));
  std::vector<std::string> keys;
  std::vector<json> items;
  for (const InstanceTypeInfo& t : AllInstanceTypes()) {
    std::string name(t.name);
    if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) continue;
    json item = RenderInstanceType(t);
    if (!filter_set.Matches(item)) continue;
    keys.push_back(name);
    items.push_back(std::move(item));
  }
  MINIVPC_ASSIGN_OR_RETURN(Page page, Paginate(c.input, keys, 5, 100));
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(std::move(items[i]));
  json out{{"InstanceTypes", std::move(list)}};
  if (!page.next_token.empty()) out["NextToken"] = page.next_token;
  return out;
}

}  // namespace

void RegisterInstanceTypeActions(ActionTable& t) {
  t["DescribeInstanceTypes"] = {Access::kRead, DescribeInstanceTypesHandler};
}

}  // namespace minivpc::ec2api
