// minivpc: the one executable. Subcommands:
//   minivpc serve [--listen HOST:PORT] [--state FILE | --in-memory]
// Client subcommands find the server through --endpoint or MINIVPC_ENDPOINT.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/random.h"
#include "ec2api/service.h"
#include "live/host_names.h"
#include "live/live_manager.h"
#include "live/system.h"
#include "server/client.h"
#include "server/http_server.h"
#include "server/shutdown_signals.h"
#include "server/trace_route.h"
#include "store/persistence.h"
#include "store/store.h"
#include "vpc/cloud.h"

namespace {

constexpr const char* kDefaultListen = "127.0.0.1:8750";

struct ServeFlags {
  std::string listen = kDefaultListen;
  std::string state = "var/minivpc.db";
  bool in_memory = false;
  int threads = 2;
  std::string public_pool = "198.18.0.0/15";
  std::string port_file;
  std::vector<std::string> accounts;  // AKID=ACCOUNT
  std::string default_account = "123456789012";
  std::string default_region = "us-east-1";
  bool live = false;
  bool no_dhcp = false;
};

int Serve(const ServeFlags& f) {
  using namespace minivpc;
  // Before any thread starts (the store's writer, I/O, live mode), so all
  // of them inherit the mask and only the waiter below takes the signals.
  ShutdownSignals::Block();
  auto listen = ParseListenAddress(f.listen);
  if (!listen.ok()) {
    std::cerr << "minivpc: " << listen.status().message() << "\n";
    return 2;
  }
  Cloud::Options opts;
  auto pool = Cidr::Parse(f.public_pool);
  if (!pool.ok() || !pool->is_v4()) {
    std::cerr << "minivpc: --public-pool must be an IPv4 CIDR\n";
    return 2;
  }
  opts.public_pool = *pool;
  ec2api::ServiceOptions sopts;
  sopts.default_account = f.default_account;
  sopts.default_region = f.default_region;
  for (const auto& a : f.accounts) {
    size_t eq = a.find('=');
    if (eq == std::string::npos) {
      std::cerr << "minivpc: --account expects ACCESS_KEY=ACCOUNT_ID\n";
      return 2;
    }
    sopts.accounts[a.substr(0, eq)] = a.substr(eq + 1);
  }

  std::unique_ptr<Store> store;
  if (f.in_memory) {
    store = NewMemoryStore();
  } else {
    std::filesystem::path p(f.state);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    auto opened = OpenSqliteStore(f.state);
    if (!opened.ok()) {
      std::cerr << "minivpc: " << opened.status().message() << "\n";
      return 1;
    }
    store = std::move(opened).value();
  }
  SystemRandom random;
  SystemClock clock;
  Cloud cloud(opts, &random, &clock);
  auto t0 = std::chrono::steady_clock::now();
  size_t rows = 0;
  Status restored = RestoreCloud(*store, cloud, &rows);
  if (!restored.ok()) {
    std::cerr << "minivpc: restoring state failed: " << restored.message() << "\n";
    return 1;
  }
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  ec2api::Ec2Service service(cloud, *store, sopts);
  HttpServer server(service, f.threads);
  server.AddRoute("/minivpc/trace", MakeTraceRoute(cloud, f.default_account, f.default_region));
  Status st = server.Listen(listen->first, listen->second);
  if (!st.ok()) {
    std::cerr << "minivpc: " << st.message() << "\n";
    return 1;
  }
  std::unique_ptr<live::LiveManager> live_mode;
  if (f.live) {
    live::LiveOptions lo;
    lo.state_path = f.in_memory ? "" : f.state;
    lo.dhcp = !f.no_dhcp;
    lo.run_dir =
        (f.in_memory ? std::string("var") : std::filesystem::path(f.state).parent_path().string());
    if (lo.run_dir.empty()) lo.run_dir = ".";
    lo.flow_log_dir = lo.run_dir + "/flow-logs";
    lo.run_dir += "/live";
    live_mode = std::make_unique<live::LiveManager>(cloud, lo);
    Status ls = live_mode->Start();
    if (!ls.ok()) {
      std::cerr << "minivpc: " << ls.message() << "\n";
      return 1;
    }
    service.SetChangeHook([&live_mode] { live_mode->Notify(); });
    std::printf(
        "minivpc: live mode: instances are network namespaces (mv-<tag>-<instance-id>), "
        "internet hosts in %s\n",
        live_mode->internet_namespace().c_str());
  }
  if (!f.port_file.empty()) std::ofstream(f.port_file) << server.port() << "\n";
  std::printf("minivpc: state %s (%zu rows restored in %.1f ms)\n",
              f.in_memory ? "in memory" : f.state.c_str(), rows, ms);
  std::printf("minivpc: listening on http://%s:%u\n", listen->first.c_str(), server.port());
  std::fflush(stdout);
  {
    ShutdownSignals signals([&server](int signo) {
      std::printf("minivpc: signal %d, stopping\n", signo);
      std::fflush(stdout);
      server.Stop();
    });
    server.Run();
  }
  // The I/O threads have stopped but their context still exists, so a commit
  // still queued can finish and post its reply harmlessly; closing the store
  // here (writer drained and joined, database closed) keeps that true.
  auto t1 = std::chrono::steady_clock::now();
  if (live_mode) live_mode->Stop();
  store.reset();
  std::printf(
      "minivpc: stopped (store closed in %.1f ms)\n",
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count());
  return 0;
}

struct TraceFlags {
  std::string endpoint;
  std::string source;
  std::string destination;
  std::string protocol = "tcp";
  int port = 0;
  int source_port = 49152;
  std::string source_ip;
  std::string region;
  std::string account;
  std::string output = "text";
};

int Trace(const TraceFlags& f) {
  using namespace minivpc;
  nlohmann::json req{{"source", f.source},           {"destination", f.destination},
                     {"protocol", f.protocol},       {"port", f.port},
                     {"source_port", f.source_port}, {"source_ip", f.source_ip}};
  std::string region = f.region;
  if (region.empty()) {
    if (const char* env = std::getenv("AWS_DEFAULT_REGION"); env && *env) region = env;
  }
  if (!region.empty()) req["region"] = region;
  if (!f.account.empty()) req["account"] = f.account;
  int status = 0;
  auto body = HttpPost(ResolveEndpoint(f.endpoint), "/minivpc/trace", req.dump(), &status);
  if (!body.ok()) {
    std::cerr << "minivpc trace: " << body.status().message() << "\n";
    return 2;
  }
  auto out = nlohmann::json::parse(*body, nullptr, false);
  if (out.is_discarded()) {
    std::cerr << "minivpc trace: unexpected answer (HTTP " << status << ")\n";
    return 2;
  }
  if (status != 200) {
    std::cerr << "minivpc trace: " << out.value("error", "") << ": " << out.value("message", "")
              << "\n";
    return 2;
  }
  if (f.output == "json") {
    out.erase("text");
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << out.value("text", "");
  }
  return out.value("reachable", false) ? 0 : 1;
}

// Replaces this process with CMD inside network namespace `ns`.
int ExecIn(const std::string& ns, const std::vector<std::string>& cmd) {
  if (!minivpc::live::IsRoot()) {
    std::cerr << "minivpc: entering a namespace needs root\n";
    return 2;
  }
  std::vector<std::string> argv{"ip", "netns", "exec", ns};
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  execvp("ip", args.data());
  std::perror("minivpc: ip netns exec");
  return 127;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"minivpc: AWS VPC networking on one machine"};
  app.require_subcommand(1);
  ServeFlags serve;
  CLI::App* s = app.add_subcommand("serve", "Run the EC2 API server");
  s->add_option("--listen", serve.listen, "HOST:PORT to listen on")->capture_default_str();
  auto* state = s->add_option("--state", serve.state, "SQLite state file")->capture_default_str();
  s->add_flag("--in-memory", serve.in_memory, "Keep state in memory only")->excludes(state);
  s->add_option("--threads", serve.threads, "I/O threads")->capture_default_str();
  s->add_option("--public-pool", serve.public_pool, "Emulated public IPv4 pool")
      ->capture_default_str();
  s->add_option("--port-file", serve.port_file, "Write the bound port here (for tests)");
  s->add_option("--account", serve.accounts, "Map an access key to an account: AKID=ACCOUNT");
  s->add_option("--default-account", serve.default_account)->capture_default_str();
  s->add_option("--default-region", serve.default_region,
                "Region for requests without a SigV4 credential scope")
      ->capture_default_str();
  s->add_flag("--live", serve.live,
              "Instances become network namespaces and their traffic crosses the data plane "
              "(root)");
  s->add_flag("--no-dhcp", serve.no_dhcp, "Live mode: configure addresses statically");

  std::string exec_instance;
  std::vector<std::string> exec_cmd;
  CLI::App* ex = app.add_subcommand("exec", "Run a command inside a live instance (root)");
  ex->add_option("instance", exec_instance, "Instance id")->required();
  ex->add_option("command", exec_cmd, "Command (after --)")->required()->expected(-1);
  CLI::App* inet = app.add_subcommand("internet", "The emulated internet (live mode)");
  std::vector<std::string> inet_cmd;
  CLI::App* inet_exec = inet->add_subcommand("exec", "Run a command on the internet host (root)");
  std::string inet_state;
  inet_exec->add_option("--state", inet_state,
                        "The live server's state file (needed when several run)");
  inet_exec->add_option("command", inet_cmd, "Command (after --)")->required()->expected(-1);
  inet->require_subcommand(1);

  TraceFlags trace;
  CLI::App* t = app.add_subcommand(
      "trace", "Explain one packet's forward and return path (exit 0 if it gets through)");
  t->add_option(
      "--endpoint", trace.endpoint,
      "Server URL (default: $MINIVPC_ENDPOINT or " + std::string(minivpc::kDefaultEndpoint) + ")");
  t->add_option("--source", trace.source, "ENI id, instance id, or 'internet'")->required();
  t->add_option("--destination", trace.destination, "Destination IPv4/IPv6 address")->required();
  t->add_option("--protocol", trace.protocol, "tcp, udp, icmp, icmpv6 or a number")
      ->capture_default_str();
  t->add_option("--port", trace.port, "Destination port (ICMP: type)");
  t->add_option("--source-port", trace.source_port)->capture_default_str();
  t->add_option("--source-ip", trace.source_ip, "Send from this address instead");
  t->add_option("--region", trace.region, "Region (default: $AWS_DEFAULT_REGION or the server's)");
  t->add_option("--account", trace.account, "Account id (default: the server's)");
  t->add_option("--output", trace.output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (s->parsed()) return Serve(serve);
  if (t->parsed()) return Trace(trace);
  if (ex->parsed()) {
    std::string ns = minivpc::live::NamespaceOf(exec_instance);
    if (ns.empty()) {
      std::cerr << "minivpc: no live instance " << exec_instance << " on this machine\n";
      return 2;
    }
    return ExecIn(ns, exec_cmd);
  }
  if (inet_exec->parsed()) {
    auto ns = minivpc::live::FindInternetNamespace(inet_state);
    if (!ns.ok()) {
      std::cerr << "minivpc: " << ns.status().message() << "\n";
      return 2;
    }
    return ExecIn(*ns, inet_cmd);
  }
  return 0;
}
