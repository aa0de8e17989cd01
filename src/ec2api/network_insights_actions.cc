#include "ec2api/action.h"

namespace minivpc::ec2api {

void RegisterNetworkInsightsActions(ActionTable& t) {}

}  // namespace minivpc::ec2api
