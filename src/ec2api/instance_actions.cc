#include "ec2api/action.h"

namespace minivpc::ec2api {

void RegisterInstanceActions(ActionTable& t) {}

}  // namespace minivpc::ec2api
