#include "ec2api/protocol/api_model.h"

#include <cstdio>
#include <cstdlib>

#include "common/error_codes.h"
#include "ec2api/protocol/internal/query_decoder.h"
#include "ec2api/protocol/internal/shape_table.h"
#include "ec2api/protocol/internal/text.h"
#include "ec2api/protocol/internal/xml_encoder.h"

// model/ec2_model.json, linked in by src/ec2api/CMakeLists.txt (.incbin).
extern "C" const char minivpc_ec2_model_begin[];
extern "C" const char minivpc_ec2_model_end[];

namespace minivpc::ec2api {
namespace {

constexpr std::string_view kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

}  // namespace

ApiModel::ApiModel(std::unique_ptr<const internal::ShapeTable> table) : table_(std::move(table)) {}
ApiModel::ApiModel(ApiModel&&) noexcept = default;
ApiModel& ApiModel::operator=(ApiModel&&) noexcept = default;
ApiModel::~ApiModel() = default;

const ApiModel& ApiModel::Get() {
  // Leaked on purpose: requests may still be served while statics are torn down.
  static const ApiModel* const model = [] {
    const std::string_view text(
        minivpc_ec2_model_begin,
        static_cast<size_t>(minivpc_ec2_model_end - minivpc_ec2_model_begin));
    StatusOr<ApiModel> m = FromJson(text);
    if (!m.ok()) {
      std::fprintf(stderr, "minivpc: embedded EC2 model: %s\n", m.status().ToString().c_str());
      std::abort();
    }
    return new ApiModel(std::move(m).value());
  }();
  return *model;
}

StatusOr<ApiModel> ApiModel::FromJson(std::string_view model_json) {
  MINIVPC_ASSIGN_OR_RETURN(internal::ShapeTable table, internal::ShapeTable::Parse(model_json));
  return ApiModel(std::make_unique<const internal::ShapeTable>(std::move(table)));
}

bool ApiModel::HasOperation(std::string_view op) const {
  return table_->FindOperation(op) != nullptr;
}

StatusOr<nlohmann::json> ApiModel::DecodeInput(std::string_view op,
                                               const QueryParams& params) const {
  const internal::OperationInfo* info = table_->FindOperation(op);
  if (info == nullptr) {
    return Status(err::kInvalidAction,
                  "The action " + std::string(op) + " is not valid for this web service.");
  }
  return internal::DecodeQuery(*table_, info->input, params);
}

std::string ApiModel::EncodeOutput(std::string_view op, const nlohmann::json& output,
                                   std::string_view request_id) const {
  const internal::OperationInfo* info = table_->FindOperation(op);
  if (info == nullptr) {
    return EncodeError(Status(err::kInternalError, "No response model for " + std::string(op)),
                       request_id);
  }
  std::string out;
  out.reserve(1024);
  out.append(kXmlDeclaration);
  out.append(info->response_open);
  out.append("<requestId>");
  internal::AppendXmlEscaped(request_id, &out);
  out.append("</requestId>");
  if (info->output == internal::kNoShape) {
    out.append("<return>true</return>");
  } else if (output.is_object()) {
    internal::AppendStructureMembers(*table_, table_->shape(info->output), output, &out);
  }
  out.append(info->response_close);
  return out;
}

std::vector<std::string> ApiModel::UnknownOutputKeys(std::string_view op,
                                                     const nlohmann::json& output) const {
  std::vector<std::string> unknown;
  const internal::OperationInfo* info = table_->FindOperation(op);
  if (info == nullptr || info->output == internal::kNoShape) return unknown;
  if (!output.is_object()) {
    if (!output.is_null()) unknown.push_back("(type)");
    return unknown;
  }
  internal::CollectUnknownKeys(*table_, info->output, output, "", &unknown);
  return unknown;
}

}  // namespace minivpc::ec2api
