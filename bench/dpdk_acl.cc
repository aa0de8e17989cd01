#include "dpdk_acl.h"

#include <rte_errno.h>

#include <cstddef>
#include <cstdlib>

namespace minivpc::bench {
namespace {

enum : uint8_t { kProtoField, kRemoteField, kKeyField, kZeroField, kFields };
RTE_ACL_RULE_DEF(AclRule, kFields);

rte_acl_config AclConfig() {
  rte_acl_config c{};
  c.num_categories = 1;
  c.num_fields = kFields;
  c.defs[0] = {RTE_ACL_FIELD_TYPE_BITMASK, 1, kProtoField, 0, offsetof(AclInput, proto)};
  c.defs[1] = {RTE_ACL_FIELD_TYPE_MASK, 4, kRemoteField, 1, offsetof(AclInput, remote)};
  c.defs[2] = {RTE_ACL_FIELD_TYPE_RANGE, 2, kKeyField, 2, offsetof(AclInput, key)};
  c.defs[3] = {RTE_ACL_FIELD_TYPE_RANGE, 2, kZeroField, 2, offsetof(AclInput, zero)};
  return c;
}

AclRule ToRule(const AclRuleSpec& s) {
  AclRule r{};
  r.data = {1, s.priority, s.userdata};
  r.field[kProtoField].value.u8 = static_cast<uint8_t>(s.proto < 0 ? 0 : s.proto);
  r.field[kProtoField].mask_range.u8 = s.proto < 0 ? 0 : 0xFF;
  r.field[kRemoteField].value.u32 = s.net;
  r.field[kRemoteField].mask_range.u32 = static_cast<uint32_t>(s.prefix);
  r.field[kKeyField].value.u16 = s.lo;
  r.field[kKeyField].mask_range.u16 = s.hi;
  r.field[kZeroField].value.u16 = 0;
  r.field[kZeroField].mask_range.u16 = 0xFFFF;
  return r;
}

// The key range a security-group rule allows (ports, or ICMP type/code),
// as dp::RulePorts computes it.
void SgKeys(const SecurityGroupRule& r, int proto, AclRuleSpec* s) {
  if ((proto == 6 || proto == 17) && r.from_port >= 0 && r.to_port >= 0) {
    s->lo = static_cast<uint16_t>(r.from_port);
    s->hi = static_cast<uint16_t>(r.to_port);
  } else if ((proto == 1 || proto == 58) && r.from_port >= 0) {
    uint16_t type = static_cast<uint16_t>((r.from_port & 0xFF) << 8);
    s->lo = r.to_port < 0 ? type : static_cast<uint16_t>(type | (r.to_port & 0xFF));
    s->hi = r.to_port < 0 ? static_cast<uint16_t>(type | 0xFF) : s->lo;
  }
}

}  // namespace

int ProtocolOf(const std::string& text) {
  if (text == "-1" || text == "all") return -1;
  if (text == "tcp") return 6;
  if (text == "udp") return 17;
  if (text == "icmp") return 1;
  if (text == "icmpv6") return 58;
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || v < -1 || v > 255) return -2;
  return static_cast<int>(v);
}

std::vector<AclRuleSpec> SgSpecs(const std::vector<const SecurityGroup*>& groups, bool egress,
                                 const GroupMembers& members) {
  std::vector<AclRuleSpec> out;
  for (const SecurityGroup* g : groups) {
    for (const auto& rule : g->rules) {
      int proto = ProtocolOf(rule.ip_protocol);
      if (rule.is_egress != egress || proto == -2) continue;
      AclRuleSpec s;
      s.proto = proto;
      SgKeys(rule, proto, &s);
      if (rule.cidr) {
        if (!rule.cidr->is_v4()) continue;
        s.net = rule.cidr->base().v4();
        s.prefix = rule.cidr->prefix();
        out.push_back(s);
      } else if (auto m = members.find(rule.referenced_group_id); m != members.end()) {
        s.prefix = 32;
        for (uint32_t a : m->second) {
          s.net = a;
          out.push_back(s);
        }
      }
    }
  }
  return out;
}

std::vector<AclRuleSpec> NaclSpecs(const NetworkAcl& acl, bool egress) {
  std::vector<AclRuleSpec> out;
  for (const auto& e : acl.entries) {
    int proto = ProtocolOf(e.protocol);
    if (e.egress != egress || !e.cidr || !e.cidr->is_v4() || proto == -2) continue;
    AclRuleSpec s;
    s.proto = proto;
    s.net = e.cidr->base().v4();
    s.prefix = e.cidr->prefix();
    s.priority = RTE_ACL_MAX_PRIORITY - e.rule_number;
    s.userdata = e.allow ? kAclAllow : kAclDeny;
    if ((proto == 6 || proto == 17) && e.port_from) {
      s.lo = static_cast<uint16_t>(*e.port_from);
      s.hi = static_cast<uint16_t>(e.port_to.value_or(65535));
    } else if ((proto == 1 || proto == 58) && e.icmp_type.value_or(-1) >= 0) {
      int code = e.icmp_code.value_or(-1);
      uint16_t type = static_cast<uint16_t>(*e.icmp_type << 8);
      s.lo = static_cast<uint16_t>(type | (code >= 0 ? code : 0));
      s.hi = static_cast<uint16_t>(type | (code >= 0 ? code : 0xFF));
    }
    out.push_back(s);
  }
  return out;
}

bool AllowsAll(const std::vector<AclRuleSpec>& specs, int proto) {
  for (const auto& s : specs) {
    if (s.prefix == 0 && (s.proto == -1 || (s.proto == proto && s.lo == 0 && s.hi == 0xFFFF))) {
      return true;
    }
  }
  return false;
}

bool NewAcl(const std::vector<AclRuleSpec>& specs, rte_acl_ctx** out, std::string* error) {
  static int serial = 0;  // context names must be unique
  *out = nullptr;
  if (specs.empty()) return true;
  std::string name = "acl" + std::to_string(serial++);
  rte_acl_param param{name.c_str(), SOCKET_ID_ANY, RTE_ACL_RULE_SZ(kFields),
                      static_cast<uint32_t>(specs.size())};
  rte_acl_ctx* ctx = rte_acl_create(&param);
  if (!ctx) {
    *error = "rte_acl_create: " + std::string(rte_strerror(rte_errno));
    return false;
  }
  std::vector<AclRule> rules;
  rules.reserve(specs.size());
  for (const auto& s : specs) rules.push_back(ToRule(s));
  int rc = rte_acl_add_rules(ctx, reinterpret_cast<const rte_acl_rule*>(rules.data()),
                             static_cast<uint32_t>(rules.size()));
  rte_acl_config cfg = AclConfig();
  if (rc == 0) rc = rte_acl_build(ctx, &cfg);
  if (rc != 0) {
    *error = name + ": " + rte_strerror(-rc);
    rte_acl_free(ctx);
    return false;
  }
  *out = ctx;
  return true;
}

}  // namespace minivpc::bench
