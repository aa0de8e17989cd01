// The EC2 error response document.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace minivpc::ec2api {

// The XML EC2 sends with a 4xx/5xx status for a failed request:
//   <?xml version="1.0" encoding="UTF-8"?>\n
//   <Response><Errors><Error><Code>CODE</Code><Message>MSG</Message></Error>
//   </Errors><RequestID>ID</RequestID></Response>          (no whitespace)
// Code, message and id are XML-escaped; bytes that XML cannot carry (for
// example client text echoed in a message) become U+FFFD. Note the casing:
// RequestID here, requestId in success documents, as EC2 does.
// Precondition: !s.ok().
std::string EncodeError(const Status& s, std::string_view request_id);

}  // namespace minivpc::ec2api
