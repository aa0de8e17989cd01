#include "vpc/internet_gateways.h"

#include "common/error_codes.h"
#include "vpc/lookups.h"

namespace minivpc {

StatusOr<std::string> CreateInternetGateway(RegionState& r, const Tags& tags) {
  if (r.internet_gateways.size() >= kMaxInternetGatewaysPerRegion) {
    return Status(err::kInternetGatewayLimitExceeded,
                  "The maximum number of internet gateways has been reached.");
  }
  InternetGateway igw;
  igw.id = r.NewId("igw");
  igw.owner_id = r.account_id;
  igw.tags = tags;
  r.internet_gateways.Put(igw);
  return igw.id;
}

Status DeleteInternetGateway(RegionState& r, const std::string& igw_id) {
  MINIVPC_ASSIGN_OR_RETURN(const InternetGateway* igw,
                           Lookup(r.internet_gateways, kIgwKind, igw_id));
  if (!igw->vpc_id.empty()) {
    return Status(err::kDependencyViolation,
                  "The internetGateway '" + igw_id + "' has dependencies and cannot be deleted.");
  }
  r.internet_gateways.Erase(igw_id);
  return Status::Ok();
}

Status AttachInternetGateway(RegionState& r, const std::string& igw_id, const std::string& vpc_id) {
  MINIVPC_ASSIGN_OR_RETURN(const InternetGateway* igw,
                           Lookup(r.internet_gateways, kIgwKind, igw_id));
  MINIVPC_RETURN_IF_ERROR(Lookup(r.vpcs, kVpcKind, vpc_id).status());
  if (!igw->vpc_id.empty()) {
    return Status(err::kResourceAlreadyAssociated,
                  "resource " + igw_id + " is already attached to network " + igw->vpc_id);
  }
  if (const InternetGateway* other = AttachedInternetGateway(r, vpc_id)) {
    return Status(
        err::kResourceAlreadyAssociated,
        "Network " + vpc_id + " already has an internet gateway attached (" + other->id + ")");
  }
  r.internet_gateways.Update(igw_id, [&](InternetGateway& g) { g.vpc_id = vpc_id; });
  return Status::Ok();
}

Status DetachInternetGateway(RegionState& r, const std::string& igw_id, const std::string& vpc_id) {
  MINIVPC_ASSIGN_OR_RETURN(const InternetGateway* igw,
                           Lookup(r.internet_gateways, kIgwKind, igw_id));
  MINIVPC_RETURN_IF_ERROR(Lookup(r.vpcs, kVpcKind, vpc_id).status());
  if (igw->vpc_id != vpc_id) {
    return Status(err::kGatewayNotAttached,
                  "resource " + igw_id + " is not attached to network " + vpc_id);
  }
  if (VpcHasMappedPublicAddresses(r, vpc_id)) {
    return Status(err::kDependencyViolation,
                  "Network " + vpc_id +
                      " has some mapped public address(es). Please unmap those public "
                      "address(es) before detaching the gateway.");
  }
  r.internet_gateways.Update(igw_id, [](InternetGateway& g) { g.vpc_id.clear(); });
  return Status::Ok();
}

const InternetGateway* AttachedInternetGateway(const RegionState& r, const std::string& vpc_id) {
  if (vpc_id.empty()) return nullptr;
  for (const auto& [id, igw] : r.internet_gateways.rows()) {
    if (igw.vpc_id == vpc_id) return &igw;
  }
  return nullptr;
}

bool VpcHasMappedPublicAddresses(const RegionState& r, const std::string& vpc_id) {
  auto subnets = r.subnets_by_vpc.find(vpc_id);
  if (subnets == r.subnets_by_vpc.end()) return false;
  for (const auto& subnet_id : subnets->second) {
    auto enis = r.enis_by_subnet.find(subnet_id);
    if (enis == r.enis_by_subnet.end()) continue;
    for (const auto& eni_id : enis->second) {
      const NetworkInterface* eni = r.enis.Find(eni_id);
      if (!eni) continue;
      for (const auto& ip : eni->private_ips) {
        if (ip.association) return true;
      }
    }
  }
  return false;
}

}  // namespace minivpc
