#include "ec2api/action.h"

namespace minivpc::ec2api {

void RegisterRouteTableActions(ActionTable& t) {}

}  // namespace minivpc::ec2api
