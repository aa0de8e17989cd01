// DescribeInstanceAttribute and ModifyInstanceAttribute. The network
// attributes (sourceDestCheck, groupSet) are those of the primary ENI.
#include "ec2api/handler_util.h"
#include "ec2api/instance_shapes.h"
#include "ec2api/interface_shapes.h"
#include "vpc/instance_types.h"

namespace minivpc::ec2api {
namespace {

json Value(json v) { return {{"Value", std::move(v)}}; }

StatusOr<json> DescribeInstanceAttributeHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "InstanceId", "InstanceId"));
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "Attribute", "Attribute"));
  std::string id = GetString(c.input, "InstanceId");
  MINIVPC_ASSIGN_OR_RETURN(const Instance* inst, Lookup(c.region.instances, kInstanceKind, id));
  const NetworkInterface* primary = PrimaryInterface(c.region, *inst);
  const InstanceTypeInfo* type = FindInstanceType(inst->instance_type);
  std::string attr = GetString(c.input, "Attribute");
  json out{{"InstanceId", id}};
  if (attr == "instanceType") {
    out["InstanceType"] = Value(inst->instance_type);
  } else if (attr == "sourceDestCheck") {
    out["SourceDestCheck"] = Value(primary ? primary->source_dest_check : true);
  } else if (attr == "groupSet") {
    out["Groups"] =
        RenderGroupIdentifiers(c.region, primary ? primary->group_ids : std::vector<std::string>{});
  } else if (attr == "disableApiTermination") {
    out["DisableApiTermination"] = Value(inst->disable_api_termination);
  } else if (attr == "disableApiStop") {
    out["DisableApiStop"] = Value(false);
  } else if (attr == "instanceInitiatedShutdownBehavior") {
    out["InstanceInitiatedShutdownBehavior"] = Value("stop");
  } else if (attr == "rootDeviceName") {
    out["RootDeviceName"] = Value("/dev/xvda");
  } else if (attr == "blockDeviceMapping") {
    out["BlockDeviceMappings"] = json::array();
  } else if (attr == "productCodes") {
    out["ProductCodes"] = json::array();
  } else if (attr == "ebsOptimized") {
    out["EbsOptimized"] = Value(false);
  } else if (attr == "enaSupport") {
    out["EnaSupport"] = Value(type != nullptr && type->ena_support != "unsupported");
  } else if (attr == "enclaveOptions") {
    out["EnclaveOptions"] = {{"Enabled", false}};
  } else if (attr == "userData") {
    out["UserData"] = json::object();
  } else if (attr == "kernel") {
    out["KernelId"] = json::object();
  } else if (attr == "ramdisk") {
    out["RamdiskId"] = json::object();
  } else if (attr == "sriovNetSupport") {
    out["SriovNetSupport"] = json::object();
  } else {
    return Status(err::kInvalidParameterValue,
                  "Value (" + attr + ") for parameter attribute is invalid. Unknown attribute.");
  }
  return out;
}

StatusOr<bool> ParseBoolText(const std::string& text, const std::string& attr) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return Status(err::kInvalidParameterValue,
                "Value (" + text + ") for parameter " + attr + " is invalid. Expected a boolean.");
}

// The Attribute + Value form: ModifyInstanceAttribute(Attribute="sourceDestCheck",
// Value="false").
Status ApplyAttributeValue(const std::string& attr, const std::string& value,
                           ModifyInstanceArgs& args) {
  if (attr == "sourceDestCheck") {
    MINIVPC_ASSIGN_OR_RETURN(args.source_dest_check, ParseBoolText(value, attr));
  } else if (attr == "disableApiTermination") {
    MINIVPC_ASSIGN_OR_RETURN(args.disable_api_termination, ParseBoolText(value, attr));
  } else if (attr == "instanceType") {
    args.instance_type = value;
  } else {
    return Status(err::kUnsupported, "Modifying the attribute '" + attr +
                                         "' with Attribute/Value is not supported by this "
                                         "emulator.");
  }
  return Status::Ok();
}

StatusOr<json> ModifyInstanceAttributeHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "InstanceId", "InstanceId"));
  for (const char* member :
       {"BlockDeviceMappings", "Kernel", "Ramdisk", "UserData", "InstanceInitiatedShutdownBehavior",
        "SriovNetSupport", "EnaSupport", "EbsOptimized", "DisableApiStop"}) {
    if (c.input.contains(member)) {
      return Status(err::kUnsupported,
                    std::string(member) + " cannot be modified in this emulator.");
    }
  }
  ModifyInstanceArgs args;
  args.source_dest_check = GetOptBool(c.input, "SourceDestCheck");
  args.disable_api_termination = GetOptBool(c.input, "DisableApiTermination");
  if (c.input.contains("Groups")) args.group_ids = GetStrings(c.input, "Groups");
  if (c.input.contains("InstanceType")) {
    args.instance_type = GetString(c.input["InstanceType"], "Value");
  }
  if (auto attr = GetOptString(c.input, "Attribute")) {
    ModifyInstanceArgs single;
    MINIVPC_RETURN_IF_ERROR(ApplyAttributeValue(*attr, GetString(c.input, "Value"), single));
    if (args.source_dest_check || args.disable_api_termination || args.group_ids ||
        args.instance_type) {
      return Status(err::kInvalidParameterCombination,
                    "Fields for multiple attribute types specified: Attribute and an attribute "
                    "parameter.");
    }
    args = single;
  }
  MINIVPC_RETURN_IF_ERROR(
      ModifyInstanceAttribute(c.region, GetString(c.input, "InstanceId"), args));
  return json::object();
}

}  // namespace

void RegisterInstanceAttributeActions(ActionTable& t) {
  t["DescribeInstanceAttribute"] = {Access::kRead, DescribeInstanceAttributeHandler};
  t["ModifyInstanceAttribute"] = {Access::kWrite, ModifyInstanceAttributeHandler};
}

}  // namespace minivpc::ec2api
