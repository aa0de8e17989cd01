// JSON (de)serialisation of the resource rows. Field names are stable: they
// are the on-disk schema of the store. Missing fields take defaults, so new
// fields can be added without migrating old state files.
#pragma once

#include "vpc/resources.h"

namespace minivpc {

#define MINIVPC_JSON(Type, ...) NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Type, __VA_ARGS__)

MINIVPC_JSON(CidrAssociation, association_id, cidr, state)
MINIVPC_JSON(Vpc, id, owner_id, cidr, cidrs, ipv6_cidrs, is_default, dhcp_options_id, tenancy,
             enable_dns_support, enable_dns_hostnames, main_route_table_id, main_association_id,
             default_acl_id, default_security_group_id, tags)
MINIVPC_JSON(Subnet, id, vpc_id, owner_id, availability_zone, cidr, ipv6, map_public_ip_on_launch,
             assign_ipv6_on_creation, default_for_az, route_table_id, route_association_id,
             network_acl_id, network_acl_association_id, tags)
MINIVPC_JSON(PublicIpAssociation, public_ip, allocation_id, association_id)
MINIVPC_JSON(PrivateIp, address, primary, association)
MINIVPC_JSON(EniAttachment, id, instance_id, device_index, attach_time_ms, delete_on_termination,
             status)
MINIVPC_JSON(NetworkInterface, id, subnet_id, vpc_id, availability_zone, owner_id, description, mac,
             private_ips, ipv6_addresses, group_ids, source_dest_check, interface_type, attachment,
             tags)
MINIVPC_JSON(Instance, id, owner_id, reservation_id, image_id, instance_type, subnet_id, vpc_id,
             availability_zone, key_name, client_token, state, state_transition_reason,
             launch_time_ms, ami_launch_index, primary_eni_id, auto_public_ip, last_public_ip,
             disable_api_termination, tags)
MINIVPC_JSON(SecurityGroupRule, id, is_egress, ip_protocol, from_port, to_port, cidr,
             referenced_group_id, referenced_owner_id, description, tags)
MINIVPC_JSON(SecurityGroup, id, vpc_id, owner_id, name, description, is_default, rules, tags)
MINIVPC_JSON(NetworkAclEntry, rule_number, egress, protocol, allow, cidr, icmp_type, icmp_code,
             port_from, port_to)
MINIVPC_JSON(NetworkAcl, id, vpc_id, owner_id, is_default, entries, tags)
MINIVPC_JSON(Route, destination, gateway_id, network_interface_id, instance_id, origin)
MINIVPC_JSON(RouteTable, id, vpc_id, owner_id, routes, tags)
MINIVPC_JSON(InternetGateway, id, owner_id, vpc_id, tags)
MINIVPC_JSON(ElasticIp, id, owner_id, public_ip, network_border_group, association_id,
             network_interface_id, private_ip, tags)
MINIVPC_JSON(PathPortRange, from, to)
MINIVPC_JSON(PathFilter, source_address, destination_address, source_ports, destination_ports)
MINIVPC_JSON(NetworkInsightsPath, id, source, destination, source_ip, destination_ip, protocol,
             destination_port, created_ms, tags, filter_at_source, filter_at_destination)
MINIVPC_JSON(NetworkInsightsAnalysis, id, path_id, started_ms, status, path_found, findings, tags)
MINIVPC_JSON(FlowLog, id, resource_id, resource_type, traffic_type, log_destination_type,
             log_destination, log_group_name, deliver_logs_permission_arn,
             deliver_cross_account_role, log_format, max_aggregation_interval, deliver_logs_status,
             file_format, hive_compatible_partitions, per_hour_partition, creation_time_ms, tags)
MINIVPC_JSON(IdempotencyRecord, id, request_hash, response)

#undef MINIVPC_JSON

}  // namespace minivpc
