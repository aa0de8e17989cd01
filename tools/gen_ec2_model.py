#!/usr/bin/env python3
"""Extracts the part of botocore's EC2 model that minivpc serves.

Reads botocore's ec2/2016-11-15/service-2.json(.gz) and writes
src/ec2api/model/ec2_model.json: only the operations in OPERATIONS plus the
transitive closure of their input/output shapes, without documentation, as
compact JSON. The output is checked in, so builds never need botocore.

Kept per shape (what the C++ codec in src/ec2api/protocol/ needs):
  type; structure: members (shape, locationName, queryName) in botocore's
  order, required; list: member (shape, locationName); string: enum;
  integer/long/double/float: min, max.
Operations keep only their input/output shape names (either may be absent).

Usage: tools/gen_ec2_model.py [path/to/service-2.json[.gz]] [-o OUT]
"""

import argparse
import gzip
import json
import os
import sys

OPERATIONS = """
CreateVpc DeleteVpc DescribeVpcs ModifyVpcAttribute DescribeVpcAttribute
AssociateVpcCidrBlock DisassociateVpcCidrBlock CreateDefaultVpc
CreateSubnet DeleteSubnet DescribeSubnets ModifySubnetAttribute
AssociateSubnetCidrBlock DisassociateSubnetCidrBlock
CreateNetworkInterface DeleteNetworkInterface DescribeNetworkInterfaces
AttachNetworkInterface DetachNetworkInterface ModifyNetworkInterfaceAttribute
DescribeNetworkInterfaceAttribute ResetNetworkInterfaceAttribute
AssignPrivateIpAddresses UnassignPrivateIpAddresses AssignIpv6Addresses
UnassignIpv6Addresses
RunInstances DescribeInstances StartInstances StopInstances RebootInstances
TerminateInstances DescribeInstanceStatus DescribeInstanceAttribute
ModifyInstanceAttribute DescribeInstanceTypes
CreateInternetGateway DeleteInternetGateway DescribeInternetGateways
AttachInternetGateway DetachInternetGateway
CreateRouteTable DeleteRouteTable DescribeRouteTables AssociateRouteTable
DisassociateRouteTable ReplaceRouteTableAssociation CreateRoute ReplaceRoute
DeleteRoute
CreateSecurityGroup DeleteSecurityGroup DescribeSecurityGroups
AuthorizeSecurityGroupIngress AuthorizeSecurityGroupEgress
RevokeSecurityGroupIngress RevokeSecurityGroupEgress
DescribeSecurityGroupRules ModifySecurityGroupRules
CreateNetworkAcl DeleteNetworkAcl DescribeNetworkAcls CreateNetworkAclEntry
ReplaceNetworkAclEntry DeleteNetworkAclEntry ReplaceNetworkAclAssociation
AllocateAddress ReleaseAddress AssociateAddress DisassociateAddress
DescribeAddresses
CreateTags DeleteTags DescribeTags
DescribeAvailabilityZones DescribeRegions DescribeAccountAttributes
CreateNetworkInsightsPath DescribeNetworkInsightsPaths DeleteNetworkInsightsPath
StartNetworkInsightsAnalysis DescribeNetworkInsightsAnalyses
DeleteNetworkInsightsAnalysis
CreateFlowLogs DescribeFlowLogs DeleteFlowLogs
""".split()

MODEL_SUBDIR = os.path.join("data", "ec2", "2016-11-15")
FALLBACK_DIRS = [
    "/usr/lib/python3/dist-packages/botocore/" + MODEL_SUBDIR,
    os.path.expanduser(
        "~/.pyenv/versions/3.11.7/lib/python3.11/site-packages/botocore/" + MODEL_SUBDIR
    ),
]
METADATA_KEYS = ("apiVersion", "protocol", "xmlNamespace")
MEMBER_KEYS = ("shape", "locationName", "queryName")
NUMERIC_TYPES = ("integer", "long", "double", "float")


def candidate_dirs():
    """Yields directories that may hold the EC2 model, best first."""
    try:
        import botocore  # noqa: PLC0415 (optional dependency)

        yield os.path.join(os.path.dirname(botocore.__file__), MODEL_SUBDIR)
    except ImportError:
        pass
    yield from FALLBACK_DIRS


def find_model():
    for d in candidate_dirs():
        for name in ("service-2.json", "service-2.json.gz"):
            path = os.path.join(d, name)
            if os.path.exists(path):
                return path
    sys.exit("gen_ec2_model: botocore EC2 model not found; pass its path")


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def trim_shape(shape):
    """Returns `shape` reduced to the keys the codec reads."""
    kind = shape["type"]
    out = {"type": kind}
    if kind == "structure":
        out["members"] = {
            name: {k: m[k] for k in MEMBER_KEYS if k in m}
            for name, m in shape.get("members", {}).items()
        }
        if shape.get("required"):
            out["required"] = shape["required"]
    elif kind == "list":
        member = shape["member"]
        out["member"] = {k: member[k] for k in ("shape", "locationName") if k in member}
    elif kind == "string" and "enum" in shape:
        out["enum"] = shape["enum"]
    elif kind in NUMERIC_TYPES:
        out.update({k: shape[k] for k in ("min", "max") if k in shape})
    elif kind == "map":
        sys.exit("gen_ec2_model: map shapes are not supported by the codec")
    return out


def referenced_shapes(shape):
    if shape["type"] == "structure":
        return [m["shape"] for m in shape.get("members", {}).values()]
    if shape["type"] == "list":
        return [shape["member"]["shape"]]
    return []


def trim_model(model):
    ops, pending = {}, []
    for name in sorted(OPERATIONS):
        op = model["operations"].get(name)
        if op is None:
            sys.exit(f"gen_ec2_model: operation {name} is not in the model")
        ops[name] = {k: op[k]["shape"] for k in ("input", "output") if k in op}
        pending.extend(ops[name].values())
    shapes = {}
    while pending:
        name = pending.pop()
        if name in shapes:
            continue
        shapes[name] = trim_shape(model["shapes"][name])
        pending.extend(referenced_shapes(model["shapes"][name]))
    metadata = {k: model["metadata"][k] for k in METADATA_KEYS}
    return {
        "metadata": metadata,
        "operations": ops,
        "shapes": {k: shapes[k] for k in sorted(shapes)},
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "src", "ec2api", "model", "ec2_model.json")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="botocore service-2.json(.gz)")
    parser.add_argument("-o", "--output", default=default_out)
    args = parser.parse_args()
    path = args.model or find_model()
    trimmed = trim_model(load(path))
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(trimmed, f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")
    print(
        f"gen_ec2_model: {path} -> {os.path.normpath(args.output)}: "
        f"{len(trimmed['operations'])} operations, {len(trimmed['shapes'])} shapes"
    )


if __name__ == "__main__":
    main()
