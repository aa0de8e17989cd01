// The EC2 Query protocol, driven by the botocore EC2 model.
//
//   const ApiModel& model = ApiModel::Get();
//   MINIVPC_ASSIGN_OR_RETURN(QueryParams params, ParseFormUrlEncoded(body));
//   // ...remove Action, Version and X-Amz-* from params...
//   StatusOr<nlohmann::json> in = model.DecodeInput("DescribeVpcs", params);
//   //   {"VpcIds": ["vpc-1"], "Filters": [{"Name": "state", "Values": ["available"]}]}
//   std::string xml = in.ok() ? model.EncodeOutput("DescribeVpcs", result, request_id)
//                             : EncodeError(in.status(), request_id);
//
// Requests and responses are JSON keyed by botocore member names
// ("VpcIds", "Vpcs", "CidrBlock"), so handlers never see wire spellings
// (VpcId.1, vpcSet). The model is the trimmed extract in
// model/ec2_model.json (tools/gen_ec2_model.py), linked into the binary and
// compiled once into index-based tables: per request, one hash lookup for
// the operation and a binary search per parameter segment (about 1.5 us to
// decode a RunInstances request, 3.5 us to encode ten VPCs, on one core).
//
// This header also brings in the rest of the wire layer: ParseFormUrlEncoded
// (form_urlencoded.h) and EncodeError (error_document.h).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ec2api/protocol/error_document.h"
#include "ec2api/protocol/form_urlencoded.h"

namespace minivpc::ec2api {

namespace internal {
class ShapeTable;
}

class ApiModel {
 public:
  // The model embedded in the binary, built on first use. Aborts if the
  // embedded model is corrupt (a build defect, not an input problem).
  // Thread safe; the returned object lives until exit.
  static const ApiModel& Get();

  // A model from trimmed-model JSON text (the format gen_ec2_model.py
  // writes). Error code InternalError when the text is not such a model.
  static StatusOr<ApiModel> FromJson(std::string_view model_json);

  ApiModel(ApiModel&&) noexcept;
  ApiModel& operator=(ApiModel&&) noexcept;
  ~ApiModel();

  // All const methods are safe to call concurrently.

  // Whether `op` (an Action value such as "DescribeVpcs") is modelled.
  bool HasOperation(std::string_view op) const;

  // Decodes the request parameters of `op` into a JSON object keyed by input
  // member names, following botocore's EC2 serializer in reverse: a member is
  // spelled by its queryName, else its capitalised locationName, else its
  // name; list elements are Name.1, Name.2, ... (sparse indices are read in
  // index order); structures nest with '.'. Integers become JSON numbers
  // (range-checked against the model), booleans JSON booleans, timestamps and
  // strings stay text; enum values are not checked (handlers do that).
  // `params` excludes Action, Version and the X-Amz-* authentication
  // parameters. When a key repeats, the last value wins.
  // Errors: InvalidAction (unknown op), UnknownParameter ("The parameter X is
  // not recognized"), InvalidParameterValue (malformed number or boolean,
  // integer out of range, malformed UTF-8), MissingParameter (a required
  // member of the input, or of a structure present in it, is absent).
  StatusOr<nlohmann::json> DecodeInput(std::string_view op, const QueryParams& params) const;

  // The EC2 success document for `op`:
  //   <?xml version="1.0" encoding="UTF-8"?>\n
  //   <OpResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  //   <requestId>ID</requestId>...members...</OpResponse>   (no whitespace)
  // `output` is a JSON object keyed by output member names. Members appear in
  // model order as elements named by their locationName; lists are wrapped
  // (<vpcSet><item>..</item></vpcSet>) and an empty list is <vpcSet/>; nulls
  // are omitted. Keys that are not members, and values whose JSON type does
  // not fit the member, are skipped (see UnknownOutputKeys). Operations the
  // model gives no output shape (DeleteVpc, CreateTags, ...) answer
  // <return>true</return>, as EC2 does. An unknown `op` is a caller bug; it
  // yields an InternalError document.
  std::string EncodeOutput(std::string_view op, const nlohmann::json& output,
                           std::string_view request_id) const;

  // For tests: paths of everything in `output` that EncodeOutput would drop,
  // e.g. "Vpcs[0].Foo" (not a member) or "Vpcs[0].Tags (type)" (wrong JSON
  // type). Empty when `output` is fully encoded or `op` has no output shape.
  std::vector<std::string> UnknownOutputKeys(std::string_view op,
                                             const nlohmann::json& output) const;

 private:
  explicit ApiModel(std::unique_ptr<const internal::ShapeTable> table);

  std::unique_ptr<const internal::ShapeTable> table_;
};

}  // namespace minivpc::ec2api
