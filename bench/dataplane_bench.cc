// dataplane_bench: packets through dp::Pipeline against a large VPC (see
// dataplane_world.h: 10,000 ENIs, up to ~1,000 security-group rules per ENI,
// 40 ACL entries per direction, 1,000 routes), next to the same decisions made
// with DPDK's rte_acl, rte_lpm and rte_hash (dpdk_baseline.h).
//
//   BM_EstablishedFlow           packets of tracked flows, both directions,
//                                after one warm pass (conntrack hits; the
//                                pipeline may reuse a flow's remembered
//                                decision, the baseline looks everything up)
//   BM_NewFlow                   first packets of new flows: the full
//                                pipeline plus conntrack inserts
//   BM_Baseline_EstablishedFlow  the same packets through the DPDK baseline
//   BM_Baseline_NewFlow
//
// Those four take bursts of 32 packets per call (Pipeline::ProcessBurst,
// DpdkBaseline::ProcessBurst), as a poll-mode data path receives them; the
// *_Single variants send one packet per call (Pipeline::Process).
// Single thread; items/s = decisions per second per core.
// DATAPLANE_BENCH_FLOWS=N replaces the 65,536 tracked flows (a small N
// shows the cost with everything in cache). Before timing, every packet goes through
// both implementations and their verdicts (outcome, drop reason, ENI) must agree; each timed run
// then checks its delivered count against those verdicts. Any disagreement
// aborts. After the runs: minivpc/baseline ratios of the median items/s (or
// of the single run without repetitions) and memory per ENI.
//
// The baseline is built only when pkg-config found libdpdk; otherwise the
// binary runs the minivpc cases and says the baseline was skipped.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>

#include "alloc_counter.h"
#include "dataplane/conntrack.h"
#include "dataplane/pipeline.h"
#include "dataplane/snapshot.h"
#include "dataplane_world.h"
#include "vpc/cloud.h"
#ifdef MINIVPC_HAVE_DPDK
#include "dpdk_baseline.h"
#endif

namespace minivpc::bench {
namespace {

constexpr uint32_t kNow = 1000;  // seconds; nothing expires during a run
constexpr size_t kEstablishedFlows = 64 * 1024;
constexpr size_t kNewFlows = 256 * 1024;  // two inserts each at most: < kConntrack
constexpr size_t kConntrack = 1 << 20;    // flows

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
// The kernel's count of transparent huge pages backing this process.
std::string AnonHugePages() {
  FILE* f = std::fopen("/proc/self/smaps_rollup", "r");
  if (!f) return "unknown";
  char line[256];
  std::string out = "unknown";
  while (std::fgets(line, sizeof line, f)) {
    unsigned long kb = 0;
    if (std::sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
      out = std::to_string(kb / 1024) + " MiB";
  }
  std::fclose(f);
  return out;
}
size_t HeapInUse() {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

// Delivered counts of one pass over a packet set, as prefix sums, so a run
// of any length can be checked.
struct Expected {
  std::vector<uint64_t> prefix{0};
  void Add(bool delivered) { prefix.push_back(prefix.back() + delivered); }
  uint64_t For(uint64_t iterations) const {
    uint64_t n = prefix.size() - 1;
    return iterations / n * prefix.back() + prefix[iterations % n];
  }
};

struct Fixture {
  SystemRandom random{1};
  FakeClock clock;
  Cloud cloud{{}, &random, &clock};
  WorldSummary world;
  std::shared_ptr<const dp::Snapshot> snap;
  size_t snapshot_heap = 0;
  std::unique_ptr<dp::Conntrack> ct =
      std::make_unique<dp::Conntrack>(dp::Conntrack::Options{.max_entries = kConntrack});
  std::vector<BenchPacket> warm;         // first packets of the tracked flows
  std::vector<BenchPacket> established;  // their packets and replies, shuffled
  std::vector<BenchPacket> fresh;        // first packets of other flows
  std::vector<FlowKind> warm_kinds, fresh_kinds;
  Expected expect_established, expect_fresh;
#ifdef MINIVPC_HAVE_DPDK
  std::unique_ptr<DpdkBaseline> base;
#endif
};

dp::Verdict Send(dp::Pipeline& p, const Fixture& f, const BenchPacket& b) {
  return p.Process(*f.snap, b.h, dp::Ingress::FromEni(b.from_eni), kNow);
}

std::string Describe(const BenchPacket& p) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "eni %d: %s:%u -> %s:%u proto %u icmp %u/%u", p.from_eni,
                p.h.src.ToString().c_str(), p.h.src_port, p.h.dst.ToString().c_str(), p.h.dst_port,
                p.h.protocol, p.h.icmp_type, p.h.icmp_code);
  return buf;
}

[[noreturn]] void Disagree(const std::string& what) {
  std::fprintf(stderr, "dataplane_bench: ABORT: %s\n", what.c_str());
  std::abort();
}

// Tracks the flows and sends one pass of their packets both ways, so that
// timed runs see the steady state of established flows (minivpc remembers
// a flow's decision per direction once it has been delivered).
void WarmConntrack(Fixture& f) {
  f.ct->Clear();
  dp::Pipeline p(f.ct.get());
  for (const auto& b : f.warm) Send(p, f, b);
  for (const auto& b : f.established) Send(p, f, b);
}

#ifdef MINIVPC_HAVE_DPDK
void WarmBaseline(Fixture& f) {
  f.base->ClearConntrack();
  for (const auto& b : f.warm) f.base->Process(b.h, b.from_eni, kNow);
  for (const auto& b : f.established) f.base->Process(b.h, b.from_eni, kNow);
}
#endif

// One pass over `packets` through both implementations (in their current
// conntrack state), comparing verdicts; records minivpc's deliveries.
// Returns the pipeline's drop counters by reason.
std::map<std::string, uint64_t> Verify(Fixture& f, const std::vector<BenchPacket>& packets,
                                       Expected* expected, std::vector<dp::Verdict>* verdicts,
                                       double* allocs_per_packet) {
  dp::Pipeline p(f.ct.get());
  uint64_t allocs = 0;
  for (const auto& b : packets) {
    uint64_t before = AllocationCount();
    dp::Verdict v = Send(p, f, b);
    allocs += AllocationCount() - before;
    if (expected) expected->Add(v.delivered());
    if (verdicts) verdicts->push_back(v);
#ifdef MINIVPC_HAVE_DPDK
    if (!f.base) continue;
    BaselineVerdict w = f.base->Process(b.h, b.from_eni, kNow);
    if (v.outcome != w.outcome || v.reason != w.reason || v.eni != w.eni) {
      Disagree("minivpc and the DPDK baseline disagree on " + Describe(b) + ": minivpc " +
               dp::DropReasonName(v.reason) + " at eni " + std::to_string(v.eni) + " (outcome " +
               std::to_string(int(v.outcome)) + "), baseline " + dp::DropReasonName(w.reason) +
               " at eni " + std::to_string(w.eni) + " (outcome " + std::to_string(int(w.outcome)) +
               ")");
    }
#endif
  }
  if (allocs_per_packet) *allocs_per_packet = double(allocs) / double(packets.size());
  std::map<std::string, uint64_t> out;
  out["delivered"] = p.delivered();
  for (int r = 1; r < static_cast<int>(dp::DropReason::kCount); ++r) {
    if (uint64_t n = p.drops(static_cast<dp::DropReason>(r))) {
      out[dp::DropReasonName(static_cast<dp::DropReason>(r))] = n;
    }
  }
  return out;
}

void PrintVerdicts(const char* name, const std::map<std::string, uint64_t>& counts, size_t packets,
                   double allocs) {
  std::printf("  %s (%zu packets, %.1f heap allocations/packet in Pipeline::Process):", name,
              packets, allocs);
  for (const auto& [k, n] : counts) std::printf(" %s %.1f%%", k.c_str(), 100.0 * n / packets);
  std::printf("\n");
}

void PrintConfiguration(const Fixture& f) {
  auto stats = [](std::vector<int> v) {
    std::sort(v.begin(), v.end());
    char buf[96];
    std::snprintf(buf, sizeof buf, "min %d, median %d, p90 %d, max %d", v.front(), v[v.size() / 2],
                  v[v.size() * 9 / 10], v.back());
    return std::string(buf);
  };
  const WorldSummary& w = f.world;
  int buckets[4] = {};
  for (int n : w.aws_rules_per_eni) ++buckets[n <= 10 ? 0 : n <= 50 ? 1 : n < 900 ? 2 : 3];
  std::printf(
      "Configuration: %d ENIs in %d subnets of one VPC, each attached to a running instance\n",
      kEnis, kSubnets);
  std::printf("  %d security groups, %zu distinct group sets (classifiers)\n", w.groups,
              f.snap->classifiers.size());
  std::printf("  SG rules per ENI as AWS counts them: %s\n", stats(w.aws_rules_per_eni).c_str());
  std::printf("    ENIs with <=10: %d, 11-50: %d, 51-899: %d, >=900: %d\n", buckets[0], buckets[1],
              buckets[2], buckets[3]);
  std::printf(
      "  after expanding group references to member /32s (as the DPDK baseline compiles them;"
      " minivpc asks the owner's groups instead): %s\n",
      stats(w.expanded_rules_per_eni).c_str());
  std::printf(
      "  %zu network ACLs, %zu entries per direction; route table: %zu routes "
      "(local, 0.0.0.0/0 -> igw, %d random /8../28 to the igw, %d to appliance ENIs)\n",
      f.snap->nacls.size() / 2, f.snap->nacls[0].size(), f.snap->route_tables[0].routes.size(),
      w.routes_to_igw, w.routes_to_eni);
  std::map<std::string, int> kinds;
  for (FlowKind k : f.warm_kinds) ++kinds[FlowKindName(k)];
  std::printf("  traffic: %zu tracked flows (", f.warm.size());
  for (const auto& [k, n] : kinds) std::printf(" %s %.0f%%", k.c_str(), 100.0 * n / f.warm.size());
  std::printf(" ), %zu established packets (originals and replies), %zu new flows\n",
              f.established.size(), f.fresh.size());
}

void ClearConntracks(Fixture& f) {
  f.ct->Clear();
#ifdef MINIVPC_HAVE_DPDK
  if (f.base) f.base->ClearConntrack();
#endif
}

// The configuration, its snapshot, the flows and (if DPDK started) the
// baseline.
void Build(Fixture& f, bool dpdk) {
  auto t0 = Clock::now();
  RegionState& r = f.cloud.EmptyRegion("123456789012", "us-east-1");
  f.world = BuildWorld(r, f.cloud.journal());
  double build_s = Seconds(t0);
  size_t heap = HeapInUse();
  t0 = Clock::now();
  f.snap = dp::Snapshot::Compile(r, 1);
  std::printf("dataplane_bench: rows built in %.2f s, Snapshot::Compile %.2f s\n", build_s,
              Seconds(t0));
  f.snapshot_heap = HeapInUse() - heap;
  for (int i = 0; i < kEnis; ++i) {
    if (f.snap->enis[i].addresses.front() != EniAddress(i)) Disagree("snapshot ENI order");
  }
  const char* flows_env = std::getenv("DATAPLANE_BENCH_FLOWS");
  f.warm = MakeFlows(f.world, flows_env ? std::strtoul(flows_env, nullptr, 10) : kEstablishedFlows,
                     7, nullptr, &f.warm_kinds);
  f.fresh = MakeFlows(f.world, kNewFlows, 11, nullptr, &f.fresh_kinds);
#ifdef MINIVPC_HAVE_DPDK
  if (!dpdk) return;
  std::string error;
  t0 = Clock::now();
  f.base = DpdkBaseline::Build(r, kConntrack, &error);
  if (!f.base) {
    std::printf("DPDK baseline skipped: %s\n", error.c_str());
    return;
  }
  std::printf("DPDK baseline built in %.2f s (%zu rte_acl contexts)\n", Seconds(t0),
              f.base->AclContexts());
#endif
}

// Sends every packet set through both implementations (aborting on any
// disagreement), derives the established set (originals, and replies of
// the flows delivered to their owner) and records the expected deliveries.
void VerifyAll(Fixture& f) {
  ClearConntracks(f);
  std::vector<dp::Verdict> warm;
  Verify(f, f.warm, nullptr, &warm, nullptr);
  f.established = f.warm;
  for (size_t i = 0; i < warm.size(); ++i) {
    if (warm[i].outcome == dp::Outcome::kDeliveredToEni && !warm[i].forwarded) {
      f.established.push_back(Reply(f.warm[i], warm[i].eni));
    }
  }
  std::shuffle(f.established.begin(), f.established.end(), std::mt19937_64(3));
  Verify(f, f.established, nullptr, nullptr, nullptr);  // replies seen once: steady state
  double allocs_est = 0, allocs_new = 0;
  auto est_counts = Verify(f, f.established, &f.expect_established, nullptr, &allocs_est);
  ClearConntracks(f);
  auto fresh_counts = Verify(f, f.fresh, &f.expect_fresh, nullptr, &allocs_new);
  PrintConfiguration(f);
  bool checked = false;
#ifdef MINIVPC_HAVE_DPDK
  checked = f.base != nullptr;
#endif
  std::printf("Verdicts (%s):\n",
              checked ? "minivpc and the DPDK baseline agree on every packet" : "minivpc only");
  PrintVerdicts("established", est_counts, f.established.size(), allocs_est);
  PrintVerdicts("new flows", fresh_counts, f.fresh.size(), allocs_new);
  std::fflush(stdout);
}

// Checks a timed run's deliveries against the verified pass and reports.
void Finish(benchmark::State& state, uint64_t delivered, const Expected& e, uint64_t allocs,
            uint64_t n) {
  if (delivered != e.For(n)) {
    Disagree("a timed run delivered " + std::to_string(delivered) + " of " + std::to_string(n) +
             " packets, the verified pass " + std::to_string(e.For(n)));
  }
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.counters["delivered%"] = 100.0 * double(delivered) / double(n);
  state.counters["allocs/pkt"] = double(allocs) / double(n);
}

// Sends `total` packets in passes, `burst` per iteration (the last of a pass
// may be shorter): send(i, n) decides packets [i, i + n) and returns how
// many were delivered. With clear_each_pass, clear() empties the connection
// table (untimed) after each pass, so every packet is a new flow again.
template <typename Send, typename Clear>
void RunPasses(benchmark::State& state, size_t total, size_t burst, const Expected& e,
               bool clear_each_pass, Send&& send, Clear&& clear) {
  size_t i = 0;
  uint64_t delivered = 0, sent = 0, allocs = AllocationCount();
  for (auto _ : state) {
    size_t n = std::min(burst, total - i);
    delivered += send(i, n);
    sent += n;
    if ((i += n) < total) continue;
    i = 0;
    if (clear_each_pass) {
      state.PauseTiming();
      clear();
      state.ResumeTiming();
    }
  }
  Finish(state, delivered, e, AllocationCount() - allocs, sent);
}

// Pipeline::ProcessBurst in bursts of kBurst, or (single) Pipeline::Process
// one packet per iteration.
void RunPipeline(benchmark::State& state, Fixture& f, const std::vector<BenchPacket>& packets,
                 const Expected& e, bool clear_each_pass, bool single) {
  std::vector<dp::BurstItem> items;
  items.reserve(packets.size());
  for (const auto& b : packets) items.push_back({&b.h, dp::Ingress::FromEni(b.from_eni)});
  dp::Pipeline pipeline(f.ct.get());
  const dp::Snapshot& snap = *f.snap;
  dp::Verdict out[dp::Pipeline::kBurst];
  RunPasses(
      state, items.size(), single ? 1 : dp::Pipeline::kBurst, e, clear_each_pass,
      [&](size_t i, size_t n) -> uint64_t {
        if (single) return pipeline.Process(snap, *items[i].headers, items[i].in, kNow).delivered();
        pipeline.ProcessBurst(snap, std::span(items).subspan(i, n), kNow, out);
        uint64_t d = 0;
        for (size_t k = 0; k < n; ++k) d += out[k].delivered();
        return d;
      },
      [&] { f.ct->Clear(); });
}

#ifdef MINIVPC_HAVE_DPDK
// The same through the DPDK baseline.
void RunBaseline(benchmark::State& state, Fixture& f, const std::vector<BenchPacket>& packets,
                 const Expected& e, bool clear_each_pass, bool single) {
  std::vector<BaselineItem> items;
  items.reserve(packets.size());
  for (const auto& b : packets) items.push_back({&b.h, b.from_eni});
  DpdkBaseline& base = *f.base;
  BaselineVerdict out[dp::Pipeline::kBurst];
  RunPasses(
      state, items.size(), single ? 1 : dp::Pipeline::kBurst, e, clear_each_pass,
      [&](size_t i, size_t n) -> uint64_t {
        if (single) return base.Process(*items[i].h, items[i].from_eni, kNow).delivered();
        base.ProcessBurst(items.data() + i, n, kNow, out);
        uint64_t d = 0;
        for (size_t k = 0; k < n; ++k) d += out[k].delivered();
        return d;
      },
      [&] { base.ClearConntrack(); });
}
#endif

void Register(Fixture& f) {
  for (bool single : {false, true}) {
    std::string suffix = single ? "_Single" : "";
    benchmark::RegisterBenchmark(
        ("BM_EstablishedFlow" + suffix).c_str(), [&f, single](benchmark::State& s) {
          WarmConntrack(f);
          RunPipeline(s, f, f.established, f.expect_established, false, single);
        });
    benchmark::RegisterBenchmark(("BM_NewFlow" + suffix).c_str(),
                                 [&f, single](benchmark::State& s) {
                                   f.ct->Clear();
                                   RunPipeline(s, f, f.fresh, f.expect_fresh, true, single);
                                 });
  }
#ifdef MINIVPC_HAVE_DPDK
  if (!f.base) return;
  for (bool single : {false, true}) {
    std::string suffix = single ? "_Single" : "";
    benchmark::RegisterBenchmark(
        ("BM_Baseline_EstablishedFlow" + suffix).c_str(), [&f, single](benchmark::State& s) {
          WarmBaseline(f);
          RunBaseline(s, f, f.established, f.expect_established, false, single);
        });
    benchmark::RegisterBenchmark(("BM_Baseline_NewFlow" + suffix).c_str(),
                                 [&f, single](benchmark::State& s) {
                                   f.base->ClearConntrack();
                                   RunBaseline(s, f, f.fresh, f.expect_fresh, true, single);
                                 });
  }
#endif
}

// The console output, and each case's items/s: the median when repetitions
// produce aggregates, else the last run.
class RateReporter : public benchmark::ConsoleReporter {
 public:
  // Colour only on a terminal (bench/run.sh output is often kept in files).
  RateReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      auto it = r.counters.find("items_per_second");
      if (r.error_occurred || it == r.counters.end()) continue;
      if (r.run_type != Run::RT_Aggregate) {
        single_[r.run_name.function_name] = it->second.value;
      } else if (r.aggregate_name == "median") {
        median_[r.run_name.function_name] = it->second.value;
      }
    }
  }
  double Rate(const std::string& name, bool* median) const {
    auto it = median_.find(name);
    *median = it != median_.end();
    if (*median) return it->second;
    it = single_.find(name);
    return it == single_.end() ? 0 : it->second;
  }

 private:
  std::map<std::string, double> single_, median_;
};

void PrintSummary(const Fixture& f, const RateReporter& rates, const std::string& skipped) {
  std::printf(
      "\nminivpc / DPDK baseline (items/s, single thread; bursts of %zu, _Single: one packet "
      "per call):\n",
      dp::Pipeline::kBurst);
  for (const char* c : {"EstablishedFlow", "NewFlow", "EstablishedFlow_Single", "NewFlow_Single"}) {
    bool median = false, base_median = false;
    double m = rates.Rate(std::string("BM_") + c, &median);
    double b = rates.Rate(std::string("BM_Baseline_") + c, &base_median);
    if (m == 0) continue;
    std::printf("  %-22s minivpc %7.3f M/s", c, m / 1e6);
    if (b > 0) std::printf("   baseline %7.3f M/s   ratio %.2fx", b / 1e6, m / b);
    std::printf("   (%s)\n", median ? "medians" : "single runs");
  }
  if (!skipped.empty()) std::printf("  DPDK baseline skipped: %s\n", skipped.c_str());
  const double enis = kEnis;
  size_t snap = f.snap->MemoryBytes();
  std::printf("Memory per ENI (%d ENIs):\n", kEnis);
  std::printf(
      "  minivpc snapshot: Snapshot::MemoryBytes() %.1f MiB = %.0f B/ENI; heap retained "
      "by Snapshot::Compile (mallinfo2) %.1f MiB = %.0f B/ENI\n",
      snap / 1048576.0, snap / enis, f.snapshot_heap / 1048576.0, f.snapshot_heap / enis);
  std::printf(
      "  minivpc conntrack: %.1f MiB for %zu flows (%.0f B/flow, %.0f B/ENI; of which %.1f MiB "
      "of IPv6 address records, backed only for IPv6 flows), huge pages %s; "
      "process AnonHugePages %s\n",
      f.ct->MemoryBytes() / 1048576.0, f.ct->capacity(),
      double(f.ct->MemoryBytes()) / double(f.ct->capacity()), f.ct->MemoryBytes() / enis,
      f.ct->Ipv6RecordBytes() / 1048576.0, f.ct->huge_pages() ? "advised" : "not available",
      AnonHugePages().c_str());
#ifdef MINIVPC_HAVE_DPDK
  if (!f.base) return;
  std::printf("  baseline state (rte_acl, rte_lpm, rte_hash): %.1f MiB = %.0f B/ENI\n",
              f.base->StateBytes() / 1048576.0, f.base->StateBytes() / enis);
  std::printf("  baseline conntrack (rte_hash + entries): %.1f MiB for %zu flows (%.0f B/flow)\n",
              f.base->ConntrackBytes() / 1048576.0, kConntrack,
              double(f.base->ConntrackBytes()) / double(kConntrack));
#endif
}

}  // namespace
}  // namespace minivpc::bench

int main(int argc, char** argv) {
  namespace mb = minivpc::bench;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::string skipped;
  bool dpdk = false;
#ifdef MINIVPC_HAVE_DPDK
  dpdk = mb::StartDpdkEal(&skipped);
#else
  skipped = "built without DPDK (pkg-config found no libdpdk)";
#endif
  auto f = std::make_unique<mb::Fixture>();
  mb::Build(*f, dpdk);
  mb::VerifyAll(*f);
#ifdef MINIVPC_HAVE_DPDK
  if (dpdk && !f->base) skipped = "the baseline could not be built (see above)";
#endif
  mb::Register(*f);
  mb::RateReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  mb::PrintSummary(*f, reporter, skipped);
  f.reset();
#ifdef MINIVPC_HAVE_DPDK
  if (dpdk) mb::StopDpdkEal();
#endif
  benchmark::Shutdown();
  return 0;
}
