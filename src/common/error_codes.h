// The one table of AWS error codes minivpc returns. Code strings are exactly
// AWS's (see the EC2 API error code reference). HttpStatusFor maps a code to
// the HTTP status the API edge sends; client errors are 4xx.
#pragma once

#include <string_view>

namespace minivpc::err {

// Generic request problems.
inline constexpr std::string_view kInvalidAction = "InvalidAction";
inline constexpr std::string_view kMissingParameter = "MissingParameter";
inline constexpr std::string_view kInvalidParameterValue = "InvalidParameterValue";
inline constexpr std::string_view kInvalidParameter = "InvalidParameter";
inline constexpr std::string_view kInvalidParameterCombination = "InvalidParameterCombination";
inline constexpr std::string_view kUnknownParameter = "UnknownParameter";
inline constexpr std::string_view kMalformedQueryString = "MalformedQueryString";
inline constexpr std::string_view kInvalidQueryParameter = "InvalidQueryParameter";
inline constexpr std::string_view kDryRunOperation = "DryRunOperation";
inline constexpr std::string_view kIdempotentParameterMismatch = "IdempotentParameterMismatch";
inline constexpr std::string_view kInvalidPaginationToken = "InvalidPaginationToken";
inline constexpr std::string_view kInvalidFilter = "InvalidFilter";
inline constexpr std::string_view kAuthFailure = "AuthFailure";
inline constexpr std::string_view kInternalError = "InternalError";
inline constexpr std::string_view kUnsupported = "Unsupported";
inline constexpr std::string_view kDependencyViolation = "DependencyViolation";
inline constexpr std::string_view kOperationNotPermitted = "OperationNotPermitted";
inline constexpr std::string_view kIncorrectState = "IncorrectState";
inline constexpr std::string_view kIncorrectInstanceState = "IncorrectInstanceState";
inline constexpr std::string_view kInvalidRequest = "InvalidRequest";

// Malformed / not found identifiers.
inline constexpr std::string_view kInvalidVpcIdMalformed = "InvalidVpcID.Malformed";
inline constexpr std::string_view kInvalidVpcIdNotFound = "InvalidVpcID.NotFound";
inline constexpr std::string_view kInvalidSubnetIdMalformed = "InvalidSubnetID.Malformed";
inline constexpr std::string_view kInvalidSubnetIdNotFound = "InvalidSubnetID.NotFound";
inline constexpr std::string_view kInvalidNetworkInterfaceIdMalformed =
    "InvalidNetworkInterfaceID.Malformed";
inline constexpr std::string_view kInvalidNetworkInterfaceIdNotFound =
    "InvalidNetworkInterfaceID.NotFound";
inline constexpr std::string_view kInvalidAttachmentIdNotFound = "InvalidAttachmentID.NotFound";
inline constexpr std::string_view kInvalidInstanceIdMalformed = "InvalidInstanceID.Malformed";
inline constexpr std::string_view kInvalidInstanceIdNotFound = "InvalidInstanceID.NotFound";
inline constexpr std::string_view kInvalidAmiIdMalformed = "InvalidAMIID.Malformed";
inline constexpr std::string_view kInvalidGroupIdMalformed = "InvalidGroupId.Malformed";
inline constexpr std::string_view kInvalidGroupNotFound = "InvalidGroup.NotFound";
inline constexpr std::string_view kInvalidGroupDuplicate = "InvalidGroup.Duplicate";
inline constexpr std::string_view kInvalidGroupReserved = "InvalidGroup.Reserved";
inline constexpr std::string_view kCannotDelete = "CannotDelete";
inline constexpr std::string_view kInvalidPermissionDuplicate = "InvalidPermission.Duplicate";
inline constexpr std::string_view kInvalidPermissionNotFound = "InvalidPermission.NotFound";
inline constexpr std::string_view kInvalidPermissionMalformed = "InvalidPermission.Malformed";
inline constexpr std::string_view kInvalidSecurityGroupRuleIdNotFound =
    "InvalidSecurityGroupRuleId.NotFound";
inline constexpr std::string_view kInvalidSecurityGroupRuleIdMalformed =
    "InvalidSecurityGroupRuleId.Malformed";
inline constexpr std::string_view kRulesPerSecurityGroupLimitExceeded =
    "RulesPerSecurityGroupLimitExceeded";
inline constexpr std::string_view kSecurityGroupsPerInterfaceLimitExceeded =
    "SecurityGroupsPerInterfaceLimitExceeded";
inline constexpr std::string_view kInvalidNetworkAclIdMalformed = "InvalidNetworkAclID.Malformed";
inline constexpr std::string_view kInvalidNetworkAclIdNotFound = "InvalidNetworkAclID.NotFound";
inline constexpr std::string_view kInvalidNetworkAclEntryNotFound =
    "InvalidNetworkAclEntry.NotFound";
inline constexpr std::string_view kNetworkAclEntryAlreadyExists = "NetworkAclEntryAlreadyExists";
inline constexpr std::string_view kInvalidAssociationIdNotFound = "InvalidAssociationID.NotFound";
inline constexpr std::string_view kInvalidAssociationIdMalformed = "InvalidAssociationID.Malformed";
inline constexpr std::string_view kInvalidRouteTableIdMalformed = "InvalidRouteTableId.Malformed";
inline constexpr std::string_view kInvalidRouteTableIdNotFound = "InvalidRouteTableID.NotFound";
inline constexpr std::string_view kInvalidRouteNotFound = "InvalidRoute.NotFound";
inline constexpr std::string_view kInvalidRouteInvalidState = "InvalidRoute.InvalidState";
inline constexpr std::string_view kRouteAlreadyExists = "RouteAlreadyExists";
inline constexpr std::string_view kResourceAlreadyAssociated = "Resource.AlreadyAssociated";
inline constexpr std::string_view kInvalidInternetGatewayIdMalformed =
    "InvalidInternetGatewayID.Malformed";
inline constexpr std::string_view kInvalidInternetGatewayIdNotFound =
    "InvalidInternetGatewayID.NotFound";
inline constexpr std::string_view kGatewayNotAttached = "Gateway.NotAttached";
inline constexpr std::string_view kInvalidGatewayIdNotFound = "InvalidGatewayID.NotFound";
inline constexpr std::string_view kInvalidAllocationIdMalformed = "InvalidAllocationID.Malformed";
inline constexpr std::string_view kInvalidAllocationIdNotFound = "InvalidAllocationID.NotFound";
inline constexpr std::string_view kInvalidAddressNotFound = "InvalidAddress.NotFound";
inline constexpr std::string_view kAddressLimitExceeded = "AddressLimitExceeded";
inline constexpr std::string_view kInvalidIpAddressInUse = "InvalidIPAddress.InUse";
inline constexpr std::string_view kInvalidVpcRange = "InvalidVpc.Range";
inline constexpr std::string_view kInvalidSubnetRange = "InvalidSubnet.Range";
inline constexpr std::string_view kInvalidSubnetConflict = "InvalidSubnet.Conflict";
inline constexpr std::string_view kCidrConflict = "CidrConflict";
inline constexpr std::string_view kCidrLimitExceeded = "CidrLimitExceeded";
inline constexpr std::string_view kInvalidCidrBlockInUse = "InvalidCidrBlock.InUse";
inline constexpr std::string_view kInvalidCidrBlockAssociationIdNotFound =
    "InvalidCidrBlockAssociationID.NotFound";
inline constexpr std::string_view kInvalidSubnetCidrBlockAssociationIdNotFound =
    "InvalidSubnetCidrBlockAssociationID.NotFound";
inline constexpr std::string_view kDefaultVpcAlreadyExists = "DefaultVpcAlreadyExists";
inline constexpr std::string_view kDefaultSubnetAlreadyExistsInAvailabilityZone =
    "DefaultSubnetAlreadyExistsInAvailabilityZone";
inline constexpr std::string_view kInvalidNetworkInterfaceInUse = "InvalidNetworkInterface.InUse";
inline constexpr std::string_view kAttachmentLimitExceeded = "AttachmentLimitExceeded";
inline constexpr std::string_view kPrivateIpAddressLimitExceeded = "PrivateIpAddressLimitExceeded";
inline constexpr std::string_view kInsufficientFreeAddressesInSubnet =
    "InsufficientFreeAddressesInSubnet";
inline constexpr std::string_view kInvalidInstanceType = "InvalidInstanceType";
inline constexpr std::string_view kInvalidInstanceAttributeValue = "InvalidInstanceAttributeValue";
inline constexpr std::string_view kInvalidIdMalformed = "InvalidID";
inline constexpr std::string_view kInvalidTagKeyMalformed = "InvalidTagKey.Malformed";
inline constexpr std::string_view kTagLimitExceeded = "TagLimitExceeded";
inline constexpr std::string_view kInvalidNetworkInsightsPathIdNotFound =
    "InvalidNetworkInsightsPathId.NotFound";
inline constexpr std::string_view kInvalidNetworkInsightsAnalysisIdNotFound =
    "InvalidNetworkInsightsAnalysisId.NotFound";

// Route tables, internet gateways, elastic IPs.
inline constexpr std::string_view kInvalidInstanceId = "InvalidInstanceID";
inline constexpr std::string_view kRouteLimitExceeded = "RouteLimitExceeded";
inline constexpr std::string_view kRouteTableLimitExceeded = "RouteTableLimitExceeded";
inline constexpr std::string_view kInternetGatewayLimitExceeded = "InternetGatewayLimitExceeded";
inline constexpr std::string_view kNatGatewayNotFound = "NatGatewayNotFound";
inline constexpr std::string_view kInvalidTransitGatewayIdNotFound =
    "InvalidTransitGatewayID.NotFound";
inline constexpr std::string_view kInvalidVpcPeeringConnectionIdNotFound =
    "InvalidVpcPeeringConnectionID.NotFound";
inline constexpr std::string_view kInvalidVpcEndpointIdNotFound = "InvalidVpcEndpointId.NotFound";
inline constexpr std::string_view kInvalidLocalGatewayIdNotFound = "InvalidLocalGatewayID.NotFound";
inline constexpr std::string_view kInvalidCarrierGatewayIdNotFound =
    "InvalidCarrierGatewayID.NotFound";
inline constexpr std::string_view kInvalidPrefixListIdNotFound = "InvalidPrefixListID.NotFound";
// Security groups and network ACLs.
inline constexpr std::string_view kVpcIdNotSpecified = "VPCIdNotSpecified";
inline constexpr std::string_view kSecurityGroupLimitExceeded = "SecurityGroupLimitExceeded";
inline constexpr std::string_view kNetworkAclLimitExceeded = "NetworkAclLimitExceeded";
inline constexpr std::string_view kNetworkAclEntryLimitExceeded = "NetworkAclEntryLimitExceeded";

// Instances and network interfaces.
inline constexpr std::string_view kMissingInput = "MissingInput";

// Flow logs.
inline constexpr std::string_view kInvalidFlowLogIdNotFound = "InvalidFlowLogId.NotFound";
inline constexpr std::string_view kFlowLogAlreadyExists = "FlowLogAlreadyExists";

// HTTP status the API edge answers with for `code`: 400 for client errors,
// 403 for authentication failures, 500 only for InternalError.
int HttpStatusFor(std::string_view code);

}  // namespace minivpc::err
