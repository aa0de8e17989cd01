#include "ec2api/action.h"

namespace minivpc::ec2api {

const ActionTable& Actions() {
  static const ActionTable table = [] {
    ActionTable t;
    RegisterVpcActions(t);
    RegisterSubnetActions(t);
    RegisterRegionActions(t);
    RegisterTagActions(t);
    RegisterNetworkInterfaceActions(t);
    RegisterInstanceActions(t);
    RegisterSecurityGroupActions(t);
    RegisterNetworkAclActions(t);
    RegisterRouteTableActions(t);
    RegisterInternetGatewayActions(t);
    RegisterAddressActions(t);
    RegisterNetworkInsightsActions(t);
    RegisterFlowLogActions(t);
    return t;
  }();
  return table;
}

}  // namespace minivpc::ec2api
