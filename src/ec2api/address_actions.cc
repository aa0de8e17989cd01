#include "ec2api/action.h"

namespace minivpc::ec2api {

void RegisterAddressActions(ActionTable& t) {}

}  // namespace minivpc::ec2api
