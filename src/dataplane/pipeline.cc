#include "dataplane/pipeline.h"

#include <algorithm>
#include <string>

#include "dataplane/pipeline_internal.h"

namespace minivpc::dp {

using internal::KeyOf;
using internal::L4Key;

namespace {

// A subnet always has an ACL; an index of -1 (inconsistent rows) denies.
const CompiledNacl& NaclAt(const Snapshot& s, int32_t i) {
  if (i >= 0) return s.nacls[static_cast<size_t>(i)];
  static const CompiledNacl kDenyAll;  // (its guard is checked only here)
  return kDenyAll;
}

std::string Proto(uint8_t p) {
  switch (p) {
    case 6:
      return "tcp";
    case 17:
      return "udp";
    case 1:
      return "icmp";
    case 58:
      return "icmpv6";
    default:
      return std::to_string(p);
  }
}

}  // namespace

void Pipeline::Drop(Packet& p, DropReason r, int32_t eni) {
  ++drops_[static_cast<size_t>(r)];
  p.v.outcome = Outcome::kDropped;
  p.v.reason = r;
  p.v.eni = eni;
  // A full table may have room for the next packet.
  if (p.src_ct && r != DropReason::kConntrackFull) Remember(p.s, p);
}

void Pipeline::RecordFirstFragment(const PacketHeaders& h) {
  Fragment& f = fragments_[next_fragment_++ % fragments_.size()];
  f = {h.src.value(), h.dst.value(), h.fragment_id, h.protocol, true, h.src_port, h.dst_port};
}

bool Pipeline::FirstFragmentPorts(const PacketHeaders& h, uint16_t* sport, uint16_t* dport) const {
  for (const Fragment& f : fragments_) {
    if (f.used && f.id == h.fragment_id && f.proto == h.protocol && f.src == h.src.value() &&
        f.dst == h.dst.value()) {
      *sport = f.sport;
      *dport = f.dport;
      return true;
    }
  }
  return false;
}

Verdict Pipeline::Process(const Snapshot& s, const PacketHeaders& h, Ingress in, uint32_t now_s,
                          Explanation* why) {
  Verdict v;
  Run(s, h, in, now_s, why, RunHints{kNoBucket, nullptr, -1}, &v);
  return v;
}

void Pipeline::Run(const Snapshot& s, const PacketHeaders& h, Ingress in, uint32_t now_s,
                   Explanation* why, const RunHints& hints, Verdict* out) {
  *out = Verdict{};
  Packet p(s, h, in, now_s, why, hints, *out);
  p.v.src = h.src;
  p.v.dst = h.dst;
  if (why) {
    why->src_before = h.src.ToString();
    why->dst_before = h.dst.ToString();
  }
  if (!ResolveFragment(h, &p.sport, &p.dport)) {
    return Drop(p, DropReason::kFragmentWithoutFirst, -1);
  }
  p.key = L4Key(h.protocol, p.dport, h.icmp_type, h.icmp_code);
  if (h.protocol == 1 || h.protocol == 58)
    p.sport = p.dport = IcmpFlowType(h.protocol, h.icmp_type);
  if (in.kind == Ingress::kEni) {
    FromEni(s, p);
  } else {
    FromInternet(s, p);
  }
  if (p.v.delivered()) ++delivered_;
  if (why) {
    why->src_after = p.v.src.ToString();
    why->dst_after = p.v.dst.ToString();
  }
}

[[gnu::always_inline]] inline void Pipeline::FromEni(const Snapshot& s, Packet& p) {
  const int32_t a = p.in.index;
  if (a < 0 || a >= static_cast<int32_t>(s.enis.size())) {
    return Drop(p, DropReason::kEniNotActive, a);
  }
  const EniHot& A = s.hot[a];
  if (!A.active()) {
    if (p.why)
      p.Hop("network-interface", s.enis[a].id, "egress", "not attached to a running instance", "",
            false);
    return Drop(p, DropReason::kEniNotActive, a);
  }
  if (A.source_dest_check() && !A.Owns(p.src, s.enis[a])) {
    if (p.why)
      p.Hop("network-interface", s.enis[a].id, "egress",
            "source/destination check: " + p.src.ToString() + " is not this interface's address",
            "", false);
    return Drop(p, DropReason::kSourceDestCheck, a);
  }
  if (p.why) p.Hop("network-interface", s.enis[a].id, "egress", "sent by the interface");

  // Security groups, outbound, unless the packet belongs to a tracked flow.
  const SgClassifier& sg = s.classifiers[A.classifier];
  const FlowKey fk = KeyOf(p.src, p.dst, p.sport, p.dport, p.h.protocol, 1, A.key);
  const size_t bucket = p.src_bucket != kNoBucket ? p.src_bucket : ct_->Bucket(fk);
  bool reply = false;
  if (Conntrack::Entry* e = ct_->FindAt(fk, bucket, p.now, &reply)) {
    ct_->Touch(e, reply, p.now);
    p.v.established = true;
    p.src_ct = e;
    p.src_reply = reply;
    if (!p.why && Recall(s, p, fk)) return;
    if (p.why)
      p.Hop("security-group", "", "egress",
            reply ? "reply of a tracked connection" : "tracked connection");
  } else {
    // The owner of a local destination, when ProcessBurst found it.
    auto dst_groups = [&] { return s.GroupsOf(p.receiver_hint, A.vpc, p.dst); };
    if (!sg.Allows(Direction::kEgress, p.dst, p.h.protocol, p.key, dst_groups,
                   p.receiver_hint >= 0)) {
      if (p.why)
        p.Hop("security-group", s.enis[a].group_ids.empty() ? "" : s.enis[a].group_ids.front(),
              "egress",
              "no outbound rule allows " + Proto(p.h.protocol) + " to " + p.dst.ToString(), "",
              false);
      else
        RememberDenial(s, p, bucket);
      return Drop(p, DropReason::kSecurityGroup, a);
    }
    if (p.why) {
      const FlatRule* r =
          sg.FirstMatch(Direction::kEgress, p.dst, p.h.protocol, p.key, dst_groups());
      if (p.why)
        p.Hop("security-group", r ? r->group_id : "", "egress",
              "outbound rule allows " + Proto(p.h.protocol) + " to " +
                  (r ? (r->referenced_group_id.empty() ? r->remote.ToString()
                                                       : r->referenced_group_id)
                     : std::string("?")),
              r ? r->rule_id : "");
    }
    if (!sg.Untracked(p.h.family, p.h.protocol)) {
      p.src_ct = ct_->InsertAt(fk, bucket, p.now, p.probe);
      if (!p.src_ct) return Drop(p, DropReason::kConntrackFull, a);
    }
  }

  // Routing: the source subnet's route table, longest prefix match.
  const SubnetState& sub = s.subnets[A.subnet];
  const CompiledRouteTable* rt = sub.route_table >= 0 ? &s.route_tables[sub.route_table] : nullptr;
  const RouteTarget* t = p.route_hint ? p.route_hint : rt ? rt->Lookup(p.dst) : nullptr;
  if (!t) {
    if (p.why)
      p.Hop("route-table", rt ? rt->id : "", "", "no route to " + p.dst.ToString(), "", false);
    return Drop(p, DropReason::kNoRoute, a);
  }
  if (p.why) {
    const Route& route = rt->routes[t->route];
    const std::string& target =
        route.gateway_id.empty() ? route.network_interface_id : route.gateway_id;
    const bool blackhole = t->kind == RouteTarget::kBlackhole;
    p.Hop("route-table", rt->id, "",
          route.destination.ToString() + " -> " + target + (blackhole ? " (blackhole)" : ""),
          route.destination.ToString(), !blackhole);
  }
  if (t->kind == RouteTarget::kBlackhole) return Drop(p, DropReason::kBlackholeRoute, a);

  if (t->kind == RouteTarget::kInternetGateway) return ToInternet(s, p, a, t->index);
  // Local, or an ENI target.
  int32_t b = t->index;
  if (t->kind == RouteTarget::kLocal) {
    b = p.receiver_hint >= 0 ? p.receiver_hint : s.EniByAddress(A.vpc, p.dst);
    if (b < 0) {
      if (p.why)
        p.Hop("route-table", rt->id, "", "no network interface has " + p.dst.ToString(), "", false);
      return Drop(p, DropReason::kNoDestination, a);
    }
  }
  ToEni(s, p, A.subnet, b);
}

void Pipeline::ToEni(const Snapshot& s, Packet& p, int32_t from_subnet, int32_t b) {
  const EniHot& B = s.hot[b];
  // Network ACLs apply only between different subnets.
  if (from_subnet >= 0 && from_subnet != B.subnet) {
    const SubnetState& src = s.subnets[from_subnet];
    NaclMatch out = NaclAt(s, src.nacl_out).Evaluate(p.dst, p.h.protocol, p.key);
    if (p.why)
      p.Hop("network-acl", src.acl_id, "egress",
            std::string(out.allow ? "allow" : "deny") + " by rule " +
                (out.rule_number == 32767 ? std::string("*") : std::to_string(out.rule_number)),
            std::to_string(out.rule_number), out.allow);
    if (!out.allow)
      return Drop(p, DropReason::kNetworkAcl, p.in.kind == Ingress::kEni ? p.in.index : b);
  }
  if (from_subnet != B.subnet) {
    const SubnetState& dst = s.subnets[B.subnet];
    NaclMatch in = NaclAt(s, dst.nacl_in).Evaluate(p.src, p.h.protocol, p.key);
    if (p.why)
      p.Hop("network-acl", dst.acl_id, "ingress",
            std::string(in.allow ? "allow" : "deny") + " by rule " +
                (in.rule_number == 32767 ? std::string("*") : std::to_string(in.rule_number)),
            std::to_string(in.rule_number), in.allow);
    if (!in.allow) return Drop(p, DropReason::kNetworkAcl, b);
  }
  if (!B.active()) {
    if (p.why)
      p.Hop("network-interface", s.enis[b].id, "ingress", "not attached to a running instance", "",
            false);
    return Drop(p, DropReason::kEniNotActive, b);
  }
  bool owns = B.Owns(p.dst, s.enis[b]);
  if (B.source_dest_check() && !owns) {
    if (p.why)
      p.Hop("network-interface", s.enis[b].id, "ingress",
            "source/destination check: " + p.dst.ToString() + " is not this interface's address",
            "", false);
    return Drop(p, DropReason::kSourceDestCheck, b);
  }
  const FlowKey fk = KeyOf(p.src, p.dst, p.sport, p.dport, p.h.protocol, 0, B.key);
  p.dst_bucket = p.dst_bucket_of == b ? p.dst_bucket_hint : ct_->Bucket(fk);
  bool reply = false;
  if (Conntrack::Entry* e = ct_->FindAt(fk, p.dst_bucket, p.now, &reply)) {
    ct_->Touch(e, reply, p.now);
    p.v.established = true;
    p.dst_ct = e;
    p.dst_reply = reply;
    if (p.why)
      p.Hop("security-group", "", "ingress",
            reply ? "reply of a tracked connection" : "tracked connection");
  } else {
    const SgClassifier& sg = s.classifiers[B.classifier];
    // A sender whose source/destination check is on owns the source (FromEni).
    const int32_t sender =
        p.in.kind == Ingress::kEni && s.hot[p.in.index].source_dest_check() ? p.in.index : -1;
    auto src_groups = [&] { return s.GroupsOf(sender, B.vpc, p.src); };
    if (!sg.Allows(Direction::kIngress, p.src, p.h.protocol, p.key, src_groups, sender >= 0)) {
      if (p.why)
        p.Hop("security-group", s.enis[b].group_ids.empty() ? "" : s.enis[b].group_ids.front(),
              "ingress",
              "no inbound rule allows " + Proto(p.h.protocol) + " from " + p.src.ToString(), "",
              false);
      return Drop(p, DropReason::kSecurityGroup, b);
    }
    if (p.why) {
      const FlatRule* r =
          sg.FirstMatch(Direction::kIngress, p.src, p.h.protocol, p.key, src_groups());
      if (p.why)
        p.Hop("security-group", r ? r->group_id : "", "ingress",
              "inbound rule allows " + Proto(p.h.protocol) + " from " +
                  (r ? (r->referenced_group_id.empty() ? r->remote.ToString()
                                                       : r->referenced_group_id)
                     : std::string("?")),
              r ? r->rule_id : "");
    }
    if (!sg.Untracked(p.h.family, p.h.protocol)) {
      p.dst_ct = ct_->InsertAt(fk, p.dst_bucket, p.now, p.probe);
      if (!p.dst_ct) return Drop(p, DropReason::kConntrackFull, b);
    }
  }
  if (p.why)
    p.Hop("network-interface", s.enis[b].id, "ingress",
          owns ? "delivered" : "delivered for forwarding (source/destination check off)");
  p.v.outcome = Outcome::kDeliveredToEni;
  p.v.eni = b;
  p.v.forwarded = !owns;
  p.v.src = p.src;
  p.v.dst = p.dst;
  Remember(s, p);
}

void Pipeline::ToInternet(const Snapshot& s, Packet& p, int32_t from_eni, int32_t igw) {
  const EniHot& A = s.hot[from_eni];
  const SubnetState& sub = s.subnets[A.subnet];
  NaclMatch out = NaclAt(s, sub.nacl_out).Evaluate(p.dst, p.h.protocol, p.key);
  if (p.why)
    p.Hop("network-acl", sub.acl_id, "egress",
          std::string(out.allow ? "allow" : "deny") + " by rule " +
              (out.rule_number == 32767 ? std::string("*") : std::to_string(out.rule_number)),
          std::to_string(out.rule_number), out.allow);
  if (!out.allow) return Drop(p, DropReason::kNetworkAcl, from_eni);
  p.v.igw = igw;
  if (p.src.is_v4()) {
    const NatEntry* nat = s.NatByPrivate(A.vpc, p.src);
    if (!nat) {
      if (p.why)
        p.Hop("internet-gateway", s.igws[igw].id, "egress",
              p.src.ToString() + " has no public IPv4 address or elastic IP", "", false);
      return Drop(p, DropReason::kNoPublicIp, from_eni);
    }
    p.v.nat_src = true;
    p.v.src = nat->public_ip;
    if (p.why)
      p.Hop("internet-gateway", s.igws[igw].id, "egress",
            "source " + p.src.ToString() + " translated to " + nat->public_ip.ToString());
  } else {
    p.v.src = p.src;
    if (p.why) p.Hop("internet-gateway", s.igws[igw].id, "egress", "IPv6: no translation");
  }
  p.v.dst = p.dst;
  p.v.outcome = Outcome::kDeliveredToInternet;
  if (p.why) p.Hop("internet", "", "", "delivered to " + p.dst.ToString());
  Remember(s, p);
}

void Pipeline::FromInternet(const Snapshot& s, Packet& p) {
  const int32_t igw = p.in.index;
  if (igw < 0 || igw >= static_cast<int32_t>(s.igws.size())) {
    return Drop(p, DropReason::kGatewayNotAttached, -1);
  }
  const IgwState& G = s.igws[igw];
  p.v.igw = igw;
  int32_t b = -1;
  if (p.dst.is_v4()) {
    const NatEntry* nat = s.NatByPublic(p.dst);
    if (!nat) {
      if (p.why)
        p.Hop("internet-gateway", G.id, "ingress",
              p.dst.ToString() + " is not a public IPv4 of any interface", "", false);
      return Drop(p, DropReason::kNoNatMapping, -1);
    }
    if (G.vpc != nat->vpc) {
      if (p.why)
        p.Hop("internet-gateway", G.id, "ingress",
              "the gateway is not attached to the VPC of " + p.dst.ToString(), "", false);
      return Drop(p, DropReason::kGatewayNotAttached, nat->eni);
    }
    if (p.why)
      p.Hop("internet-gateway", G.id, "ingress",
            "destination " + p.dst.ToString() + " translated to " + nat->private_ip.ToString());
    p.dst = nat->private_ip;
    p.v.nat_dst = true;
    b = nat->eni;
  } else {
    int32_t vpc = s.VpcByIpv6(p.dst);
    if (vpc < 0 || G.vpc != vpc) {
      if (p.why)
        p.Hop("internet-gateway", G.id, "ingress",
              "no VPC behind this gateway has " + p.dst.ToString(), "", false);
      return Drop(p, vpc < 0 ? DropReason::kNoDestination : DropReason::kGatewayNotAttached, -1);
    }
    b = s.EniByAddress(vpc, p.dst);
    if (b < 0) {
      if (p.why)
        p.Hop("internet-gateway", G.id, "ingress", "no network interface has " + p.dst.ToString(),
              "", false);
      return Drop(p, DropReason::kNoDestination, -1);
    }
    if (p.why) p.Hop("internet-gateway", G.id, "ingress", "IPv6: no translation");
  }
  p.v.dst = p.dst;
  return ToEni(s, p, /*from_subnet=*/-1, b);
}

}  // namespace minivpc::dp
