#include "vpc/vpcs.h"

#include <algorithm>

#include "common/error_codes.h"
#include "vpc/cloud.h"
#include "vpc/defaults.h"
#include "vpc/lookups.h"
#include "vpc/route_tables.h"

namespace minivpc {
namespace {

constexpr size_t kMaxIpv4CidrsPerVpc = 5;

Status CheckVpcPrefix(const Cidr& c, const std::string& text) {
  if (!c.is_v4() || c.prefix() < 16 || c.prefix() > 28) {
    return Status(err::kInvalidVpcRange, "The CIDR '" + text + "' is invalid.");
  }
  return Status::Ok();
}

void ForEachTableOfVpc(RegionState& r, const std::string& vpc_id,
                       const std::function<void(RouteTable&)>& f) {
  std::vector<std::string> ids;
  for (const auto& [id, rtb] : r.route_tables.rows()) {
    if (rtb.vpc_id == vpc_id) ids.push_back(id);
  }
  for (const auto& id : ids) r.route_tables.Update(id, f);
}

std::string DhcpOptionsId(RegionState& r) {
  const RegionMeta* meta = r.meta.Find("meta");
  if (meta && !meta->dhcp_options_id.empty()) return meta->dhcp_options_id;
  RegionMeta m = meta ? *meta : RegionMeta{};
  m.account_id = r.account_id;
  m.region = r.region;
  m.dhcp_options_id = r.NewId("dopt");
  r.meta.Put(m);
  return m.dhcp_options_id;
}

}  // namespace

StatusOr<std::string> CreateVpc(RegionState& r, const CreateVpcArgs& args) {
  MINIVPC_ASSIGN_OR_RETURN(Cidr cidr, Cidr::Parse(args.cidr_block));
  MINIVPC_RETURN_IF_ERROR(CheckVpcPrefix(cidr, args.cidr_block));
  if (args.instance_tenancy != "default" && args.instance_tenancy != "dedicated") {
    return Status(err::kInvalidParameterValue, "Value (" + args.instance_tenancy +
                                                   ") for parameter instanceTenancy is invalid.");
  }
  Vpc vpc;
  vpc.id = r.NewId("vpc");
  vpc.owner_id = r.account_id;
  vpc.cidr = cidr;
  vpc.cidrs.push_back({r.NewId("vpc-cidr-assoc"), cidr, "associated"});
  if (args.amazon_provided_ipv6) {
    MINIVPC_ASSIGN_OR_RETURN(Cidr block, r.cloud->AllocateIpv6Block());
    vpc.ipv6_cidrs.push_back({r.NewId("vpc-cidr-assoc"), block, "associated"});
  }
  vpc.dhcp_options_id = DhcpOptionsId(r);
  vpc.tenancy = args.instance_tenancy;
  vpc.tags = args.tags;

  RouteTable main = MakeMainRouteTable(r, vpc);
  NetworkAcl acl = MakeDefaultNetworkAcl(r, vpc);
  SecurityGroup sg = MakeDefaultSecurityGroup(r, vpc);
  vpc.main_route_table_id = main.id;
  vpc.main_association_id = r.NewId("rtbassoc");
  vpc.default_acl_id = acl.id;
  vpc.default_security_group_id = sg.id;
  r.vpcs.Put(vpc);
  r.route_tables.Put(std::move(main));
  r.network_acls.Put(std::move(acl));
  r.security_groups.Put(std::move(sg));
  return vpc.id;
}

Status DeleteVpc(RegionState& r, const std::string& vpc_id) {
  MINIVPC_ASSIGN_OR_RETURN(const Vpc* vpc, Lookup(r.vpcs, kVpcKind, vpc_id));
  auto dependency = [&](const std::string& what) {
    return Status(err::kDependencyViolation, "The vpc '" + vpc_id + "' has dependencies (" + what +
                                                 ") and cannot be deleted.");
  };
  if (r.subnets_by_vpc.count(vpc_id)) return dependency("subnets");
  for (const auto& [id, igw] : r.internet_gateways.rows()) {
    if (igw.vpc_id == vpc_id) return dependency("internet gateway " + id);
  }
  if (auto it = r.groups_by_vpc.find(vpc_id); it != r.groups_by_vpc.end()) {
    for (const auto& gid : it->second) {
      if (gid != vpc->default_security_group_id) return dependency("security group " + gid);
    }
  }
  for (const auto& [id, rtb] : r.route_tables.rows()) {
    if (rtb.vpc_id == vpc_id && id != vpc->main_route_table_id) {
      return dependency("route table " + id);
    }
  }
  for (const auto& [id, acl] : r.network_acls.rows()) {
    if (acl.vpc_id == vpc_id && id != vpc->default_acl_id) return dependency("network acl " + id);
  }
  for (const auto& [id, eni] : r.enis.rows()) {
    if (eni.vpc_id == vpc_id) return dependency("network interface " + id);
  }
  Vpc copy = *vpc;
  r.route_tables.Erase(copy.main_route_table_id);
  r.network_acls.Erase(copy.default_acl_id);
  r.security_groups.Erase(copy.default_security_group_id);
  r.vpcs.Erase(vpc_id);
  return Status::Ok();
}

Status ModifyVpcAttribute(RegionState& r, const std::string& vpc_id,
                          std::optional<bool> enable_dns_support,
                          std::optional<bool> enable_dns_hostnames) {
  MINIVPC_ASSIGN_OR_RETURN(const Vpc* vpc, Lookup(r.vpcs, kVpcKind, vpc_id));
  (void)vpc;
  if (enable_dns_support.has_value() == enable_dns_hostnames.has_value()) {
    return Status(err::kInvalidParameterCombination,
                  "Fields for multiple attribute types specified: enableDnsSupport, "
                  "enableDnsHostnames");
  }
  r.vpcs.Update(vpc_id, [&](Vpc& v) {
    if (enable_dns_support) v.enable_dns_support = *enable_dns_support;
    if (enable_dns_hostnames) v.enable_dns_hostnames = *enable_dns_hostnames;
  });
  return Status::Ok();
}

StatusOr<VpcCidrResult> AssociateVpcCidrBlock(RegionState& r, const std::string& vpc_id,
                                              const std::string& cidr_block, bool amazon_ipv6) {
  MINIVPC_ASSIGN_OR_RETURN(const Vpc* vpc, Lookup(r.vpcs, kVpcKind, vpc_id));
  if (amazon_ipv6 == !cidr_block.empty()) {
    return Status(err::kInvalidParameterCombination,
                  "Exactly one of CidrBlock or AmazonProvidedIpv6CidrBlock must be specified.");
  }
  VpcCidrResult result;
  result.vpc_id = vpc_id;
  if (amazon_ipv6) {
    if (!vpc->ipv6_cidrs.empty()) {
      return Status(err::kCidrConflict, "The vpc '" + vpc_id + "' already has an IPv6 CIDR block.");
    }
    MINIVPC_ASSIGN_OR_RETURN(Cidr block, r.cloud->AllocateIpv6Block());
    result.association = {r.NewId("vpc-cidr-assoc"), block, "associated"};
    result.ipv6 = true;
    r.vpcs.Update(vpc_id, [&](Vpc& v) { v.ipv6_cidrs.push_back(result.association); });
    AddIpv6DefaultRules(r, vpc_id);
  } else {
    MINIVPC_ASSIGN_OR_RETURN(Cidr cidr, Cidr::Parse(cidr_block));
    MINIVPC_RETURN_IF_ERROR(CheckVpcPrefix(cidr, cidr_block));
    if (vpc->cidrs.size() >= kMaxIpv4CidrsPerVpc) {
      return Status(err::kCidrLimitExceeded,
                    "This network '" + vpc_id + "' has met its maximum number of allowed CIDRs: 5");
    }
    for (const auto& a : vpc->cidrs) {
      if (a.cidr.Overlaps(cidr)) {
        return Status(err::kInvalidVpcRange,
                      "The CIDR '" + cidr_block + "' conflicts with another subnet");
      }
    }
    result.association = {r.NewId("vpc-cidr-assoc"), cidr, "associated"};
    r.vpcs.Update(vpc_id, [&](Vpc& v) { v.cidrs.push_back(result.association); });
  }
  Cidr block = result.association.cidr;
  ForEachTableOfVpc(r, vpc_id, [&](RouteTable& t) {
    bool present = std::any_of(t.routes.begin(), t.routes.end(), [&](const Route& rt) {
      return IsLocalRoute(rt) && rt.destination == block;
    });
    if (!present) t.routes.push_back(LocalRoute(block));
  });
  return result;
}

StatusOr<VpcCidrResult> DisassociateVpcCidrBlock(RegionState& r,
                                                 const std::string& association_id) {
  for (const auto& [vpc_id, vpc] : r.vpcs.rows()) {
    for (bool v6 : {false, true}) {
      const auto& list = v6 ? vpc.ipv6_cidrs : vpc.cidrs;
      for (size_t i = 0; i < list.size(); ++i) {
        if (list[i].association_id != association_id) continue;
        if (!v6 && i == 0) {
          return Status(err::kOperationNotPermitted,
                        "The vpc CIDR block with association ID " + association_id +
                            " may not be disassociated. It is the primary IPv4 CIDR block of "
                            "the VPC");
        }
        VpcCidrResult result{vpc_id, list[i], v6};
        Cidr block = list[i].cidr;
        for (const auto& sid : r.subnets_by_vpc[vpc_id]) {
          const Subnet* s = r.subnets.Find(sid);
          bool used = v6 ? (s->ipv6 && block.Contains(s->ipv6->cidr)) : block.Contains(s->cidr);
          if (used) {
            return Status(err::kInvalidCidrBlockInUse,
                          "The vpc CIDR block with association ID " + association_id +
                              " may not be disassociated. It has subnets.");
          }
        }
        std::string vid = vpc_id;
        r.vpcs.Update(vid, [&](Vpc& v) {
          auto& l = v6 ? v.ipv6_cidrs : v.cidrs;
          l.erase(l.begin() + static_cast<std::ptrdiff_t>(i));
        });
        ForEachTableOfVpc(r, vid, [&](RouteTable& t) {
          // The block's local route goes even if its target was replaced
          // by a network interface.
          std::erase_if(t.routes, [&](const Route& rt) {
            return IsLocalRoute(rt) && rt.destination == block;
          });
        });
        result.association.state = "disassociating";
        return result;
      }
    }
  }
  return Status(err::kInvalidCidrBlockAssociationIdNotFound,
                "The vpc CIDR block association ID '" + association_id + "' does not exist");
}

StatusOr<std::string> CreateDefaultVpc(RegionState& r) {
  std::string existing = DefaultVpcId(r);
  if (!existing.empty()) {
    return Status(err::kDefaultVpcAlreadyExists,
                  "A Default VPC already exists for this account in this region.");
  }
  CreateVpcArgs args;
  args.cidr_block = "172.31.0.0/16";
  MINIVPC_ASSIGN_OR_RETURN(std::string vpc_id, CreateVpc(r, args));
  r.vpcs.Update(vpc_id, [](Vpc& v) {
    v.is_default = true;
    v.enable_dns_hostnames = true;
  });
  const Vpc& vpc = *r.vpcs.Find(vpc_id);

  InternetGateway igw;
  igw.id = r.NewId("igw");
  igw.owner_id = r.account_id;
  igw.vpc_id = vpc_id;
  r.internet_gateways.Put(igw);
  Route to_igw;
  to_igw.destination = Cidr::Parse("0.0.0.0/0").value();
  to_igw.gateway_id = igw.id;
  to_igw.origin = "CreateRoute";
  r.route_tables.Update(vpc.main_route_table_id,
                        [&](RouteTable& t) { t.routes.push_back(to_igw); });

  const auto& zones = r.availability_zones();
  for (size_t i = 0; i < zones.size(); ++i) {
    Subnet s;
    s.id = r.NewId("subnet");
    s.vpc_id = vpc_id;
    s.owner_id = r.account_id;
    s.availability_zone = zones[i];
    s.cidr = vpc.cidr.Subnet(20, i);
    s.map_public_ip_on_launch = true;
    s.default_for_az = true;
    s.network_acl_id = vpc.default_acl_id;
    s.network_acl_association_id = r.NewId("aclassoc");
    r.subnets.Put(std::move(s));
  }
  return vpc_id;
}

std::string DefaultVpcId(const RegionState& r) {
  for (const auto& [id, vpc] : r.vpcs.rows()) {
    if (vpc.is_default) return id;
  }
  return "";
}

}  // namespace minivpc
