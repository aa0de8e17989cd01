// Stateful differential test: the data plane's fast path for established
// flows against its own full evaluation.
//
// Pipeline::ProcessBurst prefetches in batches and reuses the decisions it
// remembered on connection-tracking entries (Conntrack::CachedDecision) and
// the denials it remembered (Pipeline::Denial);
// Pipeline::Process with an Explanation never reuses them and evaluates
// every check. Two pipelines with their own connection tables see the same
// stream: random packets of random configurations, each followed later by
// its reply and by repeats, in random order, in bursts of random length,
// across a configuration change (a new snapshot generation, same tables),
// with short idle timeouts and a clock that stands still for some bursts
// and moves on for others, so flows expire and slots are reused while
// decisions that name them are remembered. Every verdict must be identical, as must the tables'
// evolution (which the verdicts of later packets depend on).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <shared_mutex>

#include "dataplane/pipeline.h"
#include "differential/random_packets.h"
#include "differential/random_topology.h"

namespace minivpc::difftest {
namespace {

struct Item {
  dp::PacketHeaders h;
  dp::Ingress in;
};

bool Same(const dp::Verdict& a, const dp::Verdict& b) {
  return a.outcome == b.outcome && a.reason == b.reason && a.eni == b.eni && a.igw == b.igw &&
         a.src == b.src && a.dst == b.dst && a.nat_src == b.nat_src && a.nat_dst == b.nat_dst &&
         a.forwarded == b.forwarded && a.established == b.established;
}

std::string Text(const dp::Verdict& v) {
  return std::string(dp::DropReasonName(v.reason)) + " outcome " +
         std::to_string(static_cast<int>(v.outcome)) + " eni " + std::to_string(v.eni) + " " +
         v.src.ToString() + " -> " + v.dst.ToString() + (v.established ? " established" : "");
}

// The packet answering `h` after verdict `v`: from the receiving ENI, or
// from the internet to the translated source.
bool ReplyTo(const Item& it, const dp::Verdict& v, Item* out) {
  if (!v.delivered()) return false;
  out->h = it.h;
  out->h.src = v.dst;
  out->h.dst = v.src;
  std::swap(out->h.src_port, out->h.dst_port);
  if (it.h.protocol == 1 && it.h.icmp_type == 8) out->h.icmp_type = 0;
  if (it.h.protocol == 58 && it.h.icmp_type == 128) out->h.icmp_type = 129;
  out->in = v.outcome == dp::Outcome::kDeliveredToEni ? dp::Ingress::FromEni(v.eni)
                                                      : dp::Ingress::FromInternet(v.igw);
  return true;
}

TEST(StatefulDifferentialTest, BurstsWithRememberedDecisionsAgreeWithFullEvaluation) {
  const char* env = std::getenv("MINIVPC_STATEFUL_CASES");
  const int cases = env && *env ? std::atoi(env) : 150;
  uint64_t packets = 0, established = 0, delivered = 0, denials_recalled = 0;
  for (int c = 0; c < cases; ++c) {
    RandomTopology topo(5000 + static_cast<uint64_t>(c));
    // Timeouts of a few seconds (AWS's are minutes to days) make expiry
    // happen within a case. One case in four has a table for 16 flows,
    // crowded (flows beyond their bucket's second slot) and often full.
    const dp::Conntrack::Options options{.max_entries = c % 4 == 3 ? 16u : 4096u,
                                         .tcp_established_s = 6,
                                         .udp_s = 2,
                                         .udp_stream_s = 4,
                                         .other_s = 3};
    dp::Conntrack fast_ct(options);
    dp::Conntrack full_ct(options);
    uint32_t now = 1000;
    dp::Pipeline fast(&fast_ct), full(&full_ct);
    std::vector<Item> flows;
    for (int round = 0; round < 2; ++round) {
      if (round == 0) topo.Build();
      if (round == 1) topo.Mutate();
      std::shared_lock lock(topo.cloud().mutex());
      const RegionState& r = topo.region();
      auto snap = dp::Snapshot::Compile(r, r.version);
      PacketGenerator gen(r, *snap, topo.rng(), topo.ports(), topo.icmp_types());
      // New flows, then (after the first verdicts) replies and repeats.
      for (int i = 0; i < 60; ++i) {
        Probe p;
        if (!gen.Next(&p)) break;
        flows.push_back({p.headers, p.fast_ingress});
      }
      std::vector<Item> stream;
      for (int rep = 0; rep < 3; ++rep) stream.insert(stream.end(), flows.begin(), flows.end());
      std::shuffle(stream.begin(), stream.end(), topo.rng());
      for (int pass = 0; pass < 2; ++pass) {
        std::vector<dp::Verdict> out(stream.size());
        std::vector<dp::BurstItem> items;
        for (const Item& it : stream) items.push_back({&it.h, it.in});
        for (size_t i = 0; i < items.size();) {
          size_t n = std::min<size_t>(items.size() - i, 1 + topo.rng()() % 40);
          if (topo.rng()() % 4 == 0) now += static_cast<uint32_t>(topo.rng()() % 4);
          fast.ProcessBurst(*snap, std::span(items).subspan(i, n), now, out.data() + i);
          for (size_t k = i; k < i + n; ++k) {
            dp::Explanation why;
            dp::Verdict want = full.Process(*snap, stream[k].h, stream[k].in, now, &why);
            ++packets;
            established += want.established;
            delivered += want.delivered();
            ASSERT_TRUE(Same(out[k], want))
                << "case " << c << " round " << round << " pass " << pass << " packet " << k
                << ": burst " << Text(out[k]) << ", full evaluation " << Text(want);
          }
          i += n;
        }
        // The replies join the stream for the next pass.
        size_t original = stream.size();
        for (size_t k = 0; k < original; ++k) {
          Item reply;
          if (ReplyTo(stream[k], out[k], &reply)) stream.push_back(reply);
        }
        std::shuffle(stream.begin(), stream.end(), topo.rng());
      }
      for (int r2 = 0; r2 < static_cast<int>(dp::DropReason::kCount); ++r2) {
        auto reason = static_cast<dp::DropReason>(r2);
        ASSERT_EQ(fast.drops(reason), full.drops(reason)) << dp::DropReasonName(reason);
      }
    }
    denials_recalled += fast.denials_recalled();
  }
  std::cout << "stateful differential: " << cases << " configurations, " << packets
            << " packets agree (" << established << " of tracked flows, " << delivered
            << " delivered, " << denials_recalled << " remembered denials)\n";
  EXPECT_GT(established, packets / 10);  // the remembered-decision path was exercised
  EXPECT_GT(denials_recalled, 0u);       // and the remembered denials
}

}  // namespace
}  // namespace minivpc::difftest
