// RandomTopology::Mutate and the read-only lookups over the built state.
#include <algorithm>

#include "differential/random_topology.h"

namespace minivpc::difftest {
namespace {

std::string Str(int v) { return std::to_string(v); }

}  // namespace

void RandomTopology::Mutate() {
  MutateInstances();
  for (const auto& vpc : vpcs_) {
    for (const auto& eni : EnisOf(vpc.id)) MutateEni(vpc, eni);
    for (const auto& g : vpc.groups) {
      if (Chance(0.3)) AddGroupRules(vpc, g, 1 + static_cast<int>(Below(2)));
    }
    for (const auto& acl : vpc.acls) MutateAcl(vpc, acl);
    for (const auto& table : vpc.tables) {
      if (Chance(0.3)) AddRoutes(vpc, table, 1 + static_cast<int>(Below(2)));
    }
    MutateAssociations(vpc);
  }
  for (const auto& eni : standalone_enis_) {
    const NetworkInterface* row = region().enis.Find(eni);
    if (!row || !Chance(0.35)) continue;
    if (row->attachment) {
      Call("DetachNetworkInterface", {{"AttachmentId", row->attachment->id}, {"Force", "true"}});
    }
    if (Chance(0.6)) Call("DeleteNetworkInterface", {{"NetworkInterfaceId", eni}});
  }
  for (const auto& igw : igws_) {
    std::string vpc_id = region().internet_gateways.Find(igw)->vpc_id;
    if (!vpc_id.empty() && Chance(0.15)) {
      Call("DetachInternetGateway", {{"InternetGatewayId", igw}, {"VpcId", vpc_id}});
    } else if (vpc_id.empty() && Chance(0.3)) {
      Call("AttachInternetGateway", {{"InternetGatewayId", igw}, {"VpcId", Pick(vpcs_).id}});
    }
  }
  for (const auto& alloc : eips_) {
    std::vector<std::string> enis = EnisOf(Pick(vpcs_).id);
    if (enis.empty() || !Chance(0.25)) continue;
    Call("AssociateAddress", {{"AllocationId", alloc},
                              {"NetworkInterfaceId", Pick(enis)},
                              {"AllowReassociation", "true"}});
  }
}

void RandomTopology::MutateInstances() {
  std::vector<std::pair<std::string, std::string>> instances;  // id, state
  for (const auto& [id, inst] : region().instances.rows()) instances.push_back({id, inst.state});
  for (const auto& [id, state] : instances) {
    if (state == "running" && Chance(0.15)) Call("StopInstances", {{"InstanceId.1", id}});
    if (state == "stopped" && Chance(0.4)) Call("StartInstances", {{"InstanceId.1", id}});
    if (state != "terminated" && Chance(0.04)) Call("TerminateInstances", {{"InstanceId.1", id}});
  }
}

void RandomTopology::MutateEni(const VpcInfo& vpc, const std::string& eni) {
  if (Chance(0.25)) {
    Call("ModifyNetworkInterfaceAttribute",
         {{"NetworkInterfaceId", eni}, {"SourceDestCheck.Value", Chance(0.8) ? "false" : "true"}});
  }
  if (Chance(0.1)) {
    ec2api::QueryParams p = {{"NetworkInterfaceId", eni}};
    std::vector<std::string> groups = SomeGroups(vpc, 1 + static_cast<int>(Below(2)));
    for (size_t g = 0; g < groups.size(); ++g) {
      p.push_back({"SecurityGroupId." + Str(static_cast<int>(g) + 1), groups[g]});
    }
    Call("ModifyNetworkInterfaceAttribute", p);
  }
  if (Chance(0.1)) {
    Call("AssignPrivateIpAddresses",
         {{"NetworkInterfaceId", eni}, {"SecondaryPrivateIpAddressCount", "1"}});
  }
  if (Chance(0.1))
    Call("AssignIpv6Addresses", {{"NetworkInterfaceId", eni}, {"Ipv6AddressCount", "1"}});
  const NetworkInterface* row = region().enis.Find(eni);
  if (row->private_ips.size() > 1 && Chance(0.1)) {
    Call("UnassignPrivateIpAddresses",
         {{"NetworkInterfaceId", eni},
          {"PrivateIpAddress.1", row->private_ips.back().address.ToString()}});
  }
}

void RandomTopology::MutateAcl(const VpcInfo& vpc, const std::string& acl) {
  if (Chance(0.3)) AddAclEntries(vpc, acl, 1 + static_cast<int>(Below(2)));
  const NetworkAcl* row = region().network_acls.Find(acl);
  if (row->entries.empty() || !Chance(0.2)) return;
  NetworkAclEntry e = Pick(row->entries);
  Call("DeleteNetworkAclEntry", {{"NetworkAclId", acl},
                                 {"RuleNumber", Str(e.rule_number)},
                                 {"Egress", e.egress ? "true" : "false"}});
}

// Subnets fall back to the main table; another table becomes the main one.
void RandomTopology::MutateAssociations(const VpcInfo& vpc) {
  for (const auto& subnet : vpc.subnets) {
    std::string assoc = region().subnets.Find(subnet)->route_association_id;
    if (!assoc.empty() && Chance(0.15)) Call("DisassociateRouteTable", {{"AssociationId", assoc}});
  }
  if (vpc.tables.size() > 1 && Chance(0.2)) {
    Call("ReplaceRouteTableAssociation",
         {{"AssociationId", region().vpcs.Find(vpc.id)->main_association_id},
          {"RouteTableId", Pick(vpc.tables)}});
  }
}

std::vector<std::string> RandomTopology::EnisOf(const std::string& vpc_id) const {
  std::vector<std::string> out;
  for (const auto& [id, eni] : region().enis.rows()) {
    if (eni.vpc_id == vpc_id) out.push_back(id);
  }
  return out;
}

std::vector<std::string> RandomTopology::InstancesOf(const std::string& vpc_id,
                                                     bool with_one_eni) const {
  std::vector<std::string> out;
  for (const auto& [id, inst] : region().instances.rows()) {
    if (inst.vpc_id != vpc_id || inst.state == "terminated") continue;
    auto enis = region().enis_by_instance.find(id);
    if (with_one_eni && (enis == region().enis_by_instance.end() || enis->second.size() != 1)) {
      continue;
    }
    out.push_back(id);
  }
  return out;
}

std::vector<IpAddress> RandomTopology::AddressesOf(const std::string& vpc_id, bool v6) const {
  std::vector<IpAddress> out;
  for (const auto& [id, eni] : region().enis.rows()) {
    if (eni.vpc_id != vpc_id) continue;
    if (v6) {
      out.insert(out.end(), eni.ipv6_addresses.begin(), eni.ipv6_addresses.end());
    } else {
      for (const auto& p : eni.private_ips) out.push_back(p.address);
    }
  }
  return out;
}

std::vector<Cidr> RandomTopology::SubnetBlocks(const VpcInfo& vpc, bool v6) const {
  std::vector<Cidr> out;
  for (const auto& id : vpc.subnets) {
    const Subnet* s = region().subnets.Find(id);
    if (!v6) out.push_back(s->cidr);
    if (v6 && s->ipv6) out.push_back(s->ipv6->cidr);
  }
  return out;
}

std::vector<Cidr> RandomTopology::Ipv6Blocks() const {
  std::vector<Cidr> out;
  for (const auto& [id, vpc] : region().vpcs.rows()) {
    for (const auto& c : vpc.ipv6_cidrs) out.push_back(c.cidr);
  }
  return out;
}

std::vector<std::string> RandomTopology::SomeGroups(const VpcInfo& vpc, int n) {
  std::vector<std::string> groups = vpc.groups;
  std::shuffle(groups.begin(), groups.end(), rng_);
  groups.resize(std::min(groups.size(), static_cast<size_t>(n)));
  return groups;
}

std::string RandomTopology::GatewayOf(const std::string& vpc_id) const {
  for (const auto& [id, igw] : region().internet_gateways.rows()) {
    if (igw.vpc_id == vpc_id) return id;
  }
  return "";
}

}  // namespace minivpc::difftest
