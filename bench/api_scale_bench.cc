// Scale: 100,000 ENIs across 400 subnets through the real EC2 service and a
// real SQLite file (every create acknowledged only once durable), then the
// memory held, the time to restart from the file, and what a
// DescribeNetworkInterfaces filtered by subnet costs next to an unfiltered one
// and next to the same describe in a small account (one subnet, 250 ENIs).
//
// Requests go through Ec2Service::Handle in process (no HTTP: the HTTP path is
// measured by bench/run.sh with wrk). Up to kInFlight creates are outstanding
// at once so group commit can batch fsyncs, as it does under real load.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "ec2api/service.h"
#include "store/persistence.h"
#include "store/store.h"
#include "vpc/cloud.h"

namespace minivpc {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kSubnets = 400;
constexpr int kEnisPerSubnet = 250;
constexpr int kInFlight = 64;

double RssMiB() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, rss = 0;
  f >> pages >> rss;
  return static_cast<double>(rss) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

std::string Field(const std::string& xml, const std::string& tag) {
  size_t a = xml.find("<" + tag + ">");
  if (a == std::string::npos) return "";
  a += tag.size() + 2;
  return xml.substr(a, xml.find("</" + tag + ">", a) - a);
}

struct Sync {
  std::mutex mu;
  std::condition_variable cv;
  int outstanding = 0;
  std::vector<double> latencies_us;
  int errors = 0;
};

ec2api::ApiResponse Call(ec2api::Ec2Service& svc, const std::string& body) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  ec2api::ApiResponse out;
  svc.Handle({body, "", ""}, [&](ec2api::ApiResponse r) {
    std::lock_guard l(mu);
    out = std::move(r);
    done = true;
    cv.notify_one();
  });
  std::unique_lock l(mu);
  cv.wait(l, [&] { return done; });
  return out;
}

// Median wall time of `runs` calls of `body`, in milliseconds.
double MedianMs(ec2api::Ec2Service& svc, const std::string& body, int runs = 5) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto a = Clock::now();
    auto r = Call(svc, body);
    benchmark::DoNotOptimize(r);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

std::string DescribeBySubnet(const std::string& subnet) {
  return "Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=subnet-id"
         "&Filter.1.Value.1=" +
         subnet;
}

// The same describe in a small account: one subnet holding as many ENIs as
// each subnet of the large one. With the subnet index the two cost alike.
double SmallAccountDescribeMs() {
  auto store = NewMemoryStore();
  SystemRandom random(3);
  SystemClock clock;
  Cloud cloud({}, &random, &clock);
  ec2api::Ec2Service svc(cloud, *store);
  std::string vpc =
      Field(Call(svc, "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16").body, "vpcId");
  std::string subnet = Field(
      Call(svc, "Action=CreateSubnet&Version=2016-11-15&VpcId=" + vpc + "&CidrBlock=10.0.0.0/24")
          .body,
      "subnetId");
  for (int i = 0; i < kEnisPerSubnet; ++i) {
    Call(svc, "Action=CreateNetworkInterface&Version=2016-11-15&SubnetId=" + subnet);
  }
  return MedianMs(svc, DescribeBySubnet(subnet));
}

void BM_Scale100kEnis(benchmark::State& state) {
  for (auto _ : state) {
    auto dir =
        std::filesystem::temp_directory_path() / ("minivpc-scale-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::string path = (dir / "state.db").string();
    double rss_before = RssMiB();
    std::vector<std::string> subnets;
    Sync sync;
    double create_secs = 0;
    {
      auto store = OpenSqliteStore(path).value();
      SystemRandom random(1);
      SystemClock clock;
      Cloud cloud({}, &random, &clock);
      ec2api::Ec2Service svc(cloud, *store);
      std::string vpc = Field(
          Call(svc, "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16").body, "vpcId");
      Call(svc, "Action=AssociateVpcCidrBlock&Version=2016-11-15&VpcId=" + vpc +
                    "&CidrBlock=10.1.0.0/16");
      for (int i = 0; i < kSubnets; ++i) {
        std::string cidr =
            "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24";
        auto r =
            Call(svc, "Action=CreateSubnet&Version=2016-11-15&VpcId=" + vpc + "&CidrBlock=" + cidr);
        subnets.push_back(Field(r.body, "subnetId"));
      }
      auto t0 = Clock::now();
      for (int n = 0; n < kSubnets * kEnisPerSubnet; ++n) {
        {
          std::unique_lock l(sync.mu);
          sync.cv.wait(l, [&] { return sync.outstanding < kInFlight; });
          ++sync.outstanding;
        }
        auto start = Clock::now();
        svc.Handle(
            {"Action=CreateNetworkInterface&Version=2016-11-15&SubnetId=" + subnets[n % kSubnets],
             "", ""},
            [&sync, start](ec2api::ApiResponse r) {
              double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
              std::lock_guard l(sync.mu);
              sync.latencies_us.push_back(us);
              if (r.status != 200) ++sync.errors;
              --sync.outstanding;
              sync.cv.notify_all();
            });
      }
      {
        std::unique_lock l(sync.mu);
        sync.cv.wait(l, [&] { return sync.outstanding == 0; });
      }
      create_secs = std::chrono::duration<double>(Clock::now() - t0).count();
      state.counters["rss_after_create_MiB"] = RssMiB() - rss_before;

      state.counters["describe_by_subnet_ms"] = MedianMs(svc, DescribeBySubnet(subnets[7]));
      // The same subnet as a wildcard pattern matching only itself: the
      // index is bypassed, so this is what a scan of every ENI costs.
      state.counters["describe_by_subnet_scan_ms"] =
          MedianMs(svc, DescribeBySubnet(subnets[7] + "*"), 3);
      state.counters["describe_all_ms"] =
          MedianMs(svc, "Action=DescribeNetworkInterfaces&Version=2016-11-15", 1);
      // An unpaged describe of every ENI builds the whole answer in memory.
      state.counters["rss_after_describe_all_MiB"] = RssMiB() - rss_before;
    }
    std::sort(sync.latencies_us.begin(), sync.latencies_us.end());
    auto pct = [&](double p) {
      return sync.latencies_us[static_cast<size_t>(p * (sync.latencies_us.size() - 1))];
    };
    state.counters["enis"] = static_cast<double>(sync.latencies_us.size());
    state.counters["errors"] = sync.errors;
    state.counters["creates_per_s"] = static_cast<double>(sync.latencies_us.size()) / create_secs;
    state.counters["create_p50_us"] = pct(0.5);
    state.counters["create_p99_us"] = pct(0.99);

    auto t1 = Clock::now();
    {
      auto store = OpenSqliteStore(path).value();
      SystemRandom random(2);
      SystemClock clock;
      Cloud cloud({}, &random, &clock);
      size_t rows = 0;
      Status st = RestoreCloud(*store, cloud, &rows);
      state.counters["restart_s"] = std::chrono::duration<double>(Clock::now() - t1).count();
      state.counters["restored_rows"] = static_cast<double>(rows);
      if (!st.ok()) state.SkipWithError(st.message().c_str());
    }
    state.counters["small_account_describe_by_subnet_ms"] = SmallAccountDescribeMs();
    state.counters["db_MiB"] = static_cast<double>(std::filesystem::file_size(path)) / (1 << 20);
    // MINIVPC_SCALE_KEEP_DB=FILE keeps the state file, e.g. to time a real
    // `minivpc serve --state FILE` start on it.
    if (const char* keep = std::getenv("MINIVPC_SCALE_KEEP_DB"); keep && *keep) {
      std::filesystem::copy_file(path, keep, std::filesystem::copy_options::overwrite_existing);
    }
    std::filesystem::remove_all(dir);
  }
}
BENCHMARK(BM_Scale100kEnis)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
}  // namespace minivpc

BENCHMARK_MAIN();
