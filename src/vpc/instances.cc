// The instance state machine and instance attributes. RunInstances lives
// in instance_launch.cc.
#include "vpc/instances.h"

#include <algorithm>
#include <set>

#include "common/error_codes.h"
#include "vpc/instance_types.h"
#include "vpc/lookups.h"
#include "vpc/network_interfaces.h"

namespace minivpc {

StatusOr<std::vector<Instance>> FindInstances(const RegionState& r,
                                              const std::vector<std::string>& ids) {
  if (ids.empty()) {
    return Status(err::kMissingParameter, "The request must contain the parameter InstanceId");
  }
  std::vector<Instance> out;
  std::vector<std::string> missing;
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) continue;
    if (const Instance* inst = r.instances.Find(id)) {
      out.push_back(*inst);
    } else if (!IsWellFormedId(id, kInstanceKind.prefix)) {
      return IdError(kInstanceKind, id);
    } else {
      missing.push_back(id);
    }
  }
  if (missing.size() == 1) return IdError(kInstanceKind, missing.front());
  if (!missing.empty()) {
    std::string list;
    for (const auto& id : missing) list += (list.empty() ? "" : ", ") + id;
    return Status(err::kInvalidInstanceIdNotFound, "The instance IDs '" + list + "' do not exist");
  }
  return out;
}

namespace {

Status NotInState(const Instance& inst, const std::string& verb) {
  return Status(
      err::kIncorrectInstanceState,
      "The instance '" + inst.id + "' is not in a state from which it can be " + verb + ".");
}

// "User initiated (2026-01-01 00:00:00 GMT)", as EC2 words a user's stop.
std::string UserInitiated(RegionState& r) {
  std::string iso = FormatIso8601(r.now_ms());  // 2026-01-01T00:00:00.000Z
  return "User initiated (" + iso.substr(0, 10) + " " + iso.substr(11, 8) + " GMT)";
}

void Stop(RegionState& r, const Instance& inst) {
  std::optional<IpAddress> released;
  for (const NetworkInterface* e : AttachedInterfaces(r, inst)) {
    const auto& assoc = e->primary_ip().association;
    if (e->attachment->device_index == 0 && assoc && assoc->allocation_id.empty()) {
      released = assoc->public_ip;
    }
    ReleaseAutoPublicIps(r, e->id);
  }
  std::string reason = UserInitiated(r);
  r.instances.Update(inst.id, [&](Instance& i) {
    i.state = "stopped";
    i.state_transition_reason = reason;
    if (released) i.last_public_ip = released;
  });
}

Status Start(RegionState& r, const Instance& inst) {
  r.instances.Update(inst.id, [](Instance& i) {
    i.state = "running";
    i.state_transition_reason.clear();
  });
  const NetworkInterface* primary = PrimaryInterface(r, inst);
  if (!inst.auto_public_ip || primary == nullptr) return Status::Ok();
  return AssignAutoPublicIp(r, primary->id, inst.last_public_ip);
}

Status Terminate(RegionState& r, const Instance& inst) {
  std::vector<std::pair<std::string, bool>> enis;  // id, delete on termination
  for (const NetworkInterface* e : AttachedInterfaces(r, inst)) {
    enis.emplace_back(e->id, e->attachment->delete_on_termination);
  }
  for (const auto& [id, remove] : enis) {
    DetachUnchecked(r, id);
    if (remove) MINIVPC_RETURN_IF_ERROR(DeleteNetworkInterface(r, id));
  }
  std::string reason = UserInitiated(r);
  r.instances.Update(inst.id, [&](Instance& i) {
    i.state = "terminated";
    i.state_transition_reason = reason;
  });
  return Status::Ok();
}

Status ModifyInstanceType(RegionState& r, const Instance& inst, const std::string& name) {
  if (inst.state != "stopped") {
    return Status(err::kIncorrectInstanceState,
                  "The instance '" + inst.id + "' is not in the 'stopped' state.");
  }
  const InstanceTypeInfo* type = FindInstanceType(name);
  if (type == nullptr) {
    return Status(err::kInvalidInstanceAttributeValue,
                  "Value (" + name + ") for parameter instanceType is invalid. Unknown type.");
  }
  std::vector<const NetworkInterface*> enis = AttachedInterfaces(r, inst);
  if (static_cast<int>(enis.size()) > type->max_network_interfaces) {
    return Status(err::kAttachmentLimitExceeded, "Interface count " + std::to_string(enis.size()) +
                                                     " exceeds the limit for " + name);
  }
  for (const NetworkInterface* e : enis) MINIVPC_RETURN_IF_ERROR(CheckInterfaceLimits(*e, *type));
  r.instances.Update(inst.id, [&](Instance& i) { i.instance_type = name; });
  return Status::Ok();
}

}  // namespace

int StateCode(std::string_view state) {
  if (state == "pending") return 0;
  if (state == "running") return 16;
  if (state == "shutting-down") return 32;
  if (state == "terminated") return 48;
  if (state == "stopping") return 64;
  if (state == "stopped") return 80;
  return -1;
}

std::vector<const NetworkInterface*> AttachedInterfaces(const RegionState& r,
                                                        const Instance& inst) {
  std::vector<const NetworkInterface*> out;
  auto it = r.enis_by_instance.find(inst.id);
  if (it == r.enis_by_instance.end()) return out;
  for (const auto& id : it->second) out.push_back(r.enis.Find(id));
  std::sort(out.begin(), out.end(), [](const NetworkInterface* a, const NetworkInterface* b) {
    return a->attachment->device_index < b->attachment->device_index;
  });
  return out;
}

const NetworkInterface* PrimaryInterface(const RegionState& r, const Instance& inst) {
  for (const NetworkInterface* e : AttachedInterfaces(r, inst)) {
    if (e->attachment->device_index == 0) return e;
  }
  return nullptr;
}

StatusOr<std::vector<StateChange>> StartInstances(RegionState& r,
                                                  const std::vector<std::string>& ids) {
  MINIVPC_ASSIGN_OR_RETURN(std::vector<Instance> list, FindInstances(r, ids));
  for (const auto& inst : list) {
    if (inst.state != "running" && inst.state != "stopped") return NotInState(inst, "started");
  }
  std::vector<StateChange> out;
  for (const auto& inst : list) {
    if (inst.state == "running") {
      out.push_back({inst.id, "running", "running"});
      continue;
    }
    MINIVPC_RETURN_IF_ERROR(Start(r, inst));
    out.push_back({inst.id, inst.state, "pending"});
  }
  return out;
}

StatusOr<std::vector<StateChange>> StopInstances(RegionState& r,
                                                 const std::vector<std::string>& ids) {
  MINIVPC_ASSIGN_OR_RETURN(std::vector<Instance> list, FindInstances(r, ids));
  for (const auto& inst : list) {
    if (inst.state != "running" && inst.state != "stopped") return NotInState(inst, "stopped");
  }
  std::vector<StateChange> out;
  for (const auto& inst : list) {
    if (inst.state == "stopped") {
      out.push_back({inst.id, "stopped", "stopped"});
      continue;
    }
    Stop(r, inst);
    out.push_back({inst.id, inst.state, "stopping"});
  }
  return out;
}

StatusOr<std::vector<StateChange>> TerminateInstances(RegionState& r,
                                                      const std::vector<std::string>& ids) {
  MINIVPC_ASSIGN_OR_RETURN(std::vector<Instance> list, FindInstances(r, ids));
  for (const auto& inst : list) {
    if (inst.disable_api_termination && inst.state != "terminated") {
      return Status(err::kOperationNotPermitted,
                    "The instance '" + inst.id +
                        "' may not be terminated. Modify its 'disableApiTermination' instance "
                        "attribute and try again.");
    }
  }
  std::vector<StateChange> out;
  for (const auto& inst : list) {
    if (inst.state == "terminated") {
      out.push_back({inst.id, "terminated", "terminated"});
      continue;
    }
    MINIVPC_RETURN_IF_ERROR(Terminate(r, inst));
    out.push_back({inst.id, inst.state, "shutting-down"});
  }
  return out;
}

Status RebootInstances(RegionState& r, const std::vector<std::string>& ids) {
  MINIVPC_ASSIGN_OR_RETURN(std::vector<Instance> list, FindInstances(r, ids));
  for (const auto& inst : list) {
    if (inst.state == "stopped") return NotInState(inst, "rebooted");
  }
  return Status::Ok();  // a reboot keeps the host, so addresses stay
}

Status ModifyInstanceAttribute(RegionState& r, const std::string& instance_id,
                               const ModifyInstanceArgs& args) {
  MINIVPC_ASSIGN_OR_RETURN(const Instance* found, Lookup(r.instances, kInstanceKind, instance_id));
  const Instance inst = *found;
  int given = args.source_dest_check.has_value() + args.group_ids.has_value() +
              args.instance_type.has_value() + args.disable_api_termination.has_value();
  if (given == 0) {
    return Status(err::kMissingParameter, "The request must contain an attribute to modify.");
  }
  if (given > 1) {
    return Status(err::kInvalidParameterCombination,
                  "Fields for multiple attribute types specified: only one attribute of an "
                  "instance can be modified per request.");
  }
  if (inst.state == "terminated") return NotInState(inst, "modified");
  if (args.instance_type) return ModifyInstanceType(r, inst, *args.instance_type);
  if (args.disable_api_termination) {
    r.instances.Update(
        inst.id, [&](Instance& i) { i.disable_api_termination = *args.disable_api_termination; });
    return Status::Ok();
  }
  const NetworkInterface* primary = PrimaryInterface(r, inst);
  if (primary == nullptr) return NotInState(inst, "modified");
  ModifyNetworkInterfaceArgs m;
  m.source_dest_check = args.source_dest_check;
  m.group_ids = args.group_ids;
  return ModifyNetworkInterfaceAttribute(r, primary->id, m);
}

}  // namespace minivpc
