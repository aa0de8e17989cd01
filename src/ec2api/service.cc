#include "ec2api/service.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <shared_mutex>

#include "common/error_codes.h"
#include "ec2api/action.h"
#include "ec2api/handler_util.h"
#include "ec2api/protocol/api_model.h"
#include "store/persistence.h"
#include "vpc/regions.h"
#include "vpc/vpcs.h"

namespace minivpc::ec2api {
namespace {

using nlohmann::json;

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng();
  uint64_t b = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFF),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3FFF)),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

bool IsAuthParam(const std::string& key) {
  return key == "Action" || key == "Version" || key.rfind("X-Amz-", 0) == 0 ||
         key == "AWSAccessKeyId" || key == "Signature" || key == "SignatureMethod" ||
         key == "SignatureVersion" || key == "Timestamp" || key == "Expires";
}

// Creates a region's state on first use, with its default VPC, and hands
// the rows to the store (ordered before any later commit).
RegionState& EnsureRegion(Cloud& cloud, Store& store, const std::string& account,
                          const std::string& region) {
  if (RegionState* r = cloud.FindRegion(account, region)) return *r;
  RegionState& r = cloud.EmptyRegion(account, region);
  r.meta.Put(RegionMeta{"meta", account, region, ""});
  StatusOr<std::string> vpc = CreateDefaultVpc(r);
  (void)vpc;  // cannot fail on an empty region
  store.Commit(CollectChanges(cloud.journal().TakeDirty()), [](Status) {});
  return r;
}

std::string RequestHash(const json& input) {
  json copy = input;
  copy.erase("ClientToken");
  copy.erase("DryRun");
  return copy.dump();
}

}  // namespace

Ec2Service::Ec2Service(Cloud& cloud, Store& store, ServiceOptions options)
    : cloud_(cloud), store_(store), options_(std::move(options)) {
  Actions();  // build the table before serving
  ApiModel::Get();
}

std::pair<std::string, std::string> Ec2Service::ResolveScope(const ApiRequest& request) const {
  std::string account = options_.default_account;
  std::string region = options_.default_region;
  const std::string& auth = request.authorization;
  size_t pos = auth.find("Credential=");
  if (pos == std::string::npos) return {account, region};
  size_t end = auth.find_first_of(", ", pos);
  std::string cred = auth.substr(pos + 11, end == std::string::npos ? end : end - pos - 11);
  // AKID/date/region/service/aws4_request
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t slash; (slash = cred.find('/', start)) != std::string::npos; start = slash + 1) {
    parts.push_back(cred.substr(start, slash - start));
  }
  parts.push_back(cred.substr(start));
  if (parts.size() >= 3) region = parts[2];
  const std::string& key = parts[0];
  if (auto it = options_.accounts.find(key); it != options_.accounts.end()) {
    account = it->second;
  } else if (key.size() == 12 && key.find_first_not_of("0123456789") == std::string::npos) {
    account = key;
  }
  return {account, region};
}

void Ec2Service::Handle(const ApiRequest& request, ReplyFn reply) {
  const std::string request_id = NewRequestId();
  auto fail = [&](const Status& s) {
    reply(ApiResponse{err::HttpStatusFor(s.code()), EncodeError(s, request_id)});
  };
  QueryParams params;
  for (const std::string* text : {&request.query, &request.body}) {
    if (text->empty()) continue;
    StatusOr<QueryParams> p = ParseFormUrlEncoded(*text);
    if (!p.ok()) return fail(p.status());
    for (auto& kv : *p) params.push_back(std::move(kv));
  }
  std::string action;
  QueryParams args;
  for (auto& [k, v] : params) {
    if (k == "Action") action = v;
    if (!IsAuthParam(k)) args.emplace_back(std::move(k), std::move(v));
  }
  auto [account, region] = ResolveScope(request);
  Execute(account, region, action, args,
          [reply = std::move(reply), request_id, action](StatusOr<json> out) {
            if (!out.ok()) {
              reply(ApiResponse{err::HttpStatusFor(out.status().code()),
                                EncodeError(out.status(), request_id)});
              return;
            }
            reply(ApiResponse{200, ApiModel::Get().EncodeOutput(action, *out, request_id)});
          });
}

StatusOr<json> Ec2Service::ExecuteSync(const std::string& account, const std::string& region,
                                       const std::string& action, const QueryParams& args) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<StatusOr<json>> result;
  Execute(account, region, action, args, [&](StatusOr<json> out) {
    std::lock_guard lock(mu);
    result.emplace(std::move(out));
    cv.notify_one();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return result.has_value(); });
  return std::move(*result);
}

void Ec2Service::Execute(const std::string& account, const std::string& region,
                         const std::string& action, const QueryParams& args, DoneFn done) {
  const ActionTable& actions = Actions();
  auto spec_it = actions.find(action);
  if (action.empty() || spec_it == actions.end() || !ApiModel::Get().HasOperation(action)) {
    return done(Status(err::kInvalidAction,
                       "The action " + action + " is not valid for this web service."));
  }
  const ActionSpec& spec = spec_it->second;
  StatusOr<json> input = ApiModel::Get().DecodeInput(action, args);
  if (!input.ok()) return done(input.status());
  if (!FindRegion(region)) {
    return done(Status(err::kAuthFailure, "The region '" + region + "' is not served here."));
  }
  bool dry_run = GetBool(*input, "DryRun");

  if (spec.access == Access::kRead && !dry_run) {
    std::shared_lock lock(cloud_.mutex());
    if (RegionState* r = cloud_.FindRegion(account, region)) {
      Call call{*r, *input, action};
      StatusOr<json> out = spec.handler(call);
      lock.unlock();
      return done(std::move(out));
    }
  }

  std::unique_lock lock(cloud_.mutex());
  RegionState& r = EnsureRegion(cloud_, store_, account, region);
  Journal& journal = cloud_.journal();
  Call call{r, *input, action};

  std::string token = GetString(*input, "ClientToken");
  std::string token_key = action + "/" + token;
  if (!token.empty() && !dry_run) {
    if (const IdempotencyRecord* rec = r.idempotency.Find(token_key)) {
      if (rec->request_hash != RequestHash(*input)) {
        return done(Status(err::kIdempotentParameterMismatch,
                           "Arguments on this idempotent request are inconsistent with arguments "
                           "used in previous request(s)."));
      }
      json out = rec->response;
      lock.unlock();
      return done(std::move(out));
    }
  }

  StatusOr<json> out = spec.handler(call);
  if (!out.ok() || dry_run) {
    journal.Rollback();
    lock.unlock();
    if (!out.ok()) return done(out.status());
    return done(
        Status(err::kDryRunOperation, "Request would have succeeded, but DryRun flag is set."));
  }
  if (!token.empty()) r.idempotency.Put(IdempotencyRecord{token_key, RequestHash(*input), *out});
  std::vector<RowChange> changes = CollectChanges(journal.TakeDirty());
  if (changes.empty()) {
    lock.unlock();
    return done(std::move(out));
  }
  ++r.version;
  // Queued before the lock is released, so the store applies commits in the
  // order their changes were made: an earlier action's copy of a row can
  // never land after (and overwrite) a later one's.
  store_.Commit(std::move(changes),
                [done = std::move(done), out = std::move(out)](Status st) mutable {
                  if (!st.ok()) return done(st);
                  done(std::move(out));
                });
  lock.unlock();
  if (change_hook_) change_hook_();
}

}  // namespace minivpc::ec2api
