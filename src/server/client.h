// Client subcommands (`minivpc trace`, ...): find the server through
// --endpoint, else $MINIVPC_ENDPOINT, else the default listen address.
#pragma once

#include <string>

#include "common/status.h"

namespace minivpc {

inline constexpr const char* kDefaultEndpoint = "http://127.0.0.1:8750";

// --endpoint if given, else MINIVPC_ENDPOINT, else kDefaultEndpoint.
std::string ResolveEndpoint(const std::string& flag);

// POSTs `body` to endpoint + path; returns the response body, or an error
// with the HTTP status or connection failure in the message.
StatusOr<std::string> HttpPost(const std::string& endpoint, const std::string& path,
                               const std::string& body, int* http_status);

}  // namespace minivpc
