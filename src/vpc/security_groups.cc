#include "vpc/security_groups.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

#include "common/error_codes.h"
#include "vpc/defaults.h"
#include "vpc/lookups.h"
#include "vpc/vpcs.h"

namespace minivpc {
namespace {

constexpr size_t kMaxGroupTextLength = 255;
constexpr std::string_view kGroupTextPunctuation = " ._-:/()#,@[]+=&;{}!$*";

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool IsGroupTextChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         kGroupTextPunctuation.find(c) != std::string_view::npos;
}

Status CheckGroupName(const std::string& name) {
  MINIVPC_RETURN_IF_ERROR(CheckGroupText(name, "GroupName"));
  if (Lower(name) == "default") {
    // EC2-VPC answers InvalidParameterValue here; InvalidGroup.Reserved was
    // the EC2-Classic answer, which no longer exists.
    return Status(err::kInvalidParameterValue, "Cannot use reserved security group name: default");
  }
  if (name.rfind("sg-", 0) == 0) {
    return Status(err::kInvalidParameterValue, "Group names may not be in the format sg-*");
  }
  return Status::Ok();
}

StatusOr<const Vpc*> GroupVpc(const RegionState& r, const std::string& vpc_id) {
  if (!vpc_id.empty()) return Lookup(r.vpcs, kVpcKind, vpc_id);
  std::string default_vpc = DefaultVpcId(r);
  if (default_vpc.empty()) {
    return Status(err::kVpcIdNotSpecified, "No default VPC for this user");
  }
  return r.vpcs.Find(default_vpc);
}

// True if another group references `group_id` from one of its rules.
bool ReferencedByOtherGroup(const RegionState& r, const std::string& group_id) {
  auto it = r.group_referenced_by.find(group_id);
  if (it == r.group_referenced_by.end()) return false;
  const std::string self = group_id + "/";
  for (const auto& owner_and_rule : it->second) {
    if (owner_and_rule.rfind(self, 0) != 0) return true;
  }
  return false;
}

}  // namespace

Status CheckGroupText(const std::string& text, const std::string& member) {
  if (text.empty()) {
    return Status(err::kMissingParameter, "The request must contain the parameter " + member);
  }
  if (text.size() > kMaxGroupTextLength) {
    return Status(err::kInvalidParameterValue,
                  "Value for parameter " + member + " is invalid. Length exceeds maximum of 255.");
  }
  if (!std::all_of(text.begin(), text.end(), IsGroupTextChar)) {
    return Status(err::kInvalidParameterValue,
                  "Value (" + text + ") for parameter " + member +
                      " is invalid. Valid characters: a-z, A-Z, 0-9, spaces, and "
                      "._-:/()#,@[]+=&;{}!$*");
  }
  return Status::Ok();
}

const SecurityGroup* FindGroupByName(const RegionState& r, const std::string& vpc_id,
                                     const std::string& name) {
  auto it = r.groups_by_vpc.find(vpc_id);
  if (it == r.groups_by_vpc.end()) return nullptr;
  const std::string wanted = Lower(name);
  for (const auto& id : it->second) {
    const SecurityGroup* g = r.security_groups.Find(id);
    if (g && Lower(g->name) == wanted) return g;
  }
  return nullptr;
}

StatusOr<std::string> CreateSecurityGroup(RegionState& r, const CreateSecurityGroupArgs& args) {
  MINIVPC_RETURN_IF_ERROR(CheckGroupName(args.name));
  MINIVPC_RETURN_IF_ERROR(CheckGroupText(args.description, "GroupDescription"));
  MINIVPC_ASSIGN_OR_RETURN(const Vpc* vpc, GroupVpc(r, args.vpc_id));
  if (FindGroupByName(r, vpc->id, args.name)) {
    return Status(err::kInvalidGroupDuplicate, "The security group '" + args.name +
                                                   "' already exists for VPC '" + vpc->id + "'");
  }
  if (r.security_groups.size() >= kMaxSecurityGroupsPerRegion) {
    return Status(err::kSecurityGroupLimitExceeded,
                  "The maximum number of security groups has been reached.");
  }
  SecurityGroup g;
  g.id = r.NewId("sg");
  g.vpc_id = vpc->id;
  g.owner_id = r.account_id;
  g.name = args.name;
  g.description = args.description;
  g.tags = args.tags;
  g.rules.push_back(AllowAllEgress(r, Cidr::Parse("0.0.0.0/0").value()));
  if (!vpc->ipv6_cidrs.empty()) g.rules.push_back(AllowAllEgress(r, Cidr::Parse("::/0").value()));
  std::string id = g.id;
  r.security_groups.Put(std::move(g));
  return id;
}

StatusOr<std::string> ResolveGroup(const RegionState& r, const std::string& group_id,
                                   const std::string& group_name) {
  if (!group_id.empty()) {
    MINIVPC_ASSIGN_OR_RETURN(const SecurityGroup* g,
                             Lookup(r.security_groups, kGroupKind, group_id));
    return g->id;
  }
  if (group_name.empty()) {
    return Status(err::kMissingParameter,
                  "The request must contain the parameter groupName or groupId");
  }
  std::string default_vpc = DefaultVpcId(r);
  const SecurityGroup* g = FindGroupByName(r, default_vpc, group_name);
  if (!g) {
    return Status(err::kInvalidGroupNotFound,
                  "The security group '" + group_name + "' does not exist in default VPC '" +
                      (default_vpc.empty() ? "none" : default_vpc) + "'");
  }
  return g->id;
}

Status DeleteSecurityGroup(RegionState& r, const std::string& group_id) {
  MINIVPC_ASSIGN_OR_RETURN(const SecurityGroup* g, Lookup(r.security_groups, kGroupKind, group_id));
  if (g->is_default) {
    return Status(err::kCannotDelete, "the specified group: \"" + group_id + "\" name: \"" +
                                          g->name + "\" cannot be deleted by a user");
  }
  auto used = r.group_eni_count.find(group_id);
  if ((used != r.group_eni_count.end() && used->second > 0) ||
      ReferencedByOtherGroup(r, group_id)) {
    return Status(err::kDependencyViolation, "resource " + group_id + " has a dependent object");
  }
  r.security_groups.Erase(group_id);
  return Status::Ok();
}

Status ValidateGroupsForEni(const RegionState& r, const std::string& vpc_id,
                            const std::vector<std::string>& group_ids) {
  if (group_ids.empty()) {
    return Status(err::kInvalidParameterValue, "At least one security group must be specified.");
  }
  if (group_ids.size() > kMaxSecurityGroupsPerEni) {
    return Status(err::kSecurityGroupsPerInterfaceLimitExceeded,
                  "You have exceeded the maximum number of security groups allowed per network "
                  "interface. The maximum is 5.");
  }
  std::set<std::string> seen;
  for (const auto& id : group_ids) {
    MINIVPC_ASSIGN_OR_RETURN(const SecurityGroup* g, Lookup(r.security_groups, kGroupKind, id));
    if (g->vpc_id != vpc_id) {
      return Status(err::kInvalidGroupNotFound,
                    "You have specified two resources that belong to different networks.");
    }
    if (!seen.insert(id).second) {
      return Status(err::kInvalidParameterValue,
                    "The security group '" + id + "' is specified more than once.");
    }
  }
  return Status::Ok();
}

}  // namespace minivpc
