#include "dataplane/nacl.h"

#include <algorithm>

#include "dataplane/sg_classifier.h"

namespace minivpc::dp {

CompiledNacl CompiledNacl::Compile(const NetworkAcl& acl, bool egress) {
  std::vector<const NetworkAclEntry*> sorted;
  for (const auto& e : acl.entries) {
    if (e.egress == egress && e.cidr) sorted.push_back(&e);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->rule_number < b->rule_number; });
  CompiledNacl out;
  for (const auto* e : sorted) {
    Entry c{};
    c.net = e->cidr->base().value();
    c.mask = e->cidr->Mask();
    c.family = e->cidr->family();
    int proto = ProtocolNumber(e->protocol);
    c.protocol = static_cast<int16_t>(proto);
    c.allow = e->allow;
    c.rule_number = e->rule_number;
    if (proto == 6 || proto == 17) {
      c.has_range = e->port_from.has_value();
      c.lo = static_cast<uint16_t>(e->port_from.value_or(0));
      c.hi = static_cast<uint16_t>(e->port_to.value_or(65535));
    } else if (proto == 1 || proto == 58) {
      int type = e->icmp_type.value_or(-1);
      int code = e->icmp_code.value_or(-1);
      if (type >= 0) {
        c.has_range = true;
        c.lo = static_cast<uint16_t>(type << 8 | (code >= 0 ? code : 0));
        c.hi = static_cast<uint16_t>(type << 8 | (code >= 0 ? code : 0xFF));
      }
    }
    if (proto == -2) continue;  // unparseable protocol text matches nothing
    out.entries_.push_back(c);
  }
  return out;
}

}  // namespace minivpc::dp
