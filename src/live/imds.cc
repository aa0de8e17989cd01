#include "live/imds.h"

#include <sys/random.h>

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>
#include <shared_mutex>

#include "common/error_codes.h"
#include "vpc/instance_types.h"
#include "vpc/instances.h"
#include "vpc/network_interfaces.h"
#include "vpc/regions.h"

namespace minivpc::live {
namespace {

constexpr std::string_view kTokenPath = "/latest/api/token";

EniMetadata EniOf(const RegionState& r, const NetworkInterface& e) {
  EniMetadata m;
  m.mac = e.mac.ToString();
  m.device_number = e.attachment ? e.attachment->device_index : 0;
  m.interface_id = e.id;
  m.owner_id = e.owner_id;
  m.subnet_id = e.subnet_id;
  m.vpc_id = e.vpc_id;
  m.local_hostname = PrivateDnsName(r.region, e.primary_ip().address);
  const Vpc* vpc = r.vpcs.Find(e.vpc_id);
  for (const PrivateIp& p : e.private_ips) {
    m.local_ipv4s.push_back(p.address.ToString());
    if (!p.association) continue;
    std::string pub = p.association->public_ip.ToString();
    m.public_ipv4s.push_back(pub);
    m.ipv4_associations[pub] = p.address.ToString();
  }
  if (const auto& a = e.primary_ip().association; a && vpc && vpc->enable_dns_hostnames) {
    m.public_hostname = PublicDnsName(r.region, a->public_ip);
  }
  for (const IpAddress& a : e.ipv6_addresses) m.ipv6s.push_back(a.ToString());
  if (const Subnet* s = r.subnets.Find(e.subnet_id)) {
    m.subnet_ipv4_cidr_block = s->cidr.ToString();
    if (s->ipv6) m.subnet_ipv6_cidr_blocks.push_back(s->ipv6->cidr.ToString());
  }
  if (vpc) {
    m.vpc_ipv4_cidr_block = vpc->cidr.ToString();
    for (const auto& c : vpc->cidrs) {
      if (c.state == "associated") m.vpc_ipv4_cidr_blocks.push_back(c.cidr.ToString());
    }
    for (const auto& c : vpc->ipv6_cidrs) {
      if (c.state == "associated") m.vpc_ipv6_cidr_blocks.push_back(c.cidr.ToString());
    }
  }
  for (const std::string& g : e.group_ids) {
    m.security_group_ids.push_back(g);
    const SecurityGroup* sg = r.security_groups.Find(g);
    m.security_groups.push_back(sg ? sg->name : g);
  }
  return m;
}

std::string Lines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : "\n") + s;
  return out;
}

// "2026-01-01T00:00:00Z": EC2's identity document has no fractional seconds.
std::string PendingTime(int64_t ms) {
  std::string t = FormatIso8601(ms);
  if (size_t dot = t.find('.'); dot != std::string::npos) t = t.substr(0, dot) + "Z";
  return t;
}

std::string IdentityDocument(const InstanceMetadata& md) {
  nlohmann::json doc = {
      {"accountId", md.account_id},
      {"architecture", md.architecture},
      {"availabilityZone", md.availability_zone},
      {"billingProducts", nullptr},
      {"devpayProductCodes", nullptr},
      {"marketplaceProductCodes", nullptr},
      {"imageId", md.ami_id},
      {"instanceId", md.instance_id},
      {"instanceType", md.instance_type},
      {"kernelId", nullptr},
      {"pendingTime", PendingTime(md.pending_time_ms)},
      {"privateIp", md.local_ipv4},
      {"ramdiskId", nullptr},
      {"region", md.region},
      {"version", "2017-09-30"},
  };
  return doc.dump(2);
}

void AddEni(const EniMetadata& e, std::map<std::string, std::string>& t) {
  const std::string p = "meta-data/network/interfaces/macs/" + e.mac + "/";
  t[p + "device-number"] = std::to_string(e.device_number);
  t[p + "interface-id"] = e.interface_id;
  for (const auto& [pub, priv] : e.ipv4_associations) t[p + "ipv4-associations/" + pub] = priv;
  t[p + "ipv6s"] = Lines(e.ipv6s);
  t[p + "local-hostname"] = e.local_hostname;
  t[p + "local-ipv4s"] = Lines(e.local_ipv4s);
  t[p + "mac"] = e.mac;
  t[p + "owner-id"] = e.owner_id;
  t[p + "public-hostname"] = e.public_hostname;
  t[p + "public-ipv4s"] = Lines(e.public_ipv4s);
  t[p + "security-group-ids"] = Lines(e.security_group_ids);
  t[p + "security-groups"] = Lines(e.security_groups);
  t[p + "subnet-id"] = e.subnet_id;
  t[p + "subnet-ipv4-cidr-block"] = e.subnet_ipv4_cidr_block;
  t[p + "subnet-ipv6-cidr-blocks"] = Lines(e.subnet_ipv6_cidr_blocks);
  t[p + "vpc-id"] = e.vpc_id;
  t[p + "vpc-ipv4-cidr-block"] = e.vpc_ipv4_cidr_block;
  t[p + "vpc-ipv4-cidr-blocks"] = Lines(e.vpc_ipv4_cidr_blocks);
  t[p + "vpc-ipv6-cidr-blocks"] = Lines(e.vpc_ipv6_cidr_blocks);
}

// The entries directly under `dir` ("" = /latest/), '/' after subtrees,
// one per line; nullopt when `dir` is not a directory of `tree`.
std::optional<std::string> Listing(const std::map<std::string, std::string>& tree,
                                   const std::string& dir) {
  const std::string prefix = dir.empty() ? "" : dir + "/";
  std::vector<std::string> entries;
  for (auto it = tree.lower_bound(prefix); it != tree.end(); ++it) {
    std::string_view rest(it->first);
    if (rest.substr(0, prefix.size()) != prefix) break;
    rest.remove_prefix(prefix.size());
    size_t slash = rest.find('/');
    // EC2 lists /latest/'s children without the trailing '/'.
    std::string entry(rest.substr(0, slash));
    if (slash != std::string_view::npos && !dir.empty()) entry += '/';
    if (entries.empty() || entries.back() != entry) entries.push_back(std::move(entry));
  }
  if (entries.empty()) return std::nullopt;
  return Lines(entries);
}

std::string_view Reason(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    default:
      return "Internal Server Error";
  }
}

// The path without query and trailing slashes ("/" stays "/").
std::string NormalPath(std::string_view target) {
  std::string_view p = target.substr(0, target.find('?'));
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  return std::string(p);
}

std::optional<int> ParseTtl(const std::optional<std::string>& text) {
  if (!text || text->empty() || text->size() > 5) return std::nullopt;
  int v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  if (v < TokenStore::kMinTtlSeconds || v > TokenStore::kMaxTtlSeconds) return std::nullopt;
  return v;
}

ImdsResponse IssueToken(const ImdsRequest& req, const InstanceMetadata& md, TokenStore& tokens,
                        int64_t now_ms) {
  // EC2 refuses token requests that went through a proxy.
  if (req.forwarded) return ImdsError(403);
  std::optional<int> ttl = ParseTtl(req.token_ttl);
  if (!ttl) return ImdsError(400);
  StatusOr<std::string> token = tokens.Issue(md.instance_id, *ttl, now_ms);
  if (!token.ok()) return ImdsError(500);
  return {200, "text/plain", std::move(token).value(), *ttl};
}

}  // namespace

ImdsResponse ImdsError(int status) {
  std::string title = std::to_string(status) + " - " + std::string(Reason(status));
  return {status, "text/html",
          "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n"
          "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
          "\t\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
          "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
          " <head>\n  <title>" +
              title + "</title>\n </head>\n <body>\n  <h1>" + title + "</h1>\n </body>\n</html>\n",
          0};
}

std::optional<InstanceMetadata> MetadataFromCloud(Cloud& cloud, const std::string& instance_id) {
  std::shared_lock lock(cloud.mutex());
  for (const auto& [key, region] : cloud.regions()) {
    const RegionState& r = *region;
    const Instance* inst = r.instances.Find(instance_id);
    if (!inst) continue;
    if (inst->state == "terminated" || inst->state == "shutting-down") return std::nullopt;
    const NetworkInterface* primary = PrimaryInterface(r, *inst);
    if (!primary) return std::nullopt;
    InstanceMetadata md;
    md.instance_id = inst->id;
    md.instance_type = inst->instance_type;
    md.ami_id = inst->image_id;
    md.ami_launch_index = inst->ami_launch_index;
    md.reservation_id = inst->reservation_id;
    const InstanceTypeInfo* type = FindInstanceType(inst->instance_type);
    if (type && !type->supports_x86_64 && !type->supports_i386) md.architecture = "arm64";
    md.availability_zone = inst->availability_zone;
    md.availability_zone_id = ZoneId(inst->availability_zone);
    md.region = r.region;
    md.account_id = inst->owner_id.empty() ? r.account_id : inst->owner_id;
    md.pending_time_ms = inst->launch_time_ms;
    for (const NetworkInterface* e : AttachedInterfaces(r, *inst)) {
      md.interfaces.push_back(EniOf(r, *e));
    }
    const EniMetadata& p = md.interfaces.front();  // device 0 sorts first
    md.local_ipv4 = primary->primary_ip().address.ToString();
    if (const auto& a = primary->primary_ip().association) md.public_ipv4 = a->public_ip.ToString();
    md.mac = p.mac;
    md.local_hostname = p.local_hostname;
    md.public_hostname = p.public_hostname;
    md.security_groups = p.security_groups;
    return md;
  }
  return std::nullopt;
}

std::map<std::string, std::string> MetadataTree(const InstanceMetadata& md) {
  std::map<std::string, std::string> t;
  t["meta-data/ami-id"] = md.ami_id;
  t["meta-data/ami-launch-index"] = std::to_string(md.ami_launch_index);
  t["meta-data/hostname"] = md.local_hostname;
  t["meta-data/instance-id"] = md.instance_id;
  t["meta-data/instance-life-cycle"] = "on-demand";
  t["meta-data/instance-type"] = md.instance_type;
  t["meta-data/local-hostname"] = md.local_hostname;
  t["meta-data/local-ipv4"] = md.local_ipv4;
  t["meta-data/mac"] = md.mac;
  for (const EniMetadata& e : md.interfaces) AddEni(e, t);
  t["meta-data/placement/availability-zone"] = md.availability_zone;
  t["meta-data/placement/availability-zone-id"] = md.availability_zone_id;
  t["meta-data/placement/region"] = md.region;
  t["meta-data/public-hostname"] = md.public_hostname;
  t["meta-data/public-ipv4"] = md.public_ipv4;
  t["meta-data/reservation-id"] = md.reservation_id;
  t["meta-data/security-groups"] = Lines(md.security_groups);
  t["meta-data/services/domain"] = "amazonaws.com";
  t["meta-data/services/partition"] = "aws";
  t["dynamic/instance-identity/document"] = IdentityDocument(md);
  std::erase_if(t, [](const auto& kv) { return kv.second.empty(); });
  return t;
}

StatusOr<std::string> TokenStore::Issue(const std::string& instance_id, int ttl_seconds,
                                        int64_t now_ms) {
  std::array<uint64_t, 4> words;
  if (random_) {
    for (uint64_t& w : words) w = random_->Next();
  } else if (getrandom(words.data(), sizeof(words), 0) != static_cast<ssize_t>(sizeof(words))) {
    return Status(err::kInternalError, "getrandom failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (uint64_t w : words) {
    for (int shift = 60; shift >= 0; shift -= 4) token += kHex[(w >> shift) & 0xF];
  }
  Erase(token);  // a collision: only a replayed test Random could repeat one
  auto& mine = by_instance_[instance_id];
  auto drop_first = [&] {
    tokens_.erase(mine.begin()->second);
    mine.erase(mine.begin());
  };
  while (!mine.empty() && mine.begin()->first <= now_ms) drop_first();
  while (mine.size() >= kMaxTokensPerInstance) drop_first();
  int64_t expires = now_ms + int64_t{ttl_seconds} * 1000;
  tokens_[token] = Entry{instance_id, expires};
  mine.insert({expires, token});
  return token;
}

std::optional<int> TokenStore::Check(const std::string& token, const std::string& instance_id,
                                     int64_t now_ms) {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return std::nullopt;
  if (it->second.expires_ms <= now_ms) {
    Erase(token);
    return std::nullopt;
  }
  if (it->second.instance_id != instance_id) return std::nullopt;
  return static_cast<int>((it->second.expires_ms - now_ms + 999) / 1000);
}

void TokenStore::Erase(const std::string& token) {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return;
  auto mine = by_instance_.find(it->second.instance_id);
  if (mine != by_instance_.end()) {
    mine->second.erase({it->second.expires_ms, token});
    if (mine->second.empty()) by_instance_.erase(mine);
  }
  tokens_.erase(it);
}

void TokenStore::RemoveInstance(const std::string& instance_id) {
  auto mine = by_instance_.find(instance_id);
  if (mine == by_instance_.end()) return;
  for (const auto& [expires, token] : mine->second) tokens_.erase(token);
  by_instance_.erase(mine);
}

ImdsResponse HandleImdsRequest(const ImdsRequest& req, const InstanceMetadata& md,
                               TokenStore& tokens, int64_t now_ms) {
  const std::string path = NormalPath(req.target);
  if (req.method == "PUT") {
    if (path == kTokenPath) return IssueToken(req, md, tokens, now_ms);
    return ImdsError(req.forwarded ? 403 : 405);
  }
  if (req.method != "GET" || path == kTokenPath) return ImdsError(405);
  int ttl_left = 0;
  if (req.token) {
    std::optional<int> left = tokens.Check(*req.token, md.instance_id, now_ms);
    if (!left) return ImdsError(401);
    ttl_left = *left;
  } else if (md.tokens_required) {
    return ImdsError(401);
  }
  if (path == "/") return {200, "text/plain", "latest", ttl_left};
  if (path != "/latest" && path.rfind("/latest/", 0) != 0) return ImdsError(404);
  const std::string key = path.size() > 7 ? path.substr(8) : "";
  std::map<std::string, std::string> tree = MetadataTree(md);
  if (auto leaf = tree.find(key); leaf != tree.end()) {
    return {200, "text/plain", std::move(leaf->second), ttl_left};
  }
  std::optional<std::string> listing = Listing(tree, key);
  if (!listing) return ImdsError(404);
  return {200, "text/plain", std::move(*listing), ttl_left};
}

}  // namespace minivpc::live
