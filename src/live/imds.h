// The instance metadata service (IMDS) as a pure function of a request, an
// instance's metadata and a token store: no sockets, no threads. ImdsServer
// (imds_http.h) serves it at 169.254.169.254 inside every instance namespace.
//
//   TokenStore tokens;
//   std::optional<InstanceMetadata> md = MetadataFromCloud(cloud, "i-0123...");
//   ImdsRequest req;
//   req.method = "GET";
//   req.target = "/latest/meta-data/local-ipv4";
//   ImdsResponse res = HandleImdsRequest(req, *md, tokens, now_ms);
//   // res.status == 200, res.body == "10.0.1.5"
//
// The layout follows EC2's: plain-text leaves without a trailing newline,
// directory listings one entry per line with '/' after subtrees, absent
// data (no public IPv4, no IPv6) absent from listings and 404 when asked
// for. IMDSv2: `PUT /latest/api/token` with a TTL header returns a token;
// a request that presents one must present a valid, unexpired token of this
// instance (else 401); a request without one is served unless the instance
// requires tokens (EC2's HttpTokens=optional is the default).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/random.h"
#include "vpc/cloud.h"

namespace minivpc::live {

// One attached ENI as /latest/meta-data/network/interfaces/macs/<mac>/ shows it.
struct EniMetadata {
  std::string mac;  // "02:ab:cd:ef:01:23"
  int device_number = 0;
  std::string interface_id;
  std::string owner_id;
  std::string subnet_id;
  std::string vpc_id;
  std::string local_hostname;
  std::string public_hostname;            // "" without a public IPv4 or DNS hostnames
  std::vector<std::string> local_ipv4s;   // primary first
  std::vector<std::string> public_ipv4s;  // auto-assigned or elastic
  std::map<std::string, std::string> ipv4_associations;  // public IPv4 -> private IPv4
  std::vector<std::string> ipv6s;
  std::string subnet_ipv4_cidr_block;
  std::vector<std::string> subnet_ipv6_cidr_blocks;
  std::string vpc_ipv4_cidr_block;                // the VPC's primary block
  std::vector<std::string> vpc_ipv4_cidr_blocks;  // every associated block, primary first
  std::vector<std::string> vpc_ipv6_cidr_blocks;
  std::vector<std::string> security_group_ids;
  std::vector<std::string> security_groups;  // names, in the order of the ids
};

// Everything the metadata service shows about one instance, copied out of
// the model so that a request is answered without holding the cloud lock.
struct InstanceMetadata {
  std::string instance_id;
  std::string instance_type;
  std::string ami_id;
  int ami_launch_index = 0;
  std::string reservation_id;
  std::string architecture = "x86_64";  // "x86_64" or "arm64"
  std::string availability_zone;
  std::string availability_zone_id;  // "use1-az1"; "" when unknown
  std::string region;
  std::string account_id;
  int64_t pending_time_ms = 0;  // launch time, for the identity document
  std::string local_ipv4;       // primary ENI's primary private IPv4
  std::string public_ipv4;      // "" when it has none
  std::string mac;              // primary ENI's MAC
  std::string local_hostname;
  std::string public_hostname;               // "" when it has none
  std::vector<std::string> security_groups;  // names, of the primary ENI
  std::vector<EniMetadata> interfaces;       // by device number
  // HttpTokens=required: a request without a token is refused (401).
  bool tokens_required = false;
};

// The metadata of `instance_id`, found in any region of `cloud`, or nullopt
// when no such instance exists, it is terminated or shutting down, or it has
// no primary ENI. Takes cloud.mutex() shared: the caller must not hold it.
std::optional<InstanceMetadata> MetadataFromCloud(Cloud& cloud, const std::string& instance_id);

// Every leaf of the metadata tree of `md`, keyed by its path under /latest/
// ("meta-data/instance-id", "dynamic/instance-identity/document"). Leaves
// whose value would be empty are left out.
std::map<std::string, std::string> MetadataTree(const InstanceMetadata& md);

// IMDSv2 session tokens: random, bound to one instance, expiring after
// their TTL. Memory is bounded: each instance keeps at most
// kMaxTokensPerInstance live tokens; issuing one more evicts the one that
// expires first, so a busy instance cannot evict another's tokens.
// Thread compatible (not thread safe): ImdsServer uses it from one thread.
class TokenStore {
 public:
  static constexpr int kMinTtlSeconds = 1;
  static constexpr int kMaxTtlSeconds = 21600;
  static constexpr size_t kMaxTokensPerInstance = 128;

  // Tokens come from the kernel's CSPRNG (getrandom), or from `random`
  // when given (tests: replayable). `random` is not owned and must outlive
  // the store.
  explicit TokenStore(Random* random = nullptr) : random_(random) {}

  // A new token for `instance_id` valid for `ttl_seconds` (precondition:
  // within [kMinTtlSeconds, kMaxTtlSeconds]) from `now_ms`. InternalError
  // when the kernel has no randomness to give.
  StatusOr<std::string> Issue(const std::string& instance_id, int ttl_seconds, int64_t now_ms);
  // Seconds left (at least 1) when `token` was issued to `instance_id` and
  // has not expired at `now_ms`; nullopt otherwise. Expired tokens are
  // forgotten.
  std::optional<int> Check(const std::string& token, const std::string& instance_id,
                           int64_t now_ms);
  // Forgets every token of `instance_id`.
  void RemoveInstance(const std::string& instance_id);
  size_t size() const { return tokens_.size(); }

 private:
  struct Entry {
    std::string instance_id;
    int64_t expires_ms = 0;
  };
  void Erase(const std::string& token);

  Random* random_;
  std::map<std::string, Entry> tokens_;
  // Per instance: (expiry, token), earliest expiry first.
  std::map<std::string, std::set<std::pair<int64_t, std::string>>> by_instance_;
};

// An HTTP request as the handler needs it; header values are as received.
struct ImdsRequest {
  std::string method;                    // "GET", "PUT", ...
  std::string target;                    // path, maybe with a query
  std::optional<std::string> token;      // X-aws-ec2-metadata-token
  std::optional<std::string> token_ttl;  // X-aws-ec2-metadata-token-ttl-seconds
  bool forwarded = false;                // carries X-Forwarded-For
};

struct ImdsResponse {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  // > 0: sent as X-aws-ec2-metadata-token-ttl-seconds (a token's TTL, or
  // the time left on the token the request presented).
  int token_ttl_seconds = 0;
};

// EC2's HTML error page for `status` ("404 - Not Found"): what the
// server answers when the instance is gone.
ImdsResponse ImdsError(int status);

// Answers one request of instance `md` at `now_ms`, issuing and checking
// tokens in `tokens`:
//   PUT /latest/api/token: 200 and a token; 400 for a missing or invalid TTL
//     (1..21600 seconds); 403 when the request carries X-Forwarded-For.
//   GET: 401 for an invalid, expired or other instance's token, or no token
//     when md.tokens_required; 404 for an unknown path; else 200.
//   Any other method or method/path pair: 405.
// Thread compatible: concurrent calls need distinct TokenStores.
ImdsResponse HandleImdsRequest(const ImdsRequest& req, const InstanceMetadata& md,
                               TokenStore& tokens, int64_t now_ms);

}  // namespace minivpc::live
