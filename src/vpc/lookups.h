// Finding resources by id, with AWS's errors: a malformed id gives
// "<Kind>ID.Malformed", a well-formed unknown id "<Kind>ID.NotFound".
#pragma once

#include <string>
#include <string_view>

#include "common/error_codes.h"
#include "common/status.h"
#include "vpc/region_state.h"

namespace minivpc {

// True if `id` is `prefix` + "-" + 8 or 17 lowercase hex digits.
bool IsWellFormedId(std::string_view id, std::string_view prefix);

struct IdKind {
  std::string_view prefix;     // "vpc"
  std::string_view noun;       // "vpc ID" in "The vpc ID 'x' does not exist"
  std::string_view malformed;  // error code
  std::string_view not_found;  // error code
};

inline constexpr IdKind kVpcKind{"vpc", "vpc ID", err::kInvalidVpcIdMalformed,
                                 err::kInvalidVpcIdNotFound};
inline constexpr IdKind kSubnetKind{"subnet", "subnet ID", err::kInvalidSubnetIdMalformed,
                                    err::kInvalidSubnetIdNotFound};
inline constexpr IdKind kEniKind{"eni", "networkInterface ID",
                                 err::kInvalidNetworkInterfaceIdMalformed,
                                 err::kInvalidNetworkInterfaceIdNotFound};
inline constexpr IdKind kInstanceKind{"i", "instance ID", err::kInvalidInstanceIdMalformed,
                                      err::kInvalidInstanceIdNotFound};
inline constexpr IdKind kGroupKind{"sg", "security group", err::kInvalidGroupIdMalformed,
                                   err::kInvalidGroupNotFound};
// EC2's own wording: "The networkAcl ID 'acl-...' does not exist",
// "The routeTable ID 'rtb-...' does not exist".
inline constexpr IdKind kAclKind{"acl", "networkAcl ID", err::kInvalidNetworkAclIdMalformed,
                                 err::kInvalidNetworkAclIdNotFound};
inline constexpr IdKind kRouteTableKind{"rtb", "routeTable ID", err::kInvalidRouteTableIdMalformed,
                                        err::kInvalidRouteTableIdNotFound};
inline constexpr IdKind kIgwKind{"igw", "internetGateway ID",
                                 err::kInvalidInternetGatewayIdMalformed,
                                 err::kInvalidInternetGatewayIdNotFound};
inline constexpr IdKind kAllocationKind{"eipalloc", "allocation ID",
                                        err::kInvalidAllocationIdMalformed,
                                        err::kInvalidAllocationIdNotFound};

// The "does not exist" / "malformed" error for `id` of `kind`.
Status IdError(const IdKind& kind, std::string_view id);

template <typename T>
StatusOr<const T*> Lookup(const Table<T>& table, const IdKind& kind, const std::string& id) {
  if (const T* row = table.Find(id)) return row;
  return IdError(kind, id);
}

}  // namespace minivpc
