#include "dataplane/pipeline.h"

#include <algorithm>
#include <string>

namespace minivpc::dp {

struct Pipeline::Packet {
  const Snapshot& s;
  const PacketHeaders& h;
  Ingress in;
  uint32_t now;
  Explanation* why;
  IpAddress src;
  IpAddress dst;
  uint16_t sport;
  uint16_t dport;
  uint16_t key;  // destination port, or ICMP type*256+code
  Verdict v;
  // Connection-tracking entries this packet matched or created, so the
  // decision can be remembered for the flow's next packets.
  Conntrack::Entry* src_ct = nullptr;
  bool src_reply = false;
  Conntrack::Entry* dst_ct = nullptr;
  bool dst_reply = false;
  size_t src_bucket;      // Conntrack::Bucket of the sender's flow key, if known
  size_t dst_bucket = 0;  // the receiver's, once computed
  void Hop(const char* component, const std::string& id, const char* dir, std::string detail,
           std::string rule = "", bool allowed = true) {
    if (why) why->hops.push_back({component, id, dir, std::move(detail), std::move(rule), allowed});
  }
};

namespace {

// A subnet always has an ACL; an index of -1 (inconsistent rows) denies.
const CompiledNacl& NaclAt(const Snapshot& s, int32_t i) {
  static const CompiledNacl kDenyAll;
  return i >= 0 ? s.nacls[static_cast<size_t>(i)] : kDenyAll;
}

FlowKey KeyOf(IpAddress src, IpAddress dst, uint16_t sport, uint16_t dport, uint8_t proto,
              uint8_t egress, uint64_t eni) {
  return {src.value(), dst.value(), sport, dport, proto, static_cast<uint8_t>(src.family()),
          egress,      eni};
}

uint16_t L4Key(uint8_t proto, uint16_t dport, uint8_t type, uint8_t code) {
  if (proto == 6 || proto == 17) return dport;
  if (proto == 1 || proto == 58) return static_cast<uint16_t>(type << 8 | code);
  return 0;
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

// Stores the verdict on the source ENI's flow entry, for the flow's next
// packets in this direction (see Conntrack::CachedDecision). Every verdict
// reached after the sender's flow entry is deterministic for a snapshot,
// but for the receiver's connection table: a delivery names the receiver's
// entry, which must still be there; a denial by the receiver's groups
// holds only while the receiver tracks no such flow (one it opened the
// other way admits this packet).
void Pipeline::Remember(const Snapshot& s, Packet& p) {
  using C = Conntrack::CachedDecision;
  if (!p.src_ct) return;
  C& c = p.src_ct->cached[p.src_reply ? 1 : 0];
  const bool denied = p.v.reason == DropReason::kSecurityGroup;
  c.generation = s.generation() + 1;
  c.peer_slot = denied     ? static_cast<uint32_t>(p.dst_bucket)
                : p.dst_ct ? ct_->SlotOf(p.dst_ct)
                           : Conntrack::kNoSlot;
  c.peer_epoch = p.dst_ct ? p.dst_ct->epoch : 0;
  c.eni = p.v.eni;
  c.igw = static_cast<int16_t>(p.v.igw);
  c.outcome = static_cast<uint8_t>(p.v.outcome);
  c.reason = static_cast<uint8_t>(p.v.reason);
  c.nat_v4 = p.v.nat_src ? p.v.src.v4() : p.v.nat_dst ? p.v.dst.v4() : 0;  // NAT is IPv4 only
  const bool icmp = p.h.protocol == 1 || p.h.protocol == 58;
  c.icmp_type = icmp ? p.h.icmp_type : 0;
  c.icmp_code = icmp ? p.h.icmp_code : 0;
  c.flags = (p.v.nat_src ? C::kNatSrc : 0) | (p.v.nat_dst ? C::kNatDst : 0) |
            (p.v.forwarded ? C::kForwarded : 0) | (p.dst_reply ? C::kPeerReply : 0) |
            (icmp ? C::kIcmpKeyed : 0) | (denied ? C::kReceiverDenied : 0);
}

// The remembered verdict for an established flow, if it still holds (see
// Remember). Fills p.v.
bool Pipeline::Recall(const Snapshot& s, Packet& p) {
  using C = Conntrack::CachedDecision;
  const C& c = p.src_ct->cached[p.src_reply ? 1 : 0];
  if (c.generation != s.generation() + 1) return false;
  if ((c.flags & C::kIcmpKeyed) && (p.h.icmp_type != c.icmp_type || p.h.icmp_code != c.icmp_code)) {
    return false;
  }
  if (c.flags & C::kReceiverDenied) {
    const FlowKey fk = KeyOf(p.src, p.dst, p.sport, p.dport, p.h.protocol, 0, s.hot[c.eni].key);
    bool reply = false;
    if (ct_->FindAt(fk, c.peer_slot, p.now, &reply)) return false;
  } else if (c.peer_slot != Conntrack::kNoSlot) {
    Conntrack::Entry* peer = ct_->Recall(c.peer_slot, c.peer_epoch, p.now);
    if (!peer) return false;
    ct_->Touch(peer, (c.flags & C::kPeerReply) != 0, p.now);
  }
  p.v.outcome = static_cast<Outcome>(c.outcome);
  p.v.eni = c.eni;
  p.v.igw = c.igw;
  p.v.nat_src = (c.flags & C::kNatSrc) != 0;
  p.v.nat_dst = (c.flags & C::kNatDst) != 0;
  p.v.forwarded = (c.flags & C::kForwarded) != 0;
  p.v.src = p.v.nat_src ? IpAddress::V4(c.nat_v4) : p.src;
  p.v.dst = p.v.nat_dst ? IpAddress::V4(c.nat_v4) : p.dst;
  p.v.reason = static_cast<DropReason>(c.reason);
  if (p.v.outcome == Outcome::kDropped) ++drops_[c.reason];
  return true;
}

Verdict Pipeline::Drop(Packet& p, DropReason r, int32_t eni) {
  ++drops_[static_cast<size_t>(r)];
  p.v.outcome = Outcome::kDropped;
  p.v.reason = r;
  p.v.eni = eni;
  // A full table may have room for the next packet.
  if (p.src_ct && r != DropReason::kConntrackFull) Remember(p.s, p);
  return p.v;
}

bool Pipeline::ResolveFragment(const PacketHeaders& h, uint16_t* sport, uint16_t* dport) {
  if (h.is_first_fragment()) {
    Fragment& f = fragments_[next_fragment_++ % fragments_.size()];
    f = {h.src.value(), h.dst.value(), h.fragment_id, h.protocol, true, h.src_port, h.dst_port};
    *sport = h.src_port;
    *dport = h.dst_port;
    return true;
  }
  if (h.has_l4()) {
    *sport = h.src_port;
    *dport = h.dst_port;
    return true;
  }
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
  return Run(s, h, in, now_s, why, kNoBucket);
}

void Pipeline::ProcessBurst(const Snapshot& s, std::span<const BurstItem> items, uint32_t now_s,
                            Verdict* out) {
  const int32_t enis = static_cast<int32_t>(s.enis.size());
  auto sender = [&](const BurstItem& b) {
    return b.in.kind == Ingress::kEni && b.in.index >= 0 && b.in.index < enis ? b.in.index : -1;
  };
  for (size_t base = 0; base < items.size(); base += kBurst) {
    const size_t n = std::min(kBurst, items.size() - base);
    const BurstItem* batch = items.data() + base;
    size_t bucket[kBurst];
    FlowKey key[kBurst];
    int32_t local[kBurst];  // a new flow's VPC when its route is local, else -1
    // 1. The senders' ENI records.
    for (size_t i = 0; i < n; ++i) {
      if (int32_t a = sender(batch[i]); a >= 0) __builtin_prefetch(&s.hot[a]);
    }
    // 2. The senders' flow buckets. Non-first fragments take their ports
    // from the fragment table: Run resolves those unhinted.
    for (size_t i = 0; i < n; ++i) {
      bucket[i] = kNoBucket;
      local[i] = -1;
      const PacketHeaders& h = *batch[i].headers;
      int32_t a = sender(batch[i]);
      if (a < 0 || !h.has_l4()) continue;
      uint16_t sport = h.src_port, dport = h.dst_port;
      if (h.protocol == 1 || h.protocol == 58)
        sport = dport = IcmpFlowType(h.protocol, h.icmp_type);
      key[i] = KeyOf(h.src, h.dst, sport, dport, h.protocol, 1, s.hot[a].key);
      bucket[i] = ct_->Bucket(key[i]);
      ct_->Prefetch(bucket[i]);
    }
    // 3. Established flows: the receiver's entry their remembered decision
    // names. New flows: where the route leads (the owner of a local
    // destination, or an ENI target's flow bucket).
    for (size_t i = 0; i < n; ++i) {
      if (bucket[i] == kNoBucket) continue;
      uint32_t peer = Conntrack::kNoSlot;
      if (ct_->Peek(key[i], bucket[i], &peer)) {
        if (peer != Conntrack::kNoSlot) ct_->PrefetchKey(peer);
        continue;
      }
      const EniHot& A = s.hot[batch[i].in.index];
      const SubnetState& sub = s.subnets[A.subnet];
      if (sub.route_table < 0) continue;
      const IpAddress dst = batch[i].headers->dst;
      const RouteTarget* t = s.route_tables[sub.route_table].Lookup(dst);
      if (!t) continue;
      if (t->kind == RouteTarget::kLocal) {
        s.PrefetchAddress(A.vpc, dst);
        local[i] = A.vpc;
      } else if (t->kind == RouteTarget::kEni) {
        FlowKey k = key[i];
        k.egress = 0;
        k.eni = s.hot[t->index].key;
        ct_->PrefetchBucket(k);
      }
    }
    // 4. New flows to local destinations: the receiver's flow bucket.
    for (size_t i = 0; i < n; ++i) {
      if (local[i] < 0) continue;
      int32_t b = s.EniByAddress(local[i], batch[i].headers->dst);
      if (b < 0) continue;
      FlowKey k = key[i];
      k.egress = 0;
      k.eni = s.hot[b].key;
      ct_->PrefetchBucket(k);
    }
    for (size_t i = 0; i < n; ++i) {
      out[base + i] = Run(s, *batch[i].headers, batch[i].in, now_s, nullptr, bucket[i]);
    }
  }
}

Verdict Pipeline::Run(const Snapshot& s, const PacketHeaders& h, Ingress in, uint32_t now_s,
                      Explanation* why, size_t src_bucket) {
  Packet p{s, h, in, now_s, why, h.src, h.dst, 0, 0, 0, {}};
  p.src_bucket = src_bucket;
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
  Verdict v = in.kind == Ingress::kEni ? FromEni(s, p) : FromInternet(s, p);
  if (v.delivered()) ++delivered_;
  if (why) {
    why->src_after = v.src.ToString();
    why->dst_after = v.dst.ToString();
  }
  return v;
}

Verdict Pipeline::FromEni(const Snapshot& s, Packet& p) {
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
    if (!p.why && Recall(s, p)) return p.v;
    if (p.why)
      p.Hop("security-group", "", "egress",
            reply ? "reply of a tracked connection" : "tracked connection");
  } else {
    if (!sg.Allows(Direction::kEgress, p.dst, p.h.protocol, p.key)) {
      if (p.why)
        p.Hop("security-group", s.enis[a].group_ids.empty() ? "" : s.enis[a].group_ids.front(),
              "egress",
              "no outbound rule allows " + Proto(p.h.protocol) + " to " + p.dst.ToString(), "",
              false);
      return Drop(p, DropReason::kSecurityGroup, a);
    }
    if (p.why) {
      const FlatRule* r = sg.FirstMatch(Direction::kEgress, p.dst, p.h.protocol, p.key);
      if (p.why)
        p.Hop("security-group", r ? r->group_id : "", "egress",
              "outbound rule allows " + Proto(p.h.protocol) + " to " +
                  (r ? (r->referenced_group_id.empty() ? r->remote.ToString()
                                                       : r->referenced_group_id)
                     : std::string("?")),
              r ? r->rule_id : "");
    }
    if (!sg.Untracked(p.h.family, p.h.protocol)) {
      p.src_ct = ct_->Insert(fk, p.now);
      if (!p.src_ct) return Drop(p, DropReason::kConntrackFull, a);
    }
  }

  // Routing: the source subnet's route table, longest prefix match.
  const SubnetState& sub = s.subnets[A.subnet];
  const CompiledRouteTable* rt = sub.route_table >= 0 ? &s.route_tables[sub.route_table] : nullptr;
  const RouteTarget* t = rt ? rt->Lookup(p.dst) : nullptr;
  if (!t) {
    if (p.why)
      p.Hop("route-table", rt ? rt->id : "", "", "no route to " + p.dst.ToString(), "", false);
    return Drop(p, DropReason::kNoRoute, a);
  }
  const Route& route = rt->routes[t->route];
  const std::string& target =
      route.gateway_id.empty() ? route.network_interface_id : route.gateway_id;
  if (t->kind == RouteTarget::kBlackhole) {
    if (p.why)
      p.Hop("route-table", rt->id, "",
            route.destination.ToString() + " -> " + target + " (blackhole)",
            route.destination.ToString(), false);
    return Drop(p, DropReason::kBlackholeRoute, a);
  }
  if (p.why)
    p.Hop("route-table", rt->id, "", route.destination.ToString() + " -> " + target,
          route.destination.ToString());

  switch (t->kind) {
    case RouteTarget::kLocal: {
      int32_t b = s.EniByAddress(A.vpc, p.dst);
      if (b < 0) {
        if (p.why)
          p.Hop("route-table", rt->id, "", "no network interface has " + p.dst.ToString(), "",
                false);
        return Drop(p, DropReason::kNoDestination, a);
      }
      return ToEni(s, p, A.subnet, b);
    }
    case RouteTarget::kEni:
      return ToEni(s, p, A.subnet, t->index);
    case RouteTarget::kInternetGateway:
      return ToInternet(s, p, a, t->index);
    case RouteTarget::kBlackhole:
      break;
  }
  return Drop(p, DropReason::kNoRoute, a);
}

Verdict Pipeline::ToEni(const Snapshot& s, Packet& p, int32_t from_subnet, int32_t b) {
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
  p.dst_bucket = ct_->Bucket(fk);
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
    if (!sg.Allows(Direction::kIngress, p.src, p.h.protocol, p.key)) {
      if (p.why)
        p.Hop("security-group", s.enis[b].group_ids.empty() ? "" : s.enis[b].group_ids.front(),
              "ingress",
              "no inbound rule allows " + Proto(p.h.protocol) + " from " + p.src.ToString(), "",
              false);
      return Drop(p, DropReason::kSecurityGroup, b);
    }
    if (p.why) {
      const FlatRule* r = sg.FirstMatch(Direction::kIngress, p.src, p.h.protocol, p.key);
      if (p.why)
        p.Hop("security-group", r ? r->group_id : "", "ingress",
              "inbound rule allows " + Proto(p.h.protocol) + " from " +
                  (r ? (r->referenced_group_id.empty() ? r->remote.ToString()
                                                       : r->referenced_group_id)
                     : std::string("?")),
              r ? r->rule_id : "");
    }
    if (!sg.Untracked(p.h.family, p.h.protocol)) {
      p.dst_ct = ct_->Insert(fk, p.now);
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
  return p.v;
}

Verdict Pipeline::ToInternet(const Snapshot& s, Packet& p, int32_t from_eni, int32_t igw) {
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
  return p.v;
}

Verdict Pipeline::FromInternet(const Snapshot& s, Packet& p) {
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
