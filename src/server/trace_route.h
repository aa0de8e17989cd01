// POST /minivpc/trace: one packet's path through a region, for `minivpc
// trace`. Request body (JSON):
//   {"source": "i-...|eni-...|internet", "destination": "10.0.1.5",
//    "protocol": "tcp", "port": 443, "source_ip": "", "source_port": 49152,
//    "account": "123456789012", "region": "us-east-1"}
// Answer: analysis::TraceToJson plus "text", the human-readable rendering.
// Errors: 400 with {"error": CODE, "message": ...}.
#pragma once

#include <string>

#include "server/http_server.h"
#include "vpc/cloud.h"

namespace minivpc {

RouteHandler MakeTraceRoute(Cloud& cloud, std::string default_account, std::string default_region);

}  // namespace minivpc
