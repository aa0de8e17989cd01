#include "server/trace_route.h"

#include <nlohmann/json.hpp>
#include <shared_mutex>

#include "analysis/trace.h"
#include "common/error_codes.h"

namespace minivpc {
namespace {

RouteResponse Error(int status, std::string_view code, const std::string& message) {
  return {status, "application/json", nlohmann::json{{"error", code}, {"message", message}}.dump()};
}

}  // namespace

RouteHandler MakeTraceRoute(Cloud& cloud, std::string default_account, std::string default_region) {
  return [&cloud, default_account, default_region](const std::string& method,
                                                   const std::string& body) -> RouteResponse {
    if (method != "POST") return Error(405, "MethodNotAllowed", "use POST");
    auto in = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (in.is_discarded() || !in.is_object()) {
      return Error(400, err::kInvalidParameterValue, "the body must be a JSON object");
    }
    auto str = [&](const char* k, const std::string& def) {
      auto it = in.find(k);
      return it != in.end() && it->is_string() ? it->get<std::string>() : def;
    };
    auto num = [&](const char* k, int def) {
      auto it = in.find(k);
      return it != in.end() && it->is_number_integer() ? it->get<int>() : def;
    };
    analysis::TraceRequest req;
    req.source = str("source", "");
    req.destination = str("destination", "");
    req.protocol = str("protocol", "tcp");
    req.source_ip = str("source_ip", "");
    req.port = num("port", 0);
    req.source_port = num("source_port", 49152);
    if (req.source.empty() || req.destination.empty()) {
      return Error(400, err::kMissingParameter, "source and destination are required");
    }
    if (req.port < 0 || req.port > 65535 || req.source_port < 0 || req.source_port > 65535) {
      return Error(400, err::kInvalidParameterValue, "ports are 0..65535");
    }
    std::string account = str("account", default_account);
    std::string region = str("region", default_region);
    std::shared_lock lock(cloud.mutex());
    RegionState* r = cloud.FindRegion(account, region);
    if (!r) {
      return Error(400, err::kInvalidParameterValue,
                   "no state for account " + account + " in " + region + " yet");
    }
    StatusOr<analysis::TraceResult> t = analysis::Trace(*r, req);
    lock.unlock();
    if (!t.ok()) return Error(400, t.status().code(), t.status().message());
    nlohmann::json out = analysis::TraceToJson(*t);
    out["text"] = analysis::TraceToText(*t);
    return {200, "application/json", out.dump()};
  };
}

}  // namespace minivpc
