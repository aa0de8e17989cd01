#include "vpc/security_group_rules.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string_view>

#include "common/error_codes.h"
#include "vpc/lookups.h"
#include "vpc/security_groups.h"

namespace minivpc {
namespace {

constexpr size_t kMaxRuleDescriptionLength = 255;
constexpr std::string_view kRuleDescriptionPunctuation = ". _-:/()#,@[]+=&;{}!$*";

Status Invalid(std::string message) {
  return Status(err::kInvalidParameterValue, std::move(message));
}

Status DifferentNetworks() {
  return Status(err::kInvalidGroupNotFound,
                "You have specified two resources that belong to different networks.");
}

std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  auto [next, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || next != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

StatusOr<std::string> NormalizeProtocol(const std::string& text) {
  if (text.empty()) {
    return Invalid(
        "Invalid value 'null' for protocol. VPC security group rules must specify protocols "
        "explicitly.");
  }
  std::string p = text;
  std::transform(p.begin(), p.end(), p.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (p == "all" || p == "-1") return std::string("-1");
  if (p == "tcp" || p == "udp" || p == "icmp" || p == "icmpv6") return p;
  std::optional<int> n = ParseInt(p);
  if (!n || *n < 0 || *n > 255) {
    return Invalid("Invalid value '" + text + "' for IP protocol. Unknown protocol.");
  }
  switch (*n) {
    case 1:
      return std::string("icmp");
    case 6:
      return std::string("tcp");
    case 17:
      return std::string("udp");
    case 58:
      return std::string("icmpv6");
    default:
      return std::to_string(*n);
  }
}

Status SetTcpUdpPorts(SecurityGroupRule& rule, const IpPermissionSpec& p) {
  if (!p.from_port || !p.to_port) {
    return Invalid(
        "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.");
  }
  int64_t from = *p.from_port;
  int64_t to = *p.to_port;
  if (from == -1 && to == -1) {  // "all ports", as the CLI's --port all sends it
    from = 0;
    to = 65535;
  }
  if (from < 0 || from > 65535 || to < 0 || to > 65535) {
    return Invalid("Invalid TCP/UDP port range (" + std::to_string(from) + " to " +
                   std::to_string(to) + "). Ports must be between 0 and 65535.");
  }
  if (from > to) {
    return Invalid("Invalid TCP/UDP port range: the from port (" + std::to_string(from) +
                   ") is greater than the to port (" + std::to_string(to) + ").");
  }
  rule.from_port = static_cast<int>(from);
  rule.to_port = static_cast<int>(to);
  return Status::Ok();
}

Status SetIcmpTypeCode(SecurityGroupRule& rule, const IpPermissionSpec& p) {
  if (rule.ip_protocol == "icmp" && (!p.from_port || !p.to_port)) {
    return Invalid("Invalid value 'Must specify both ICMP type and code.' for icmpTypeCode.");
  }
  int64_t type = p.from_port.value_or(-1);
  int64_t code = p.to_port.value_or(-1);
  if (type < -1 || type > 255) {
    return Invalid("ICMP type (" + std::to_string(type) + ") is out of range -1..255.");
  }
  if (code < -1 || code > 255) {
    return Invalid("ICMP code (" + std::to_string(code) + ") is out of range -1..255.");
  }
  if (type == -1 && code != -1) {
    return Invalid("Invalid ICMP code " + std::to_string(code) +
                   ": all ICMP codes (-1) must be specified with all ICMP types (-1).");
  }
  rule.from_port = static_cast<int>(type);
  rule.to_port = static_cast<int>(code);
  return Status::Ok();
}

Status SetPorts(SecurityGroupRule& rule, const IpPermissionSpec& p) {
  const std::string& proto = rule.ip_protocol;
  if (proto == "tcp" || proto == "udp") return SetTcpUdpPorts(rule, p);
  if (proto == "icmp" || proto == "icmpv6") return SetIcmpTypeCode(rule, p);
  rule.from_port = -1;  // every other protocol covers all ports
  rule.to_port = -1;
  return Status::Ok();
}

Status CheckRuleDescription(const std::string& d) {
  auto ok = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           kRuleDescriptionPunctuation.find(c) != std::string_view::npos;
  };
  if (d.size() > kMaxRuleDescriptionLength || !std::all_of(d.begin(), d.end(), ok)) {
    return Invalid(
        "Invalid rule description. Valid descriptions are strings less than 256 characters from "
        "the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*");
  }
  return Status::Ok();
}

// A rule CIDR: like Cidr::Parse, but host bits are masked off as EC2 does.
StatusOr<Cidr> ParseRuleCidr(const std::string& text, IpFamily family) {
  Status bad = Invalid("CIDR block " + text + " is malformed");
  size_t slash = text.find('/');
  if (slash == std::string::npos) return bad;
  StatusOr<IpAddress> ip = IpAddress::Parse(std::string_view(text).substr(0, slash));
  std::optional<int> prefix = ParseInt(std::string_view(text).substr(slash + 1));
  if (!ip.ok() || ip->family() != family || !prefix || *prefix < 0 || *prefix > ip->bits()) {
    return bad;
  }
  IpAddress zero = family == IpFamily::kV4 ? IpAddress::V4(0) : IpAddress::V6(0);
  uint128 mask = Cidr::Of(zero, *prefix).Mask();
  uint128 base = ip->value() & mask;
  IpAddress masked =
      family == IpFamily::kV4 ? IpAddress::V4(static_cast<uint32_t>(base)) : IpAddress::V6(base);
  return Cidr::Of(masked, *prefix);
}

Status SetReferencedGroup(const RegionState& r, const SecurityGroup& g, const PermissionPeer& peer,
                          SecurityGroupRule& rule) {
  if (!peer.user_id.empty() && peer.user_id != r.account_id) return DifferentNetworks();
  MINIVPC_ASSIGN_OR_RETURN(std::string ref_id, ResolveGroup(r, peer.group_id, peer.group_name));
  const SecurityGroup* ref = r.security_groups.Find(ref_id);
  if (ref->vpc_id != g.vpc_id) return DifferentNetworks();
  rule.referenced_group_id = ref->id;
  rule.referenced_owner_id = ref->owner_id;
  return Status::Ok();
}

Status SetPeer(const RegionState& r, const SecurityGroup& g, const PermissionPeer& peer,
               SecurityGroupRule& rule) {
  bool has_group = !peer.group_id.empty() || !peer.group_name.empty();
  int kinds =
      !peer.cidr_ipv4.empty() + !peer.cidr_ipv6.empty() + has_group + !peer.prefix_list_id.empty();
  if (kinds == 0) {
    return Status(err::kMissingParameter,
                  "A rule must specify a CIDR block, a security group or a prefix list.");
  }
  if (kinds > 1) {
    return Status(err::kInvalidParameterCombination,
                  "A rule may specify only one of a CIDR block, a security group or a prefix "
                  "list.");
  }
  MINIVPC_RETURN_IF_ERROR(CheckRuleDescription(peer.description));
  rule.description = peer.description;
  if (!peer.cidr_ipv4.empty()) {
    MINIVPC_ASSIGN_OR_RETURN(rule.cidr, ParseRuleCidr(peer.cidr_ipv4, IpFamily::kV4));
    return Status::Ok();
  }
  if (!peer.cidr_ipv6.empty()) {
    MINIVPC_ASSIGN_OR_RETURN(rule.cidr, ParseRuleCidr(peer.cidr_ipv6, IpFamily::kV6));
    return Status::Ok();
  }
  if (!peer.prefix_list_id.empty()) {
    // minivpc has no managed prefix lists, so no id can name one.
    return Status(err::kInvalidPrefixListIdNotFound,
                  "The prefix list ID '" + peer.prefix_list_id + "' does not exist");
  }
  return SetReferencedGroup(r, g, peer, rule);
}

Status CheckQuota(const SecurityGroup& g) {
  for (bool egress : {false, true}) {
    int v4 = 0;
    int v6 = 0;
    for (const auto& rule : g.rules) {
      if (rule.is_egress != egress) continue;
      bool group_ref = !rule.cidr.has_value();  // counts for both families
      if (group_ref || rule.cidr->is_v4()) ++v4;
      if (group_ref || rule.cidr->is_v6()) ++v6;
    }
    if (v4 > kMaxRulesPerGroupDirection || v6 > kMaxRulesPerGroupDirection) {
      return Status(err::kRulesPerSecurityGroupLimitExceeded,
                    "The maximum number of rules per security group has been reached.");
    }
  }
  return Status::Ok();
}

Status DuplicateError(const SecurityGroupRule& rule) {
  return Status(err::kInvalidPermissionDuplicate,
                "the specified rule \"" + DescribeRule(rule) + "\" already exists");
}

// Index of rule `id` in `g`, or the NotFound/Malformed error.
StatusOr<size_t> RuleIndex(const SecurityGroup& g, const std::string& id) {
  for (size_t i = 0; i < g.rules.size(); ++i) {
    if (g.rules[i].id == id) return i;
  }
  return SecurityGroupRuleIdError(id);
}

bool InDefaultVpc(const RegionState& r, const SecurityGroup& g) {
  const Vpc* vpc = r.vpcs.Find(g.vpc_id);
  return vpc && vpc->is_default;
}

}  // namespace

Status SecurityGroupRuleIdError(const std::string& id) {
  if (!IsWellFormedId(id, "sgr")) {
    return Status(err::kInvalidSecurityGroupRuleIdMalformed,
                  "The security group rule ID '" + id + "' is malformed");
  }
  return Status(err::kInvalidSecurityGroupRuleIdNotFound,
                "The security group rule ID '" + id + "' does not exist");
}

bool SameRule(const SecurityGroupRule& a, const SecurityGroupRule& b) {
  return a.is_egress == b.is_egress && a.ip_protocol == b.ip_protocol &&
         a.from_port == b.from_port && a.to_port == b.to_port && a.cidr == b.cidr &&
         a.referenced_group_id == b.referenced_group_id;
}

std::string DescribeRule(const SecurityGroupRule& rule) {
  auto port = [](int p) { return p == -1 ? std::string("ALL") : std::to_string(p); };
  std::string text = "peer: " + (rule.cidr ? rule.cidr->ToString() : rule.referenced_group_id);
  const std::string& proto = rule.ip_protocol;
  if (proto == "-1") {
    text += ", ALL";
  } else if (proto == "tcp" || proto == "udp") {
    text += ", " + std::string(proto == "tcp" ? "TCP" : "UDP") +
            ", from port: " + std::to_string(rule.from_port) +
            ", to port: " + std::to_string(rule.to_port);
  } else if (proto == "icmp" || proto == "icmpv6") {
    text += ", " + std::string(proto == "icmp" ? "ICMP" : "ICMPV6") +
            ", type: " + port(rule.from_port) + ", code: " + port(rule.to_port);
  } else {
    text += ", " + proto;
  }
  return text + ", ALLOW";
}

StatusOr<std::vector<SecurityGroupRule>> ExpandPermissions(
    const RegionState& r, const SecurityGroup& group, bool egress,
    const std::vector<IpPermissionSpec>& perms) {
  std::vector<SecurityGroupRule> out;
  for (const auto& perm : perms) {
    SecurityGroupRule base;
    base.is_egress = egress;
    MINIVPC_ASSIGN_OR_RETURN(base.ip_protocol, NormalizeProtocol(perm.ip_protocol));
    MINIVPC_RETURN_IF_ERROR(SetPorts(base, perm));
    if (perm.peers.empty()) return SetPeer(r, group, PermissionPeer{}, base);  // MissingParameter
    for (const auto& peer : perm.peers) {
      SecurityGroupRule rule = base;
      MINIVPC_RETURN_IF_ERROR(SetPeer(r, group, peer, rule));
      for (const auto& earlier : out) {
        if (SameRule(earlier, rule)) {
          return Invalid("The same permission must not appear multiple times");
        }
      }
      out.push_back(std::move(rule));
    }
  }
  return out;
}

StatusOr<std::vector<SecurityGroupRule>> AuthorizeSecurityGroupRules(
    RegionState& r, const std::string& group_id, bool egress,
    const std::vector<IpPermissionSpec>& perms, const Tags& tags) {
  MINIVPC_ASSIGN_OR_RETURN(const SecurityGroup* g, Lookup(r.security_groups, kGroupKind, group_id));
  MINIVPC_ASSIGN_OR_RETURN(std::vector<SecurityGroupRule> rules,
                           ExpandPermissions(r, *g, egress, perms));
  SecurityGroup copy = *g;
  for (auto& rule : rules) {
    for (const auto& existing : copy.rules) {
      if (SameRule(existing, rule)) return DuplicateError(rule);
    }
    rule.id = r.NewId("sgr");
    rule.tags = tags;
    copy.rules.push_back(rule);
  }
  MINIVPC_RETURN_IF_ERROR(CheckQuota(copy));
  r.security_groups.Put(std::move(copy));
  return rules;
}

StatusOr<RevokeResult> RevokeSecurityGroupRules(RegionState& r, const std::string& group_id,
                                                bool egress,
                                                const std::vector<IpPermissionSpec>& perms) {
  MINIVPC_ASSIGN_OR_RETURN(const SecurityGroup* g, Lookup(r.security_groups, kGroupKind, group_id));
  MINIVPC_ASSIGN_OR_RETURN(std::vector<SecurityGroupRule> wanted,
                           ExpandPermissions(r, *g, egress, perms));
  RevokeResult result;
  std::vector<std::string> doomed;
  for (const auto& w : wanted) {
    auto it = std::find_if(g->rules.begin(), g->rules.end(),
                           [&](const SecurityGroupRule& rule) { return SameRule(rule, w); });
    if (it == g->rules.end()) {
      result.unknown.push_back(w);
    } else {
      result.revoked.push_back(*it);
      doomed.push_back(it->id);
    }
  }
  if (!result.unknown.empty() && !InDefaultVpc(r, *g)) {
    return Status(err::kInvalidPermissionNotFound,
                  "The specified rule does not exist in this security group.");
  }
  if (!doomed.empty()) {
    r.security_groups.Update(group_id, [&](SecurityGroup& s) {
      std::erase_if(s.rules, [&](const SecurityGroupRule& rule) {
        return std::find(doomed.begin(), doomed.end(), rule.id) != doomed.end();
      });
    });
  }
  return result;
}

StatusOr<RevokeResult> RevokeSecurityGroupRuleIds(RegionState& r, const std::string& group_id,
                                                  bool egress,
                                                  const std::vector<std::string>& rule_ids) {
  MINIVPC_ASSIGN_OR_RETURN(const SecurityGroup* g, Lookup(r.security_groups, kGroupKind, group_id));
  SecurityGroup copy = *g;
  RevokeResult result;
  for (const auto& id : rule_ids) {
    MINIVPC_ASSIGN_OR_RETURN(size_t i, RuleIndex(copy, id));
    if (copy.rules[i].is_egress != egress) return SecurityGroupRuleIdError(id);
    result.revoked.push_back(copy.rules[i]);
    copy.rules.erase(copy.rules.begin() + static_cast<std::ptrdiff_t>(i));
  }
  r.security_groups.Put(std::move(copy));
  return result;
}

Status ModifySecurityGroupRules(RegionState& r, const std::string& group_id,
                                const std::vector<RuleUpdate>& updates) {
  MINIVPC_ASSIGN_OR_RETURN(const SecurityGroup* g, Lookup(r.security_groups, kGroupKind, group_id));
  SecurityGroup copy = *g;
  for (const auto& u : updates) {
    MINIVPC_ASSIGN_OR_RETURN(size_t i, RuleIndex(copy, u.rule_id));
    if (u.rule.peers.size() != 1) {
      return Invalid("A security group rule update must describe exactly one rule.");
    }
    SecurityGroupRule& old = copy.rules[i];
    MINIVPC_ASSIGN_OR_RETURN(std::vector<SecurityGroupRule> expanded,
                             ExpandPermissions(r, *g, old.is_egress, {u.rule}));
    SecurityGroupRule updated = expanded.front();
    updated.id = old.id;
    updated.tags = old.tags;
    old = std::move(updated);
  }
  for (size_t i = 0; i < copy.rules.size(); ++i) {
    for (size_t j = i + 1; j < copy.rules.size(); ++j) {
      if (SameRule(copy.rules[i], copy.rules[j])) return DuplicateError(copy.rules[j]);
    }
  }
  MINIVPC_RETURN_IF_ERROR(CheckQuota(copy));
  r.security_groups.Put(std::move(copy));
  return Status::Ok();
}

}  // namespace minivpc
