// Ec2Service: the EC2 Query API over the model. One call per HTTP request.
//
//   Ec2Service service(cloud, store);
//   service.Handle(request, [](ApiResponse r) { /* send r.status, r.body */ });
//
// The pipeline for one request: decode the form/query parameters with the
// botocore model, resolve account and region from the SigV4 credential,
// take the cloud lock (shared for Describe, exclusive for mutations), run
// the action inside a journal, roll back on error, and for a successful
// mutation hand the touched rows to the store; the reply is sent only once
// they are durable. DryRun runs the action, rolls it back and answers
// DryRunOperation. A ClientToken replays the first answer.
//
// Thread safety: Handle may be called concurrently from any thread. `reply`
// runs on the calling thread (reads, errors) or the store's thread (writes).
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "ec2api/protocol/form_urlencoded.h"
#include "store/store.h"
#include "vpc/cloud.h"

namespace minivpc::ec2api {

struct ApiRequest {
  std::string body;           // form-encoded parameters (POST)
  std::string query;          // query string (GET), without '?'
  std::string authorization;  // the Authorization header, if any
};

struct ApiResponse {
  int status = 200;
  std::string body;
};

struct ServiceOptions {
  std::string default_account = "123456789012";
  std::string default_region = "us-east-1";
  // Access key id -> account id. A 12-digit access key is used as the
  // account id itself; any other unknown key maps to default_account.
  std::map<std::string, std::string> accounts;
};

class Ec2Service {
 public:
  using ReplyFn = std::function<void(ApiResponse)>;
  using DoneFn = std::function<void(StatusOr<nlohmann::json>)>;

  Ec2Service(Cloud& cloud, Store& store, ServiceOptions options = {});
  void Handle(const ApiRequest& request, ReplyFn reply);

  // Runs `action` with already-decoded form parameters in (account, region)
  // and calls `done` with the output JSON (keyed by output member names) once
  // any change is durable, or with the error. Same pipeline as Handle.
  void Execute(const std::string& account, const std::string& region, const std::string& action,
               const QueryParams& args, DoneFn done);
  // Called after every mutation that changed state (on the calling thread,
  // without the cloud lock): live mode reconciles from it.
  void SetChangeHook(std::function<void()> hook) { change_hook_ = std::move(hook); }

  // Execute, waiting for the answer. For in-process callers and tests.
  StatusOr<nlohmann::json> ExecuteSync(const std::string& account, const std::string& region,
                                       const std::string& action, const QueryParams& args);

  // Account and region a request acts in: from the SigV4 credential scope
  // "Credential=AKID/date/REGION/ec2/aws4_request".
  std::pair<std::string, std::string> ResolveScope(const ApiRequest& request) const;

 private:
  Cloud& cloud_;
  Store& store_;
  ServiceOptions options_;
  std::function<void()> change_hook_;
};

}  // namespace minivpc::ec2api
