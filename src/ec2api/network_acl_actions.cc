#include "ec2api/action.h"

namespace minivpc::ec2api {

void RegisterNetworkAclActions(ActionTable& t) {}

}  // namespace minivpc::ec2api
