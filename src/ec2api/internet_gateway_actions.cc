// Internet gateway actions: Create/Delete/DescribeInternetGateways,
// Attach/DetachInternetGateway.
#include "ec2api/action.h"
#include "ec2api/handler_util.h"
#include "vpc/internet_gateways.h"

namespace minivpc::ec2api {
namespace {

const FilterPaths kInternetGatewayFilters = {
    {"attachment.state", "Attachments.State"},
    {"attachment.vpc-id", "Attachments.VpcId"},
    {"internet-gateway-id", "InternetGatewayId"},
    {"owner-id", "OwnerId"},
};

json RenderInternetGateway(const InternetGateway& igw) {
  json attachments = json::array();
  // AWS reports an attached internet gateway as "available".
  if (!igw.vpc_id.empty()) attachments.push_back({{"State", "available"}, {"VpcId", igw.vpc_id}});
  return json{{"Attachments", std::move(attachments)},
              {"InternetGatewayId", igw.id},
              {"OwnerId", igw.owner_id},
              {"Tags", TagsToJson(igw.tags)}};
}

StatusOr<json> CreateInternetGatewayHandler(Call& c) {
  MINIVPC_ASSIGN_OR_RETURN(Tags tags, TagsFromSpecifications(c.input, "internet-gateway"));
  MINIVPC_ASSIGN_OR_RETURN(std::string id, CreateInternetGateway(c.region, tags));
  return json{{"InternetGateway", RenderInternetGateway(*c.region.internet_gateways.Find(id))}};
}

StatusOr<json> DeleteInternetGatewayHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "InternetGatewayId", "InternetGatewayId"));
  MINIVPC_RETURN_IF_ERROR(DeleteInternetGateway(c.region, GetString(c.input, "InternetGatewayId")));
  return json::object();
}

StatusOr<json> DescribeInternetGatewaysHandler(Call& c) {
  static const DescribeSpec spec{&kIgwKind, "InternetGatewayIds", "InternetGateways",
                                 &kInternetGatewayFilters};
  return Describe(c.region.internet_gateways, c.input, spec,
                  [](const InternetGateway& g) { return RenderInternetGateway(g); });
}

// Attach and Detach take the same two required members.
template <Status (*Op)(RegionState&, const std::string&, const std::string&)>
StatusOr<json> AttachmentHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "InternetGatewayId", "InternetGatewayId"));
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "VpcId", "VpcId"));
  MINIVPC_RETURN_IF_ERROR(
      Op(c.region, GetString(c.input, "InternetGatewayId"), GetString(c.input, "VpcId")));
  return json::object();
}

}  // namespace

void RegisterInternetGatewayActions(ActionTable& t) {
  t["CreateInternetGateway"] = {Access::kWrite, CreateInternetGatewayHandler};
  t["DeleteInternetGateway"] = {Access::kWrite, DeleteInternetGatewayHandler};
  t["DescribeInternetGateways"] = {Access::kRead, DescribeInternetGatewaysHandler};
  t["AttachInternetGateway"] = {Access::kWrite, AttachmentHandler<AttachInternetGateway>};
  t["DetachInternetGateway"] = {Access::kWrite, AttachmentHandler<DetachInternetGateway>};
}

}  // namespace minivpc::ec2api
