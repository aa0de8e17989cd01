// Differential test: the data plane (Snapshot::Compile + Pipeline::Process)
// against the reference evaluator (analysis/reference_evaluator.h), on
// random configurations built through the EC2 API and random packets.
//
// Every packet is a new flow: the pipeline's connection table is cleared
// before each one, as the reference does not track connections.
//
// Environment:
//   MINIVPC_DIFF_SEED     seed of the first configuration (configuration i
//                         uses seed + i); default 1
//   MINIVPC_DIFF_CASES    number of configurations; default 600 (300,000
//                         packets, a few seconds)
//   MINIVPC_DIFF_PACKETS  packets per configuration, half before and half
//                         after RandomTopology::Mutate; default 500
//   MINIVPC_DIFF_REPORTS  disagreements reported in full; default 10
// A failure names the seed of its configuration: rerun with
// MINIVPC_DIFF_SEED=<that seed> MINIVPC_DIFF_CASES=1 to replay it alone.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>

#include "analysis/reference_evaluator.h"
#include "dataplane/pipeline.h"
#include "differential/describe_region.h"
#include "differential/random_packets.h"
#include "differential/random_topology.h"

namespace minivpc::difftest {
namespace {

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

std::string FastText(const dp::Snapshot& s, const dp::Verdict& v) {
  std::string addrs = " src=" + v.src.ToString() + " dst=" + v.dst.ToString();
  switch (v.outcome) {
    case dp::Outcome::kDeliveredToEni:
      return "deliver " + (v.eni >= 0 ? s.enis[v.eni].id : std::string("?")) + addrs;
    case dp::Outcome::kDeliveredToInternet:
      return "internet" + addrs;
    case dp::Outcome::kDropped:
      break;
  }
  return std::string("drop ") + dp::DropReasonName(v.reason);
}

// Outcome and reason always; for a delivery also the receiving ENI and the
// addresses after translation.
bool Agree(const dp::Snapshot& s, const analysis::RefResult& ref, const dp::Verdict& v) {
  if (ref.outcome != v.outcome) return false;
  if (v.outcome == dp::Outcome::kDropped) return ref.reason == v.reason;
  if (v.outcome == dp::Outcome::kDeliveredToEni && (v.eni < 0 || s.enis[v.eni].id != ref.eni_id)) {
    return false;
  }
  return ref.src == v.src && ref.dst == v.dst;
}

// The reason of a drop; "deliver", "forward" (to an ENI not owning the
// destination) or "internet" for a delivery.
std::string VerdictKind(const RegionState& r, const analysis::RefResult& ref) {
  if (ref.outcome == dp::Outcome::kDeliveredToInternet) return "internet";
  if (ref.outcome == dp::Outcome::kDropped) return dp::DropReasonName(ref.reason);
  const NetworkInterface* eni = r.enis.Find(ref.eni_id);
  for (const auto& p : eni->private_ips) {
    if (p.address == ref.dst) return "deliver";
  }
  for (const auto& a : eni->ipv6_addresses) {
    if (a == ref.dst) return "deliver";
  }
  return "forward";
}

std::string ExplanationText(const dp::Explanation& why) {
  std::string out;
  for (const auto& hop : why.hops) {
    out += "\n    " + hop.component + " " + hop.id + " " + hop.direction + ": " + hop.detail +
           (hop.allowed ? "" : " [blocked]");
  }
  return out;
}

struct Totals {
  uint64_t packets = 0;
  uint64_t disagreements = 0;
  uint64_t calls = 0;
  uint64_t failed_calls = 0;
  // Agreed verdicts by kind, in columns: from an ENI (IPv4, IPv6), from
  // the internet (IPv4, IPv6).
  std::map<std::string, std::array<uint64_t, 4>> verdicts;
};

class Runner {
 public:
  explicit Runner(Totals* totals) : totals_(totals) {}

  // One configuration: build, packets, mutate, packets.
  void RunConfig(uint64_t seed, int packets) {
    RandomTopology topo(seed);
    bool reported = false;
    for (int round = 0; round < 2; ++round) {
      if (round == 0) topo.Build();
      if (round == 1) topo.Mutate();
      std::shared_lock lock(topo.cloud().mutex());
      const RegionState& r = topo.region();
      auto snap = dp::Snapshot::Compile(r, r.version);
      PacketGenerator gen(r, *snap, topo.rng(), topo.ports(), topo.icmp_types());
      for (int i = 0; i < packets / 2; ++i) {
        Probe p;
        if (!gen.Next(&p)) break;
        Check(seed, round, topo, r, *snap, p, &reported);
      }
    }
    totals_->calls += topo.calls().size();
    totals_->failed_calls += static_cast<uint64_t>(topo.failed_calls());
  }

 private:
  void Check(uint64_t seed, int round, const RandomTopology& topo, const RegionState& r,
             const dp::Snapshot& s, const Probe& p, bool* reported) {
    ++totals_->packets;
    analysis::RefResult ref = analysis::Evaluate(r, p.headers, p.ref_ingress);
    ct_.Clear();
    dp::Verdict fast = pipeline_.Process(s, p.headers, p.fast_ingress, /*now_s=*/1000);
    if (Agree(s, ref, fast)) {
      size_t column = (p.ref_ingress.kind == analysis::RefIngress::kInternet ? 2 : 0) +
                      (p.headers.dst.is_v6() ? 1 : 0);
      ++totals_->verdicts[VerdictKind(r, ref)][column];
      return;
    }
    if (++totals_->disagreements > max_reported_) return;
    dp::Explanation why;
    ct_.Clear();
    pipeline_.Process(s, p.headers, p.fast_ingress, /*now_s=*/1000, &why);
    std::ostringstream msg;
    msg << "disagreement: MINIVPC_DIFF_SEED=" << seed << " MINIVPC_DIFF_CASES=1 (round " << round
        << ")\n  packet:    " << DescribeProbe(p) << "\n  reference: " << ref.ToString()
        << "\n  pipeline:  " << FastText(s, fast) << ExplanationText(why);
    if (!*reported) {
      *reported = true;
      msg << "\n  calls:\n";
      for (const auto& c : topo.calls()) msg << "    " << c << "\n";
      msg << "  state:\n" << DescribeRegion(r);
    }
    ADD_FAILURE() << msg.str();
  }

  Totals* totals_;
  uint64_t max_reported_ = EnvOr("MINIVPC_DIFF_REPORTS", 10);
  dp::Conntrack ct_{dp::Conntrack::Options{.max_entries = 16}};
  dp::Pipeline pipeline_{&ct_};
};

TEST(DifferentialTest, PipelineAgreesWithReferenceOnRandomConfigurations) {
  uint64_t seed = EnvOr("MINIVPC_DIFF_SEED", 1);
  uint64_t cases = EnvOr("MINIVPC_DIFF_CASES", 600);
  int packets = static_cast<int>(EnvOr("MINIVPC_DIFF_PACKETS", 500));
  auto start = std::chrono::steady_clock::now();
  Totals totals;
  Runner runner(&totals);
  for (uint64_t i = 0; i < cases; ++i) runner.RunConfig(seed + i, packets);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "differential: seeds " << seed << ".." << seed + cases - 1 << ", " << totals.packets
            << " packets, " << totals.packets - totals.disagreements << " agree, "
            << totals.disagreements << " disagree; " << totals.calls << " API calls ("
            << totals.failed_calls << " refused); " << secs << " s\n"
            << "  agreed verdicts (from eni v4 / eni v6 / internet v4 / internet v6):\n";
  for (const auto& [kind, n] : totals.verdicts) {
    std::cout << "    " << kind << " " << n[0] << " / " << n[1] << " / " << n[2] << " / " << n[3]
              << "\n";
  }
  EXPECT_EQ(totals.disagreements, 0u) << "first seed " << seed;
}

}  // namespace
}  // namespace minivpc::difftest
