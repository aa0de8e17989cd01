#include "ec2api/action.h"

namespace minivpc::ec2api {

void RegisterSecurityGroupActions(ActionTable& t) {}

}  // namespace minivpc::ec2api
