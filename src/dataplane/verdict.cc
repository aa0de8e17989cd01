#include "dataplane/verdict.h"

namespace minivpc::dp {

const char* DropReasonName(DropReason r) {
  switch (r) {
    case DropReason::kNone:
      return "none";
    case DropReason::kSourceDestCheck:
      return "source_dest_check";
    case DropReason::kSecurityGroup:
      return "security_group";
    case DropReason::kNetworkAcl:
      return "network_acl";
    case DropReason::kNoRoute:
      return "no_route";
    case DropReason::kBlackholeRoute:
      return "blackhole_route";
    case DropReason::kNoDestination:
      return "no_destination";
    case DropReason::kNoPublicIp:
      return "no_public_ip";
    case DropReason::kNoNatMapping:
      return "no_nat_mapping";
    case DropReason::kGatewayNotAttached:
      return "gateway_not_attached";
    case DropReason::kEniNotActive:
      return "eni_not_active";
    case DropReason::kConntrackFull:
      return "conntrack_allowance_exceeded";
    case DropReason::kFragmentWithoutFirst:
      return "fragment_without_first";
    case DropReason::kMalformed:
      return "malformed";
    case DropReason::kCount:
      break;
  }
  return "unknown";
}

const char* ExplanationCode(DropReason r) {
  switch (r) {
    case DropReason::kNone:
      return "";
    case DropReason::kSourceDestCheck:
      return "ENI_SOURCE_DEST_CHECK_RESTRICTION";
    case DropReason::kSecurityGroup:
      return "ENI_SG_RULES_MISMATCH";
    case DropReason::kNetworkAcl:
      return "SUBNET_ACL_RESTRICTION";
    case DropReason::kNoRoute:
      return "NO_ROUTE_TO_DESTINATION";
    case DropReason::kBlackholeRoute:
      return "BAD_STATE_ROUTE";
    case DropReason::kNoDestination:
      return "NO_ROUTE_TO_DESTINATION";
    case DropReason::kNoPublicIp:
      return "IGW_NO_PUBLIC_IP";  // see README: internet gateway codes
    case DropReason::kNoNatMapping:
      return "IGW_NO_PUBLIC_IP";
    case DropReason::kGatewayNotAttached:
      return "BAD_STATE_ATTACHMENT";
    case DropReason::kEniNotActive:
      return "BAD_STATE";
    case DropReason::kConntrackFull:
      return "CONNTRACK_ALLOWANCE_EXCEEDED";
    case DropReason::kFragmentWithoutFirst:
      return "FRAGMENT_WITHOUT_FIRST";
    case DropReason::kMalformed:
      return "MALFORMED_PACKET";
    case DropReason::kCount:
      break;
  }
  return "";
}

}  // namespace minivpc::dp
