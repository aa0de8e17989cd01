#include "vpc/network_acls.h"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <tuple>

#include "common/error_codes.h"
#include "vpc/lookups.h"

namespace minivpc {
namespace {

Status Invalid(std::string message) {
  return Status(err::kInvalidParameterValue, std::move(message));
}

Status Missing(const std::string& member) {
  return Status(err::kMissingParameter, "The request must contain the parameter " + member);
}

Status CheckRuleNumber(int64_t n) {
  if (n < 1 || n > kMaxAclRuleNumber) {
    return Invalid("Value (" + std::to_string(n) +
                   ") for parameter ruleNumber is invalid. Rule numbers must be between 1 and " +
                   std::to_string(kMaxAclRuleNumber) + ".");
  }
  return Status::Ok();
}

// "-1" or a protocol number 0..255, in canonical decimal.
StatusOr<std::string> NormalizeProtocol(const std::string& text) {
  if (text == "-1") return text;
  int n = -1;
  auto [next, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || next != text.data() + text.size() || n < 0 || n > 255) {
    return Invalid("Invalid value '" + text + "' for IP protocol. Unknown protocol.");
  }
  return std::to_string(n);
}

StatusOr<Cidr> ParseEntryCidr(const NetworkAclEntrySpec& s) {
  if (!s.cidr_block.empty() && !s.ipv6_cidr_block.empty()) {
    return Status(err::kInvalidParameterCombination,
                  "Only one of cidrBlock or ipv6CidrBlock may be specified.");
  }
  if (s.cidr_block.empty() && s.ipv6_cidr_block.empty()) {
    return Status(err::kMissingParameter, "Either cidrBlock or ipv6CidrBlock must be specified.");
  }
  bool v6 = !s.ipv6_cidr_block.empty();
  const std::string& text = v6 ? s.ipv6_cidr_block : s.cidr_block;
  StatusOr<Cidr> cidr = Cidr::Parse(text);
  if (!cidr.ok() || cidr->is_v6() != v6) {
    return Invalid("Value (" + text + ") for parameter " + (v6 ? "ipv6CidrBlock" : "cidrBlock") +
                   " is invalid. This is not a valid CIDR block.");
  }
  return *cidr;
}

Status SetPortRange(const NetworkAclEntrySpec& s, NetworkAclEntry& e) {
  if (!s.port_from) return Missing("portRange.from");
  if (!s.port_to) return Missing("portRange.to");
  if (*s.port_from < 0 || *s.port_from > 65535 || *s.port_to < 0 || *s.port_to > 65535 ||
      *s.port_from > *s.port_to) {
    return Invalid("Invalid value for portRange: from " + std::to_string(*s.port_from) + " to " +
                   std::to_string(*s.port_to) +
                   ". Ports must be 0..65535 with from not greater than to.");
  }
  e.port_from = static_cast<int>(*s.port_from);
  e.port_to = static_cast<int>(*s.port_to);
  return Status::Ok();
}

Status SetIcmp(const NetworkAclEntrySpec& s, NetworkAclEntry& e) {
  if (!s.icmp_type) return Missing("icmpTypeCode.type");
  if (!s.icmp_code) return Missing("icmpTypeCode.code");
  for (int64_t v : {*s.icmp_type, *s.icmp_code}) {
    if (v < -1 || v > 255) {
      return Invalid("Invalid value '" + std::to_string(v) +
                     "' for icmpTypeCode. ICMP types and codes are -1..255.");
    }
  }
  e.icmp_type = static_cast<int>(*s.icmp_type);
  e.icmp_code = static_cast<int>(*s.icmp_code);
  return Status::Ok();
}

StatusOr<NetworkAclEntry> BuildEntry(const NetworkAclEntrySpec& s) {
  MINIVPC_RETURN_IF_ERROR(CheckRuleNumber(s.rule_number));
  NetworkAclEntry e;
  e.rule_number = static_cast<int>(s.rule_number);
  e.egress = s.egress;
  MINIVPC_ASSIGN_OR_RETURN(e.protocol, NormalizeProtocol(s.protocol));
  if (s.rule_action != "allow" && s.rule_action != "deny") {
    return Invalid("Value (" + s.rule_action +
                   ") for parameter ruleAction is invalid. Valid values: allow, deny.");
  }
  e.allow = s.rule_action == "allow";
  MINIVPC_ASSIGN_OR_RETURN(e.cidr, ParseEntryCidr(s));
  // Fields the protocol ignores are dropped, as EC2 ignores them.
  if (e.protocol == "6" || e.protocol == "17") {
    MINIVPC_RETURN_IF_ERROR(SetPortRange(s, e));
  } else if (e.protocol == "1" || (e.protocol == "58" && e.cidr->is_v6())) {
    MINIVPC_RETURN_IF_ERROR(SetIcmp(s, e));
  }
  return e;
}

// Index of entry (rule_number, egress) in `acl`, if any.
std::optional<size_t> FindEntry(const NetworkAcl& acl, int rule_number, bool egress) {
  for (size_t i = 0; i < acl.entries.size(); ++i) {
    if (acl.entries[i].rule_number == rule_number && acl.entries[i].egress == egress) return i;
  }
  return std::nullopt;
}

Status EntryNotFound(int64_t rule_number, bool egress) {
  return Status(err::kInvalidNetworkAclEntryNotFound,
                "The network acl entry identified by " + std::to_string(rule_number) + " (" +
                    (egress ? "egress" : "ingress") + ") does not exist");
}

Status CheckEntryQuota(const NetworkAcl& acl) {
  for (bool egress : {false, true}) {
    for (bool v6 : {false, true}) {
      size_t n = std::count_if(acl.entries.begin(), acl.entries.end(), [&](const auto& e) {
        return e.egress == egress && e.cidr && e.cidr->is_v6() == v6;
      });
      if (n > kMaxAclEntriesPerDirection) {
        return Status(err::kNetworkAclEntryLimitExceeded,
                      "The maximum number of network ACL entries (" +
                          std::to_string(kMaxAclEntriesPerDirection) +
                          " per direction and address family) has been reached.");
      }
    }
  }
  return Status::Ok();
}

NetworkAclEntry ImplicitDeny(bool egress, const char* cidr) {
  return AllTrafficEntry(kImplicitAclRuleNumber, egress, cidr, false);
}

}  // namespace

NetworkAclEntry AllTrafficEntry(int rule_number, bool egress, const char* cidr, bool allow) {
  NetworkAclEntry e;
  e.rule_number = rule_number;
  e.egress = egress;
  e.protocol = "-1";
  e.allow = allow;
  e.cidr = Cidr::Parse(cidr).value();
  return e;
}

StatusOr<std::string> CreateNetworkAcl(RegionState& r, const std::string& vpc_id,
                                       const Tags& tags) {
  MINIVPC_ASSIGN_OR_RETURN(const Vpc* vpc, Lookup(r.vpcs, kVpcKind, vpc_id));
  size_t in_vpc = std::count_if(r.network_acls.rows().begin(), r.network_acls.rows().end(),
                                [&](const auto& kv) { return kv.second.vpc_id == vpc_id; });
  if (in_vpc >= kMaxAclsPerVpc) {
    return Status(err::kNetworkAclLimitExceeded,
                  "The maximum number of network ACLs for VPC '" + vpc_id + "' has been reached.");
  }
  NetworkAcl acl;
  acl.id = r.NewId("acl");
  acl.vpc_id = vpc->id;
  acl.owner_id = r.account_id;
  acl.tags = tags;
  std::string id = acl.id;
  r.network_acls.Put(std::move(acl));
  return id;
}

Status DeleteNetworkAcl(RegionState& r, const std::string& acl_id) {
  MINIVPC_ASSIGN_OR_RETURN(const NetworkAcl* acl, Lookup(r.network_acls, kAclKind, acl_id));
  if (acl->is_default) return Invalid("cannot delete default network ACL " + acl_id);
  if (!AssociatedSubnets(r, *acl).empty()) {
    return Status(err::kDependencyViolation,
                  "The networkAcl '" + acl_id + "' has dependencies and cannot be deleted.");
  }
  r.network_acls.Erase(acl_id);
  return Status::Ok();
}

Status CreateNetworkAclEntry(RegionState& r, const std::string& acl_id,
                             const NetworkAclEntrySpec& spec) {
  MINIVPC_ASSIGN_OR_RETURN(const NetworkAcl* acl, Lookup(r.network_acls, kAclKind, acl_id));
  MINIVPC_ASSIGN_OR_RETURN(NetworkAclEntry entry, BuildEntry(spec));
  if (FindEntry(*acl, entry.rule_number, entry.egress)) {
    return Status(err::kNetworkAclEntryAlreadyExists, "The network acl entry identified by " +
                                                          std::to_string(entry.rule_number) +
                                                          " already exists.");
  }
  NetworkAcl copy = *acl;
  copy.entries.push_back(std::move(entry));
  MINIVPC_RETURN_IF_ERROR(CheckEntryQuota(copy));
  r.network_acls.Put(std::move(copy));
  return Status::Ok();
}

Status ReplaceNetworkAclEntry(RegionState& r, const std::string& acl_id,
                              const NetworkAclEntrySpec& spec) {
  MINIVPC_ASSIGN_OR_RETURN(const NetworkAcl* acl, Lookup(r.network_acls, kAclKind, acl_id));
  MINIVPC_ASSIGN_OR_RETURN(NetworkAclEntry entry, BuildEntry(spec));
  std::optional<size_t> i = FindEntry(*acl, entry.rule_number, entry.egress);
  if (!i) return EntryNotFound(entry.rule_number, entry.egress);
  NetworkAcl copy = *acl;
  copy.entries[*i] = std::move(entry);
  MINIVPC_RETURN_IF_ERROR(CheckEntryQuota(copy));
  r.network_acls.Put(std::move(copy));
  return Status::Ok();
}

Status DeleteNetworkAclEntry(RegionState& r, const std::string& acl_id, int64_t rule_number,
                             bool egress) {
  MINIVPC_ASSIGN_OR_RETURN(const NetworkAcl* acl, Lookup(r.network_acls, kAclKind, acl_id));
  MINIVPC_RETURN_IF_ERROR(CheckRuleNumber(rule_number));
  std::optional<size_t> i = FindEntry(*acl, static_cast<int>(rule_number), egress);
  if (!i) return EntryNotFound(rule_number, egress);
  r.network_acls.Update(acl_id, [&](NetworkAcl& a) {
    a.entries.erase(a.entries.begin() + static_cast<std::ptrdiff_t>(*i));
  });
  return Status::Ok();
}

StatusOr<std::string> ReplaceNetworkAclAssociation(RegionState& r,
                                                   const std::string& association_id,
                                                   const std::string& acl_id) {
  const Subnet* subnet = nullptr;
  for (const auto& [id, s] : r.subnets.rows()) {
    if (s.network_acl_association_id == association_id) subnet = &s;
  }
  if (!subnet) {
    if (!IsWellFormedId(association_id, "aclassoc")) {
      return Status(err::kInvalidAssociationIdMalformed,
                    "Invalid id: \"" + association_id + "\" (expecting \"aclassoc-...\")");
    }
    return Status(err::kInvalidAssociationIdNotFound,
                  "The association ID '" + association_id + "' does not exist");
  }
  MINIVPC_ASSIGN_OR_RETURN(const NetworkAcl* acl, Lookup(r.network_acls, kAclKind, acl_id));
  if (acl->vpc_id != subnet->vpc_id) {
    return Invalid("Network ACL " + acl_id + " and subnet " + subnet->id +
                   " belong to different networks.");
  }
  std::string new_id = r.NewId("aclassoc");
  r.subnets.Update(subnet->id, [&](Subnet& s) {
    s.network_acl_id = acl_id;
    s.network_acl_association_id = new_id;
  });
  return new_id;
}

std::vector<NetworkAclEntry> EffectiveEntries(const RegionState& r, const NetworkAcl& acl) {
  const Vpc* vpc = r.vpcs.Find(acl.vpc_id);
  bool has_ipv6 = vpc && !vpc->ipv6_cidrs.empty();
  std::vector<NetworkAclEntry> sorted = acl.entries;
  auto key = [](const NetworkAclEntry& e) {
    return std::make_tuple(!e.egress, e.rule_number, e.cidr && e.cidr->is_v6());
  };
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const auto& a, const auto& b) { return key(a) < key(b); });
  std::vector<NetworkAclEntry> out;
  for (bool egress : {true, false}) {
    for (const auto& e : sorted) {
      if (e.egress == egress) out.push_back(e);
    }
    out.push_back(ImplicitDeny(egress, "0.0.0.0/0"));
    if (has_ipv6) out.push_back(ImplicitDeny(egress, "::/0"));
  }
  return out;
}

std::vector<const Subnet*> AssociatedSubnets(const RegionState& r, const NetworkAcl& acl) {
  std::vector<const Subnet*> out;
  auto it = r.subnets_by_vpc.find(acl.vpc_id);
  if (it == r.subnets_by_vpc.end()) return out;
  for (const auto& id : it->second) {
    const Subnet* s = r.subnets.Find(id);
    if (s && s->network_acl_id == acl.id) out.push_back(s);
  }
  return out;
}

}  // namespace minivpc
