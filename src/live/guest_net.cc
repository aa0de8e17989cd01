#include "live/guest_net.h"

#include "live/ndp.h"
#include "live/system.h"
#include "live/view.h"

namespace minivpc::live {
namespace {

const char* kDhcpScript = R"(#!/bin/sh
# minivpc: configure an ENI from its DHCP lease, as EC2's network utilities
# do on Amazon Linux: eth0 carries the default route; every other interface
# gets its own routing table, used for traffic from its addresses.
case "$1" in
  deconfig)
    ip -4 addr flush dev "$interface"
    ;;
  bound|renew)
    ip addr replace "$ip/$mask" dev "$interface"
    if [ "$interface" = "eth0" ]; then
      ip route replace default via "$router" dev eth0
    else
      n=${interface#eth}
      t=$((10000 + n))
      ip route replace default via "$router" dev "$interface" table "$t"
      ip rule del from "$ip" table "$t" 2>/dev/null
      ip rule add from "$ip" table "$t" priority "$t"
    fi
    ;;
esac
exit 0
)";

bool IsV6(const std::string& address) { return address.find(':') != std::string::npos; }

// ethN (N > 0): traffic from `address` uses the interface's own table.
void SetSourceRule(const std::string& ns, const GuestEni& e, const std::string& address, bool add) {
  if (e.device_index == 0 || !IsV6(address)) return;
  std::string table = std::to_string(RouteTableOf(e.device_index));
  std::string from = address.substr(0, address.find('/'));
  (void)Run({"ip", "-n", ns, "-6", "rule", "del", "from", from, "table", table});
  if (add) {
    (void)Run(
        {"ip", "-n", ns, "-6", "rule", "add", "from", from, "table", table, "priority", table});
  }
}

}  // namespace

std::string EthName(int device_index) { return "eth" + std::to_string(device_index); }

int RouteTableOf(int device_index) { return 10000 + device_index; }

const char* DhcpScript() { return kDhcpScript; }

void ConfigureStaticIpv4(const std::string& ns, const GuestEni& e) {
  std::string eth = EthName(e.device_index);
  (void)Run({"ip", "-n", ns, "addr", "replace",
             e.primary.ToString() + "/" + std::to_string(e.subnet.prefix()), "dev", eth});
  if (e.device_index == 0) {
    (void)Run(
        {"ip", "-n", ns, "route", "replace", "default", "via", e.router.ToString(), "dev", eth});
  }
}

void SyncAddresses(const std::string& ns, const GuestEni& e, GuestEniState* state) {
  std::string eth = EthName(e.device_index);
  std::set<std::string> wanted;
  for (const auto& a : e.secondary) {
    wanted.insert(a.ToString() + "/" + std::to_string(e.subnet.prefix()));
  }
  // The /64 puts the subnet on link, as the router advertisement's prefix
  // (on-link flag) does on EC2; the address itself is the ENI's.
  for (const auto& a : e.ipv6) wanted.insert(a.ToString() + "/64");
  for (const auto& a : state->addresses) {
    if (wanted.count(a)) continue;
    (void)Run({"ip", "-n", ns, "addr", "del", a, "dev", eth});
    SetSourceRule(ns, e, a, false);
  }
  for (const auto& a : wanted) {
    if (state->addresses.count(a)) continue;
    std::vector<std::string> cmd{"ip", "-n", ns, "addr", "add", a, "dev", eth};
    if (IsV6(a)) cmd.push_back("nodad");  // the address is the ENI's alone
    (void)Run(cmd);
    SetSourceRule(ns, e, a, true);
  }
  state->addresses = std::move(wanted);
  if (e.ipv6.empty() || state->ipv6_route) return;
  std::vector<std::string> route{"ip",      "-n",    ns,
                                 "-6",      "route", "replace",
                                 "default", "via",   LinkLocalOf(MacAddress(kRouterMac)).ToString(),
                                 "dev",     eth};
  if (e.device_index > 0) {
    route.push_back("table");
    route.push_back(std::to_string(RouteTableOf(e.device_index)));
  }
  state->ipv6_route = Run(route).ok();
}

}  // namespace minivpc::live
