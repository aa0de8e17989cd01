#include "live/imds.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>

#include "live/imds_http.h"
#include "live/system.h"
#include "vpc/addresses.h"
#include "vpc/instances.h"
#include "vpc/internet_gateways.h"
#include "vpc/network_interfaces.h"
#include "vpc/regions.h"
#include "vpc/subnets.h"
#include "vpc/vpcs.h"

namespace minivpc::live {
namespace {

constexpr int64_t kNow = 1767225600000;  // 2026-01-01T00:00:00Z
const char* kMac0 = "02:00:00:00:00:01";
const char* kMac1 = "02:00:00:00:00:02";

EniMetadata Eni(const char* mac, int device, const char* id, const char* ip) {
  EniMetadata e;
  e.mac = mac;
  e.device_number = device;
  e.interface_id = id;
  e.owner_id = "123456789012";
  e.subnet_id = "subnet-1";
  e.vpc_id = "vpc-1";
  e.local_hostname = std::string("host-") + id;
  e.local_ipv4s = {ip};
  e.subnet_ipv4_cidr_block = "10.0.1.0/24";
  e.vpc_ipv4_cidr_block = "10.0.0.0/16";
  e.vpc_ipv4_cidr_blocks = {"10.0.0.0/16", "10.1.0.0/16"};
  e.security_group_ids = {"sg-1", "sg-2"};
  e.security_groups = {"default", "web"};
  return e;
}

ImdsRequest Req(const char* method, const std::string& target) {
  ImdsRequest r;
  r.method = method;
  r.target = target;
  return r;
}

// A command's output, or "(failed)": keeps EXPECT_EQ readable.
std::string Out(const StatusOr<std::string>& r) { return r.ok() ? *r : "(failed)"; }

InstanceMetadata Sample() {
  InstanceMetadata md;
  md.instance_id = "i-0123456789abcdef0";
  md.instance_type = "t3.micro";
  md.ami_id = "ami-0123456789abcdef0";
  md.reservation_id = "r-1";
  md.availability_zone = "us-east-1a";
  md.availability_zone_id = "use1-az1";
  md.region = "us-east-1";
  md.account_id = "123456789012";
  md.pending_time_ms = kNow;
  md.local_ipv4 = "10.0.1.5";
  md.public_ipv4 = "198.18.0.7";
  md.mac = kMac0;
  md.local_hostname = "ip-10-0-1-5.ec2.internal";
  md.public_hostname = "ec2-198-18-0-7.compute-1.amazonaws.com";
  md.security_groups = {"default", "web"};
  EniMetadata e0 = Eni(kMac0, 0, "eni-0", "10.0.1.5");
  e0.local_ipv4s.push_back("10.0.1.6");
  e0.public_ipv4s = {"198.18.0.7"};
  e0.ipv4_associations = {{"198.18.0.7", "10.0.1.5"}};
  e0.public_hostname = md.public_hostname;
  e0.ipv6s = {"2600:1f00::5"};
  md.interfaces = {e0, Eni(kMac1, 1, "eni-1", "10.0.1.9")};
  return md;
}

class ImdsHandlerTest : public ::testing::Test {
 protected:
  ImdsResponse Get(const std::string& path, std::optional<std::string> token = std::nullopt) {
    ImdsRequest req = Req("GET", path);
    req.token = std::move(token);
    return HandleImdsRequest(req, md_, tokens_, now_);
  }
  std::string Body(const std::string& path) {
    ImdsResponse r = Get(path);
    EXPECT_EQ(r.status, 200) << path;
    return r.body;
  }
  ImdsResponse Put(std::optional<std::string> ttl, bool forwarded = false) {
    ImdsRequest req = Req("PUT", "/latest/api/token");
    req.token_ttl = std::move(ttl);
    req.forwarded = forwarded;
    return HandleImdsRequest(req, md_, tokens_, now_);
  }
  std::string Token(int ttl = 60) { return Put(std::to_string(ttl)).body; }

  SystemRandom random_{7};
  TokenStore tokens_{&random_};
  InstanceMetadata md_ = Sample();
  int64_t now_ = kNow;
};

TEST_F(ImdsHandlerTest, ServesInstanceLeavesAsPlainText) {
  const std::map<std::string, std::string> want = {
      {"instance-id", "i-0123456789abcdef0"},
      {"instance-type", "t3.micro"},
      {"ami-id", "ami-0123456789abcdef0"},
      {"ami-launch-index", "0"},
      {"reservation-id", "r-1"},
      {"local-ipv4", "10.0.1.5"},
      {"public-ipv4", "198.18.0.7"},
      {"mac", kMac0},
      {"hostname", "ip-10-0-1-5.ec2.internal"},
      {"local-hostname", "ip-10-0-1-5.ec2.internal"},
      {"public-hostname", "ec2-198-18-0-7.compute-1.amazonaws.com"},
      {"placement/availability-zone", "us-east-1a"},
      {"placement/availability-zone-id", "use1-az1"},
      {"placement/region", "us-east-1"},
      {"security-groups", "default\nweb"},
      {"services/domain", "amazonaws.com"},
  };
  for (const auto& [path, value] : want) {
    ImdsResponse r = Get("/latest/meta-data/" + path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, value) << path;
    EXPECT_EQ(r.content_type, "text/plain");
  }
}

TEST_F(ImdsHandlerTest, ListsDirectoriesWithSlashAfterSubtrees) {
  EXPECT_EQ(Body("/latest/meta-data/"),
            "ami-id\nami-launch-index\nhostname\ninstance-id\ninstance-life-cycle\n"
            "instance-type\nlocal-hostname\nlocal-ipv4\nmac\nnetwork/\nplacement/\n"
            "public-hostname\npublic-ipv4\nreservation-id\nsecurity-groups\nservices/");
  EXPECT_EQ(Body("/latest/meta-data"), Body("/latest/meta-data/"));
  EXPECT_EQ(Body("/latest/meta-data/placement/"),
            "availability-zone\navailability-zone-id\nregion");
  EXPECT_EQ(Body("/latest/meta-data/network/"), "interfaces/");
  EXPECT_EQ(Body("/latest/meta-data/network/interfaces/macs/"),
            std::string(kMac0) + "/\n" + kMac1 + "/");
  EXPECT_EQ(Body("/latest/"), "dynamic\nmeta-data");
  EXPECT_EQ(Body("/"), "latest");
  EXPECT_EQ(Body("/latest/dynamic/instance-identity/"), "document");
}

TEST_F(ImdsHandlerTest, ServesEveryInterfaceByMac) {
  const std::string p = std::string("/latest/meta-data/network/interfaces/macs/") + kMac0 + "/";
  EXPECT_EQ(Body(p),
            "device-number\ninterface-id\nipv4-associations/\nipv6s\nlocal-hostname\n"
            "local-ipv4s\nmac\nowner-id\npublic-hostname\npublic-ipv4s\nsecurity-group-ids\n"
            "security-groups\nsubnet-id\nsubnet-ipv4-cidr-block\nvpc-id\nvpc-ipv4-cidr-block\n"
            "vpc-ipv4-cidr-blocks");
  EXPECT_EQ(Body(p + "device-number"), "0");
  EXPECT_EQ(Body(p + "interface-id"), "eni-0");
  EXPECT_EQ(Body(p + "local-ipv4s"), "10.0.1.5\n10.0.1.6");
  EXPECT_EQ(Body(p + "public-ipv4s"), "198.18.0.7");
  EXPECT_EQ(Body(p + "ipv4-associations/"), "198.18.0.7");
  EXPECT_EQ(Body(p + "ipv4-associations/198.18.0.7"), "10.0.1.5");
  EXPECT_EQ(Body(p + "ipv6s"), "2600:1f00::5");
  EXPECT_EQ(Body(p + "mac"), kMac0);
  EXPECT_EQ(Body(p + "owner-id"), "123456789012");
  EXPECT_EQ(Body(p + "security-group-ids"), "sg-1\nsg-2");
  EXPECT_EQ(Body(p + "security-groups"), "default\nweb");
  EXPECT_EQ(Body(p + "subnet-id"), "subnet-1");
  EXPECT_EQ(Body(p + "subnet-ipv4-cidr-block"), "10.0.1.0/24");
  EXPECT_EQ(Body(p + "vpc-id"), "vpc-1");
  EXPECT_EQ(Body(p + "vpc-ipv4-cidr-block"), "10.0.0.0/16");
  EXPECT_EQ(Body(p + "vpc-ipv4-cidr-blocks"), "10.0.0.0/16\n10.1.0.0/16");
  const std::string q = std::string("/latest/meta-data/network/interfaces/macs/") + kMac1 + "/";
  EXPECT_EQ(Body(q + "device-number"), "1");
  EXPECT_EQ(Body(q + "local-hostname"), "host-eni-1");
  // Absent data is absent: no public IPv4 and no IPv6 on the second ENI.
  EXPECT_EQ(Get(q + "public-ipv4s").status, 404);
  EXPECT_EQ(Get(q + "ipv6s").status, 404);
  EXPECT_EQ(Body(q).find("public-ipv4s"), std::string::npos);
}

TEST_F(ImdsHandlerTest, PublicIpv4IsNotFoundWithoutOne) {
  md_.public_ipv4.clear();
  md_.public_hostname.clear();
  EXPECT_EQ(Get("/latest/meta-data/public-ipv4").status, 404);
  EXPECT_EQ(Get("/latest/meta-data/public-hostname").status, 404);
  EXPECT_EQ(Body("/latest/meta-data/").find("public-"), std::string::npos);
}

TEST_F(ImdsHandlerTest, IdentityDocumentIsJson) {
  auto doc = nlohmann::json::parse(Body("/latest/dynamic/instance-identity/document"));
  EXPECT_EQ(doc["accountId"], "123456789012");
  EXPECT_EQ(doc["architecture"], "x86_64");
  EXPECT_EQ(doc["availabilityZone"], "us-east-1a");
  EXPECT_EQ(doc["imageId"], "ami-0123456789abcdef0");
  EXPECT_EQ(doc["instanceId"], "i-0123456789abcdef0");
  EXPECT_EQ(doc["instanceType"], "t3.micro");
  EXPECT_EQ(doc["privateIp"], "10.0.1.5");
  EXPECT_EQ(doc["region"], "us-east-1");
  EXPECT_EQ(doc["version"], "2017-09-30");
  EXPECT_EQ(doc["pendingTime"], "2026-01-01T00:00:00Z");
  EXPECT_TRUE(doc["kernelId"].is_null());
}

TEST_F(ImdsHandlerTest, UnknownPathsAreNotFound) {
  for (const char* path : {"/latest/meta-data/nothing", "/latest/meta-data/placement/x",
                           "/latest/user-data", "/2009-04-04/meta-data/", "/latestx",
                           "/latest/meta-data/network/interfaces/macs/02:ff:ff:ff:ff:ff/mac",
                           "/latest/meta-data/instance-id/more", "relative"}) {
    ImdsResponse r = Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_NE(r.body.find("404 - Not Found"), std::string::npos);
  }
  EXPECT_EQ(Body("/latest/meta-data/instance-id?x=1"), "i-0123456789abcdef0");
}

TEST_F(ImdsHandlerTest, OtherMethodsAreNotAllowed) {
  EXPECT_EQ(HandleImdsRequest(Req("POST", "/latest/meta-data/"), md_, tokens_, now_).status, 405);
  ImdsRequest put = Req("PUT", "/latest/meta-data/");
  put.token_ttl = "60";
  EXPECT_EQ(HandleImdsRequest(put, md_, tokens_, now_).status, 405);
  EXPECT_EQ(Get("/latest/api/token").status, 405);
}

TEST_F(ImdsHandlerTest, PutTokenReturnsATokenAndItsTtl) {
  ImdsResponse r = Put("21600");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.token_ttl_seconds, 21600);
  EXPECT_EQ(r.body.size(), 64u);
  EXPECT_NE(Token(), r.body);  // random, one per request
  EXPECT_EQ(Put("1").status, 200);
}

TEST_F(ImdsHandlerTest, PutTokenRejectsMissingOrInvalidTtl) {
  EXPECT_EQ(Put(std::nullopt).status, 400);
  for (const char* ttl : {"", "0", "21601", "-1", "+5", "abc", "60s", " 60", "99999999999"}) {
    EXPECT_EQ(Put(ttl).status, 400) << "'" << ttl << "'";
  }
  EXPECT_EQ(tokens_.size(), 0u);
}

TEST_F(ImdsHandlerTest, PutThroughAProxyIsForbidden) {
  EXPECT_EQ(Put("60", /*forwarded=*/true).status, 403);
  EXPECT_EQ(tokens_.size(), 0u);
}

TEST_F(ImdsHandlerTest, ValidTokenIsAcceptedAndItsRemainingTtlEchoed) {
  std::string token = Token(60);
  now_ += 20'500;
  ImdsResponse r = Get("/latest/meta-data/instance-id", token);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "i-0123456789abcdef0");
  EXPECT_EQ(r.token_ttl_seconds, 40);
}

TEST_F(ImdsHandlerTest, ExpiredTokenIsUnauthorized) {
  std::string token = Token(2);
  now_ += 1'999;
  EXPECT_EQ(Get("/latest/meta-data/instance-id", token).status, 200);
  now_ += 1;
  ImdsResponse r = Get("/latest/meta-data/instance-id", token);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("401 - Unauthorized"), std::string::npos);
  EXPECT_EQ(tokens_.size(), 0u);  // forgotten
}

TEST_F(ImdsHandlerTest, AnotherInstancesTokenIsUnauthorized) {
  std::string theirs = tokens_.Issue("i-other", 60, now_).value();
  EXPECT_EQ(Get("/latest/meta-data/instance-id", theirs).status, 401);
  EXPECT_EQ(Get("/latest/meta-data/instance-id", "made-up").status, 401);
  EXPECT_EQ(Get("/latest/meta-data/instance-id", "").status, 401);
}

TEST_F(ImdsHandlerTest, NoTokenIsServedUnlessTokensAreRequired) {
  EXPECT_EQ(Get("/latest/meta-data/instance-id").status, 200);
  md_.tokens_required = true;
  EXPECT_EQ(Get("/latest/meta-data/instance-id").status, 401);
  EXPECT_EQ(Get("/latest/meta-data/instance-id", Token()).status, 200);
}

TEST(TokenStoreTest, KeepsAtMostTheLimitPerInstanceEvictingTheEarliestExpiry) {
  SystemRandom random(3);
  TokenStore store(&random);
  std::string other = store.Issue("i-b", 60, kNow).value();
  std::string first = store.Issue("i-a", 10, kNow).value();
  std::vector<std::string> later;
  for (size_t i = 0; i < TokenStore::kMaxTokensPerInstance + 20; ++i) {
    later.push_back(store.Issue("i-a", 600, kNow).value());
  }
  EXPECT_EQ(store.size(), TokenStore::kMaxTokensPerInstance + 1);
  EXPECT_FALSE(store.Check(first, "i-a", kNow));
  EXPECT_TRUE(store.Check(later.back(), "i-a", kNow));
  EXPECT_TRUE(store.Check(other, "i-b", kNow));  // a busy instance cannot evict another's
  store.RemoveInstance("i-a");
  EXPECT_EQ(store.size(), 1u);
  EXPECT_FALSE(store.Check(later.back(), "i-a", kNow));
}

TEST(TokenStoreTest, IssuingPurgesExpiredTokensOfTheInstance) {
  TokenStore store;  // kernel randomness
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store.Issue("i-a", 1, kNow).ok());
  ASSERT_TRUE(store.Issue("i-a", 1, kNow + 1000).ok());
  EXPECT_EQ(store.size(), 1u);
}

class MetadataFromCloudTest : public ::testing::Test {
 protected:
  MetadataFromCloudTest()
      : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {
    CreateVpcArgs va;
    va.cidr_block = "10.0.0.0/16";
    vpc_ = CreateVpc(r_, va).value();
    EXPECT_TRUE(ModifyVpcAttribute(r_, vpc_, std::nullopt, true).ok());
    std::string igw = CreateInternetGateway(r_, {}).value();
    EXPECT_TRUE(AttachInternetGateway(r_, igw, vpc_).ok());
    CreateSubnetArgs sa;
    sa.vpc_id = vpc_;
    sa.cidr_block = "10.0.1.0/24";
    sa.availability_zone = "us-east-1a";
    subnet_ = CreateSubnet(r_, sa).value();
    EXPECT_TRUE(ModifySubnetAttribute(r_, subnet_, true, std::nullopt).ok());
    RunInstancesArgs ra;
    ra.image_id = "ami-0123456789abcdef0";
    ra.subnet_id = subnet_;
    id_ = RunInstances(r_, ra).value().instance_ids.front();
    cloud_.journal().TakeDirty();
  }
  InstanceMetadata Md() {
    std::optional<InstanceMetadata> md = MetadataFromCloud(cloud_, id_);
    EXPECT_TRUE(md.has_value());
    return md.value_or(InstanceMetadata{});
  }
  const NetworkInterface& Primary() { return *PrimaryInterface(r_, *r_.instances.Find(id_)); }

  SystemRandom random_{11};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
  std::string vpc_, subnet_, id_;
};

TEST_F(MetadataFromCloudTest, CopiesTheInstanceAndItsPrimaryInterface) {
  InstanceMetadata md = Md();
  const NetworkInterface& eni = Primary();
  EXPECT_EQ(md.instance_id, id_);
  EXPECT_EQ(md.instance_type, "t2.micro");
  EXPECT_EQ(md.ami_id, "ami-0123456789abcdef0");
  EXPECT_EQ(md.region, "us-east-1");
  EXPECT_EQ(md.account_id, "123456789012");
  EXPECT_EQ(md.availability_zone, "us-east-1a");
  EXPECT_EQ(md.availability_zone_id, ZoneId("us-east-1a"));
  EXPECT_EQ(md.local_ipv4, eni.primary_ip().address.ToString());
  EXPECT_EQ(md.local_hostname, PrivateDnsName("us-east-1", eni.primary_ip().address));
  ASSERT_TRUE(eni.primary_ip().association);
  EXPECT_EQ(md.public_ipv4, eni.primary_ip().association->public_ip.ToString());
  EXPECT_EQ(md.public_hostname,
            PublicDnsName("us-east-1", eni.primary_ip().association->public_ip));
  EXPECT_EQ(md.mac, eni.mac.ToString());
  EXPECT_EQ(md.security_groups, std::vector<std::string>{"default"});
  ASSERT_EQ(md.interfaces.size(), 1u);
  const EniMetadata& e = md.interfaces[0];
  EXPECT_EQ(e.interface_id, eni.id);
  EXPECT_EQ(e.subnet_id, subnet_);
  EXPECT_EQ(e.vpc_id, vpc_);
  EXPECT_EQ(e.subnet_ipv4_cidr_block, "10.0.1.0/24");
  EXPECT_EQ(e.vpc_ipv4_cidr_blocks, std::vector<std::string>{"10.0.0.0/16"});
  EXPECT_EQ(e.security_group_ids, eni.group_ids);
  EXPECT_EQ(e.public_ipv4s, std::vector<std::string>{md.public_ipv4});
}

TEST_F(MetadataFromCloudTest, FollowsStopStartElasticIpsAndAttachedInterfaces) {
  std::string first = Md().public_ipv4;
  ASSERT_TRUE(StopInstances(r_, {id_}).ok());
  EXPECT_EQ(Md().public_ipv4, "");  // released at stop, as EC2 does
  ASSERT_TRUE(StartInstances(r_, {id_}).ok());
  EXPECT_NE(Md().public_ipv4, "");
  EXPECT_NE(Md().public_ipv4, first);  // a new host, a new address

  std::string alloc = AllocateAddress(r_, {}).value();
  AssociateAddressArgs aa;
  aa.allocation_id = alloc;
  aa.instance_id = id_;
  ASSERT_TRUE(AssociateAddress(r_, aa).ok());
  EXPECT_EQ(Md().public_ipv4, r_.addresses.Find(alloc)->public_ip.ToString());

  CreateNetworkInterfaceArgs ca;
  ca.subnet_id = subnet_;
  std::string eni = CreateNetworkInterface(r_, ca).value();
  ASSERT_TRUE(AttachNetworkInterface(r_, eni, id_, 1).ok());
  InstanceMetadata md = Md();
  ASSERT_EQ(md.interfaces.size(), 2u);
  EXPECT_EQ(md.interfaces[1].interface_id, eni);
  EXPECT_EQ(md.interfaces[1].device_number, 1);
  EXPECT_EQ(md.interfaces[1].mac, r_.enis.Find(eni)->mac.ToString());
}

TEST_F(MetadataFromCloudTest, UnknownAndTerminatedInstancesHaveNone) {
  EXPECT_FALSE(MetadataFromCloud(cloud_, "i-00000000000000000"));
  ASSERT_TRUE(TerminateInstances(r_, {id_}).ok());
  EXPECT_FALSE(MetadataFromCloud(cloud_, id_));
}

// The server over real sockets, in this namespace on 127.0.0.1 (no root).
class ImdsServerTest : public ::testing::Test {
 protected:
  ImdsServerTest()
      : server_([this](const std::string& id) -> std::optional<InstanceMetadata> {
          std::lock_guard lock(mu_);
          ++lookups_;
          if (gone_) return std::nullopt;
          InstanceMetadata md = md_;
          md.instance_id = id;
          return md;
        }) {}

  // A listening socket on 127.0.0.1 and an ephemeral port.
  int Listen() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(fd, 16), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    return fd;
  }
  StatusOr<std::string> Curl(std::vector<std::string> args, const std::string& path) {
    std::vector<std::string> argv = {"curl", "-s", "--noproxy", "*", "--max-time", "5"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("http://127.0.0.1:" + std::to_string(port_) + path);
    return RunCapture(argv);
  }
  std::string Code(std::vector<std::string> args, const std::string& path) {
    args.insert(args.end(), {"-o", "/dev/null", "-w", "%{http_code}"});
    return Out(Curl(std::move(args), path));
  }

  std::mutex mu_;
  InstanceMetadata md_ = Sample();
  bool gone_ = false;
  int lookups_ = 0;
  ImdsServer server_;
  int port_ = 0;
};

TEST_F(ImdsServerTest, ServesMetadataAndTokensOverHttp) {
  ASSERT_TRUE(server_.Start().ok());
  ASSERT_TRUE(server_.AddInstanceListener("i-aaaa", Listen()).ok());
  EXPECT_EQ(Out(Curl({}, "/latest/meta-data/instance-id")), "i-aaaa");
  std::string token = Out(
      Curl({"-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60"}, "/latest/api/token"));
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(Out(Curl({"-H", "X-aws-ec2-metadata-token: " + token}, "/latest/meta-data/local-ipv4")),
            "10.0.1.5");
  EXPECT_EQ(Code({"-H", "X-aws-ec2-metadata-token: nope"}, "/latest/meta-data/"), "401");
  EXPECT_EQ(Code({"-X", "PUT"}, "/latest/api/token"), "400");
  EXPECT_EQ(Code({"-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60", "-H",
                  "X-Forwarded-For: 10.0.0.9"},
                 "/latest/api/token"),
            "403");
  EXPECT_EQ(Code({}, "/latest/meta-data/nothing"), "404");
  // Every request looks the instance up: changes show at once.
  {
    std::lock_guard lock(mu_);
    md_.public_ipv4 = "198.18.9.9";
  }
  EXPECT_EQ(Out(Curl({}, "/latest/meta-data/public-ipv4")), "198.18.9.9");
  {
    std::lock_guard lock(mu_);
    gone_ = true;
  }
  EXPECT_EQ(Code({}, "/latest/meta-data/instance-id"), "404");
}

TEST_F(ImdsServerTest, KeepsConnectionsAliveAndAnswersGarbageWith400) {
  ASSERT_TRUE(server_.Start().ok());
  ASSERT_TRUE(server_.AddInstanceListener("i-aaaa", Listen()).ok());
  // curl reuses one connection for both URLs.
  std::string two =
      Out(Curl({"http://127.0.0.1:" + std::to_string(port_) + "/latest/meta-data/mac"},
               "/latest/meta-data/instance-id"));
  EXPECT_EQ(two, std::string(kMac0) + "i-aaaa");
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  const char kGarbage[] = "NOT HTTP AT ALL\r\n\r\n";
  ASSERT_GT(write(fd, kGarbage, sizeof(kGarbage) - 1), 0);
  std::string reply;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) reply.append(buf, static_cast<size_t>(n));
  close(fd);
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
}

TEST_F(ImdsServerTest, RemovedInstanceIsNoLongerServed) {
  ASSERT_TRUE(server_.Start().ok());
  ASSERT_TRUE(server_.AddInstanceListener("i-aaaa", Listen()).ok());
  EXPECT_EQ(Out(Curl({}, "/latest/meta-data/instance-id")), "i-aaaa");
  server_.RemoveInstance("i-aaaa");
  EXPECT_FALSE(Curl({}, "/latest/meta-data/instance-id").ok());  // connection refused
  server_.RemoveInstance("i-aaaa");                              // no-op
  server_.Stop();
}

TEST_F(ImdsServerTest, InstancesAddedBeforeStartAreServedAfterIt) {
  ASSERT_TRUE(server_.AddInstanceListener("i-early", Listen()).ok());
  ASSERT_TRUE(server_.Start().ok());
  EXPECT_EQ(Out(Curl({}, "/latest/meta-data/instance-id")), "i-early");
  server_.Stop();
  EXPECT_FALSE(Curl({}, "/latest/meta-data/instance-id").ok());
}

TEST_F(ImdsServerTest, RejectsAMalformedNamespaceName) {
  EXPECT_EQ(server_.AddInstance("i-aaaa", "../etc").code(), "InvalidParameterValue");
  EXPECT_EQ(server_.AddInstance("i-aaaa", "").code(), "InvalidParameterValue");
}

// The real thing: a namespace, 169.254.169.254 local inside it, curl run
// inside it. Needs root; the namespace is removed whatever happens.
TEST(ImdsNamespaceTest, ServesInsideTheInstanceNamespace) {
  if (!IsRoot()) GTEST_SKIP() << "needs root to create network namespaces";
  const std::string ns = "mv-imds-test-" + std::to_string(getpid());
  (void)live::Run({"ip", "netns", "del", ns});  // a stale one from a crashed run
  if (!live::Run({"ip", "netns", "add", ns}).ok())
    GTEST_SKIP() << "cannot create a network namespace";
  struct Cleanup {
    std::string ns;
    ~Cleanup() { (void)live::Run({"ip", "netns", "del", ns}); }
  } cleanup{ns};

  ImdsServer server([](const std::string& id) -> std::optional<InstanceMetadata> {
    InstanceMetadata md = Sample();
    md.instance_id = id;
    return md;
  });
  ASSERT_TRUE(server.Start().ok());
  Status added = server.AddInstance("i-0ns", ns);
  ASSERT_TRUE(added.ok()) << added.ToString();
  auto curl = [&](std::vector<std::string> args, const std::string& path) {
    std::vector<std::string> argv = {"ip", "netns",     "exec", ns,           "curl",
                                     "-s", "--noproxy", "*",    "--max-time", "5"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(std::string("http://169.254.169.254") + path);
    return RunCapture(argv);
  };
  EXPECT_EQ(Out(curl({}, "/latest/meta-data/instance-id")), "i-0ns");
  std::string token = Out(
      curl({"-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 30"}, "/latest/api/token"));
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(Out(curl({"-H", "X-aws-ec2-metadata-token: " + token}, "/latest/meta-data/mac")),
            kMac0);
  // Port 80 is left to the guest's own servers.
  EXPECT_TRUE(live::Run({"ip", "netns", "exec", ns, "python3", "-c",
                         "import socket; s = socket.socket(); s.bind(('0.0.0.0', 80)); s.listen()"})
                  .ok());
  // The address exists only inside the namespace.
  EXPECT_EQ(Out(RunCapture({"ip", "-o", "addr", "show"})).find("169.254.169.254"),
            std::string::npos);
  // Re-adding (a recreated namespace) replaces the listener.
  ASSERT_TRUE(server.AddInstance("i-0ns", ns).ok());
  EXPECT_EQ(Out(curl({}, "/latest/meta-data/instance-id")), "i-0ns");
  server.RemoveInstance("i-0ns");
  EXPECT_FALSE(curl({}, "/latest/meta-data/instance-id").ok());
  server.Stop();
}

}  // namespace
}  // namespace minivpc::live
