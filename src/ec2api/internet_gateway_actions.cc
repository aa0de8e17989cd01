#include "ec2api/action.h"

namespace minivpc::ec2api {

void RegisterInternetGatewayActions(ActionTable& t) {}

}  // namespace minivpc::ec2api
