#include "ec2api/action.h"

namespace minivpc::ec2api {

void RegisterNetworkInterfaceActions(ActionTable& t) {}

}  // namespace minivpc::ec2api
