#include "vpc/cloud.h"

#include "common/error_codes.h"

namespace minivpc {

Cloud::Cloud(Options options, Random* random, Clock* clock)
    : options_(std::move(options)), random_(random), clock_(clock) {}

RegionState* Cloud::FindRegion(const std::string& account, const std::string& region) {
  auto it = regions_.find({account, region});
  return it == regions_.end() ? nullptr : it->second.get();
}

RegionState& Cloud::EmptyRegion(const std::string& account, const std::string& region) {
  auto& slot = regions_[{account, region}];
  if (!slot) slot = std::make_unique<RegionState>(this, account, region);
  return *slot;
}

StatusOr<IpAddress> Cloud::AllocatePublicIp() {
  const Cidr& pool = options_.public_pool;
  uint128 size = pool.Size();
  // Random probing keeps addresses unpredictable, as AWS's are; fall back
  // to a scan when the pool is nearly full.
  // The pool's last /24 belongs to the emulated internet's own hosts.
  const uint128 usable = size > 512 ? size - 256 : size;
  for (int attempt = 0; attempt < 64; ++attempt) {
    IpAddress ip = pool.base().Plus(random_->Uniform(static_cast<uint64_t>(usable)));
    if (!public_ips_.count(ip)) return ip;
  }
  for (uint128 i = 0; i < usable; ++i) {
    IpAddress ip = pool.base().Plus(i);
    if (!public_ips_.count(ip)) return ip;
  }
  return Status(err::kAddressLimitExceeded, "The public IPv4 address pool is exhausted.");
}

MacAddress Cloud::AllocateMac() {
  for (;;) {
    // Locally administered unicast (0x02 in the first octet), as EC2's are.
    MacAddress mac((uint64_t{0x02} << 40) | (random_->Next() & 0xFFFFFFFFFFull));
    if (!macs_.count(mac)) return mac;
  }
}

StatusOr<Cidr> Cloud::AllocateIpv6Block() {
  const Cidr& pool = options_.ipv6_pool;
  uint64_t blocks = uint64_t{1} << (56 - pool.prefix());
  for (int attempt = 0; attempt < 64; ++attempt) {
    Cidr block = pool.Subnet(56, random_->Uniform(blocks));
    if (!ipv6_blocks_.count(block)) return block;
  }
  return Status(err::kInsufficientFreeAddressesInSubnet, "No IPv6 CIDR block is available.");
}

void Cloud::NotePublicIp(IpAddress ip, bool used) {
  if (used) {
    public_ips_.insert(ip);
  } else if (auto it = public_ips_.find(ip); it != public_ips_.end()) {
    public_ips_.erase(it);
  }
}

void Cloud::NoteMac(MacAddress mac, bool used) {
  if (used) {
    macs_.insert(mac);
  } else if (auto it = macs_.find(mac); it != macs_.end()) {
    macs_.erase(it);
  }
}

void Cloud::NoteIpv6Block(const Cidr& block, bool used) {
  if (used) {
    ipv6_blocks_.insert(block);
  } else if (auto it = ipv6_blocks_.find(block); it != ipv6_blocks_.end()) {
    ipv6_blocks_.erase(it);
  }
}

}  // namespace minivpc
