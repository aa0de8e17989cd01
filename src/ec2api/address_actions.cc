// Elastic IP actions: Allocate/Release/Associate/Disassociate/DescribeAddresses.
//
// The deprecated PublicIp members are accepted in place of AllocationId and
// AssociationId and resolved to the elastic IP that has that address.
#include "ec2api/action.h"
#include "ec2api/handler_util.h"
#include "vpc/addresses.h"

namespace minivpc::ec2api {
namespace {

const FilterPaths kAddressFilters = {
    {"allocation-id", "AllocationId"},
    {"association-id", "AssociationId"},
    {"domain", "Domain"},
    {"instance-id", "InstanceId"},
    {"network-border-group", "NetworkBorderGroup"},
    {"network-interface-id", "NetworkInterfaceId"},
    {"network-interface-owner-id", "NetworkInterfaceOwnerId"},
    {"private-ip-address", "PrivateIpAddress"},
    {"public-ip", "PublicIp"},
    {"public-ipv4-pool", "PublicIpv4Pool"},
};

json RenderAddress(const RegionState& r, const ElasticIp& e) {
  json out{{"AllocationId", e.id},
           {"PublicIp", e.public_ip.ToString()},
           {"Domain", "vpc"},
           {"PublicIpv4Pool", "amazon"},
           {"NetworkBorderGroup", e.network_border_group}};
  if (!e.association_id.empty()) {
    out["AssociationId"] = e.association_id;
    out["NetworkInterfaceId"] = e.network_interface_id;
    if (e.private_ip) out["PrivateIpAddress"] = e.private_ip->ToString();
    if (const NetworkInterface* eni = r.enis.Find(e.network_interface_id)) {
      out["NetworkInterfaceOwnerId"] = eni->owner_id;
      if (eni->attachment) out["InstanceId"] = eni->attachment->instance_id;
    }
  }
  if (!e.tags.empty()) out["Tags"] = TagsToJson(e.tags);
  return out;
}

// The elastic IP whose address is `text`, or InvalidAddress.NotFound.
StatusOr<const ElasticIp*> ByPublicIp(const RegionState& r, const std::string& text) {
  auto ip = IpAddress::ParseV4(text);
  const ElasticIp* eip = ip.ok() ? FindAddressByPublicIp(r, *ip) : nullptr;
  if (!eip) return Status(err::kInvalidAddressNotFound, "Address '" + text + "' not found.");
  return eip;
}

// input AllocationId, else the allocation of input PublicIp.
StatusOr<std::string> AllocationIdOf(const RegionState& r, const json& in) {
  std::string id = GetString(in, "AllocationId");
  if (!id.empty()) return id;
  std::string public_ip = GetString(in, "PublicIp");
  if (public_ip.empty()) {
    return Status(err::kMissingParameter, "Either public IP or allocation id must be specified");
  }
  MINIVPC_ASSIGN_OR_RETURN(const ElasticIp* eip, ByPublicIp(r, public_ip));
  return eip->id;
}

StatusOr<json> AllocateAddressHandler(Call& c) {
  AllocateAddressArgs args;
  args.domain = GetString(c.input, "Domain");
  args.address = GetString(c.input, "Address");
  args.public_ipv4_pool = GetString(c.input, "PublicIpv4Pool");
  args.network_border_group = GetString(c.input, "NetworkBorderGroup");
  MINIVPC_ASSIGN_OR_RETURN(args.tags, TagsFromSpecifications(c.input, "elastic-ip"));
  MINIVPC_ASSIGN_OR_RETURN(std::string id, AllocateAddress(c.region, args));
  const ElasticIp& e = *c.region.addresses.Find(id);
  return json{{"AllocationId", id},
              {"PublicIp", e.public_ip.ToString()},
              {"PublicIpv4Pool", "amazon"},
              {"NetworkBorderGroup", e.network_border_group},
              {"Domain", "vpc"}};
}

StatusOr<json> ReleaseAddressHandler(Call& c) {
  MINIVPC_ASSIGN_OR_RETURN(std::string id, AllocationIdOf(c.region, c.input));
  MINIVPC_RETURN_IF_ERROR(ReleaseAddress(c.region, id, GetString(c.input, "NetworkBorderGroup")));
  return json::object();
}

StatusOr<json> AssociateAddressHandler(Call& c) {
  AssociateAddressArgs args;
  MINIVPC_ASSIGN_OR_RETURN(args.allocation_id, AllocationIdOf(c.region, c.input));
  args.instance_id = GetString(c.input, "InstanceId");
  args.network_interface_id = GetString(c.input, "NetworkInterfaceId");
  args.private_ip_address = GetString(c.input, "PrivateIpAddress");
  args.allow_reassociation = GetOptBool(c.input, "AllowReassociation");
  MINIVPC_ASSIGN_OR_RETURN(std::string id, AssociateAddress(c.region, args));
  return json{{"AssociationId", id}};
}

StatusOr<json> DisassociateAddressHandler(Call& c) {
  std::string id = GetString(c.input, "AssociationId");
  if (id.empty()) {
    std::string public_ip = GetString(c.input, "PublicIp");
    if (public_ip.empty()) {
      return Status(err::kMissingParameter, "Either public IP or association id must be specified");
    }
    MINIVPC_ASSIGN_OR_RETURN(const ElasticIp* eip, ByPublicIp(c.region, public_ip));
    if (eip->association_id.empty()) return json::object();  // idempotent
    id = eip->association_id;
  }
  MINIVPC_RETURN_IF_ERROR(DisassociateAddress(c.region, id));
  return json::object();
}

StatusOr<json> DescribeAddressesHandler(Call& c) {
  static const DescribeSpec spec{
      &kAllocationKind,   "AllocationIds", "Addresses", &kAddressFilters, 5, 1000,
      /*paginated=*/false};
  auto render = [&](const ElasticIp& e) { return RenderAddress(c.region, e); };
  std::vector<std::string> public_ips = GetStrings(c.input, "PublicIps");
  if (public_ips.empty()) return Describe(c.region.addresses, c.input, spec, render);
  // PublicIps and AllocationIds both narrow the result.
  std::set<std::string> by_ip;
  for (const auto& text : public_ips) {
    MINIVPC_ASSIGN_OR_RETURN(const ElasticIp* eip, ByPublicIp(c.region, text));
    by_ip.insert(eip->id);
  }
  std::vector<std::string> allocation_ids = GetStrings(c.input, "AllocationIds");
  std::set<std::string> candidates = allocation_ids.empty() ? by_ip : std::set<std::string>{};
  for (const auto& id : allocation_ids) {
    if (!c.region.addresses.Contains(id)) return IdError(kAllocationKind, id);
    if (by_ip.count(id)) candidates.insert(id);
  }
  json in = c.input;
  in.erase("AllocationIds");
  return Describe(c.region.addresses, in, spec, render, &candidates);
}

}  // namespace

void RegisterAddressActions(ActionTable& t) {
  t["AllocateAddress"] = {Access::kWrite, AllocateAddressHandler};
  t["ReleaseAddress"] = {Access::kWrite, ReleaseAddressHandler};
  t["AssociateAddress"] = {Access::kWrite, AssociateAddressHandler};
  t["DisassociateAddress"] = {Access::kWrite, DisassociateAddressHandler};
  t["DescribeAddresses"] = {Access::kRead, DescribeAddressesHandler};
}

}  // namespace minivpc::ec2api
