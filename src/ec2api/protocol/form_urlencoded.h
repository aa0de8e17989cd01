// application/x-www-form-urlencoded bodies and URL query strings.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace minivpc::ec2api {

// Decoded (key, value) pairs in the order they appear.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Splits `body` on '&' into key=value pairs and decodes both halves: '+' is a
// space and %XX a byte (hex digits in either case). A pair without '=' has an
// empty value; pairs whose decoded key is empty are skipped. Bytes are not
// checked for UTF-8 here (the decoder checks values it keeps as text).
// Error: MalformedQueryString when a '%' is not followed by two hex digits.
StatusOr<QueryParams> ParseFormUrlEncoded(std::string_view body);

}  // namespace minivpc::ec2api
