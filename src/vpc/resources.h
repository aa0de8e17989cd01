// The EC2 networking resources as plain value types, one row each.
//
// These are the durable state: each struct round-trips through JSON (the
// store persists one document per row) and nothing here holds pointers.
// Relationships are ids. Derived facts (an ENI's status, a route's
// blackhole state, a table's associations) are computed, not stored.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "net/ip.h"
#include "vpc/json_types.h"

namespace minivpc {

using Tags = std::map<std::string, std::string>;

struct CidrAssociation {
  std::string association_id;  // vpc-cidr-assoc-... / subnet-cidr-assoc-...
  Cidr cidr;
  std::string state = "associated";
};

struct Vpc {
  std::string id;
  std::string owner_id;
  Cidr cidr;                                // primary IPv4 block
  std::vector<CidrAssociation> cidrs;       // IPv4 blocks, primary first
  std::vector<CidrAssociation> ipv6_cidrs;  // Amazon-provided /56
  bool is_default = false;
  std::string dhcp_options_id;
  std::string tenancy = "default";
  bool enable_dns_support = true;
  bool enable_dns_hostnames = false;
  std::string main_route_table_id;
  std::string main_association_id;  // rtbassoc- of the main table
  std::string default_acl_id;
  std::string default_security_group_id;
  Tags tags;
};

struct Subnet {
  std::string id;
  std::string vpc_id;
  std::string owner_id;
  std::string availability_zone;
  Cidr cidr;
  std::optional<CidrAssociation> ipv6;  // a /64 from the VPC's /56
  bool map_public_ip_on_launch = false;
  bool assign_ipv6_on_creation = false;
  bool default_for_az = false;
  std::string route_table_id;  // explicit association; "" = main
  std::string route_association_id;
  std::string network_acl_id;  // always set
  std::string network_acl_association_id;
  Tags tags;
};

// A public IPv4 mapped 1:1 to a private IPv4 at the internet gateway.
struct PublicIpAssociation {
  IpAddress public_ip;
  std::string allocation_id;   // eipalloc- for an elastic IP; "" = auto-assigned
  std::string association_id;  // eipassoc- for an elastic IP
};

struct PrivateIp {
  IpAddress address;
  bool primary = false;
  std::optional<PublicIpAssociation> association;
};

struct EniAttachment {
  std::string id;  // eni-attach-...
  std::string instance_id;
  int device_index = 0;
  int64_t attach_time_ms = 0;
  bool delete_on_termination = false;
  std::string status = "attached";
};

struct NetworkInterface {
  std::string id;
  std::string subnet_id;
  std::string vpc_id;
  std::string availability_zone;
  std::string owner_id;
  std::string description;
  MacAddress mac;
  std::vector<PrivateIp> private_ips;  // primary first
  std::vector<IpAddress> ipv6_addresses;
  std::vector<std::string> group_ids;  // 1..5
  bool source_dest_check = true;
  std::string interface_type = "interface";
  std::optional<EniAttachment> attachment;
  Tags tags;

  const PrivateIp& primary_ip() const { return private_ips.front(); }
  bool in_use() const { return attachment.has_value(); }
};

struct Instance {
  std::string id;
  std::string owner_id;
  std::string reservation_id;
  std::string image_id;
  std::string instance_type;
  std::string subnet_id;
  std::string vpc_id;
  std::string availability_zone;
  std::string key_name;
  std::string client_token;
  std::string state = "pending";  // pending|running|stopping|stopped|shutting-down|terminated
  std::string state_transition_reason;
  int64_t launch_time_ms = 0;
  int ami_launch_index = 0;
  std::string primary_eni_id;
  bool auto_public_ip = false;  // launched with an auto-assigned public IPv4
  // The auto-assigned public IPv4 released at the last stop: the next start
  // picks a different one, as a move to a new host does.
  std::optional<IpAddress> last_public_ip;
  bool disable_api_termination = false;
  Tags tags;
};

struct SecurityGroupRule {
  std::string id;  // sgr-...
  bool is_egress = false;
  std::string ip_protocol = "-1";  // "-1", "tcp", "udp", "icmp", "icmpv6" or a number
  int from_port = -1;              // ICMP type for icmp
  int to_port = -1;                // ICMP code for icmp
  std::optional<Cidr> cidr;        // IPv4 or IPv6
  std::string referenced_group_id;
  std::string referenced_owner_id;
  std::string description;
  Tags tags;
};

struct SecurityGroup {
  std::string id;
  std::string vpc_id;
  std::string owner_id;
  std::string name;
  std::string description;
  bool is_default = false;
  std::vector<SecurityGroupRule> rules;
  Tags tags;
};

struct NetworkAclEntry {
  int rule_number = 0;
  bool egress = false;
  std::string protocol = "-1";  // "-1" or a protocol number as text
  bool allow = false;
  std::optional<Cidr> cidr;  // IPv4 or IPv6
  std::optional<int> icmp_type;
  std::optional<int> icmp_code;
  std::optional<int> port_from;
  std::optional<int> port_to;
  bool operator==(const NetworkAclEntry&) const = default;
};

struct NetworkAcl {
  std::string id;
  std::string vpc_id;
  std::string owner_id;
  bool is_default = false;
  std::vector<NetworkAclEntry> entries;  // without the implicit * deny rules
  Tags tags;
};

struct Route {
  Cidr destination;
  std::string gateway_id;            // "local" or igw-...
  std::string network_interface_id;  // eni-... (also set for instance targets)
  std::string instance_id;           // i-... when the route targets an instance
  std::string origin = "CreateRoute";
};

struct RouteTable {
  std::string id;
  std::string vpc_id;
  std::string owner_id;
  std::vector<Route> routes;
  Tags tags;
};

struct InternetGateway {
  std::string id;
  std::string owner_id;
  std::string vpc_id;  // "" when detached
  Tags tags;
};

struct ElasticIp {
  std::string id;  // eipalloc-...
  std::string owner_id;
  IpAddress public_ip;
  std::string network_border_group;
  std::string association_id;  // eipassoc-... when associated
  std::string network_interface_id;
  std::optional<IpAddress> private_ip;
  Tags tags;
};

// An inclusive port range of a Reachability Analyzer path filter.
struct PathPortRange {
  int from = 0;
  int to = 65535;
};

// FilterAtSource / FilterAtDestination of a network insights path: the
// packet's addresses and ports as seen at the source or at the destination.
struct PathFilter {
  std::optional<IpAddress> source_address;
  std::optional<IpAddress> destination_address;
  std::optional<PathPortRange> source_ports;
  std::optional<PathPortRange> destination_ports;
};

// Reachability Analyzer: a path to analyse (nip-...).
struct NetworkInsightsPath {
  std::string id;
  std::string source;       // instance, ENI or internet gateway id
  std::string destination;  // instance, ENI or internet gateway id, or ""
  std::string source_ip;
  std::string destination_ip;
  std::string protocol = "tcp";
  int destination_port = 0;  // 0 = any
  int64_t created_ms = 0;
  Tags tags;
  std::optional<PathFilter> filter_at_source;
  std::optional<PathFilter> filter_at_destination;
};

// One run of an analysis over a path (nia-...). The findings are kept as the
// EC2 output shape (JSON), computed once when the analysis is started.
struct NetworkInsightsAnalysis {
  std::string id;
  std::string path_id;
  int64_t started_ms = 0;
  std::string status = "succeeded";
  bool path_found = false;
  nlohmann::json findings;  // ForwardPathComponents, ReturnPathComponents, Explanations
  Tags tags;
};

// A VPC flow log (fl-...): which traffic of a VPC, subnet or network
// interface is recorded, in which record format, and where it is delivered.
// Immutable once created (AWS has no ModifyFlowLogs), except for its tags.
struct FlowLog {
  std::string id;
  std::string resource_id;           // vpc-, subnet- or eni-
  std::string resource_type;         // "VPC" | "Subnet" | "NetworkInterface"
  std::string traffic_type;          // "ACCEPT" | "REJECT" | "ALL"
  std::string log_destination_type;  // "cloud-watch-logs" | "s3" | "kinesis-data-firehose"
  std::string log_destination;       // the destination's ARN
  std::string log_group_name;        // cloud-watch-logs only
  std::string deliver_logs_permission_arn;
  std::string deliver_cross_account_role;
  std::string log_format;              // "${field} ${field} ..."
  int max_aggregation_interval = 600;  // seconds: 60 or 600
  std::string deliver_logs_status = "SUCCESS";
  // s3 DestinationOptions ("" = not given).
  std::string file_format;
  bool hive_compatible_partitions = false;
  bool per_hour_partition = false;
  int64_t creation_time_ms = 0;
  Tags tags;
};

// A remembered ClientToken: the same token with the same request returns the
// first answer again.
struct IdempotencyRecord {
  std::string id;  // action + "/" + token
  std::string request_hash;
  nlohmann::json response;
};

}  // namespace minivpc
