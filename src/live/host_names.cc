#include "live/host_names.h"

#include <unistd.h>

#include <filesystem>
#include <set>
#include <system_error>
#include <vector>

#include "common/error_codes.h"

namespace minivpc::live {
namespace {

constexpr const char* kNetnsDir = "/run/netns";  // where `ip netns add` mounts them
constexpr const char* kInternetSuffix = "-internet";

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string Base36(uint64_t v, size_t digits) {
  std::string out(digits, '0');
  for (size_t i = 0; i < digits; ++i, v /= 36)
    out[digits - 1 - i] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
  return out;
}

std::set<std::string> Namespaces() {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(kNetnsDir, ec)) {
    out.insert(e.path().filename().string());
  }
  return out;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

HostNames HostNames::ForState(const std::string& state_path) {
  std::string key;
  if (state_path.empty()) {
    key = "in-memory:" + std::to_string(getpid());
  } else {
    std::error_code ec;
    std::filesystem::path p =
        std::filesystem::weakly_canonical(std::filesystem::absolute(state_path, ec), ec);
    key = "state:" + (ec ? state_path : p.string());
  }
  return HostNames{Base36(Fnv1a(key), 4)};
}

std::string HostNames::InstanceNamespace(const std::string& instance_id) const {
  return "mv-" + tag + "-" + instance_id;
}

std::string HostNames::InternetNamespace() const { return "mv-" + tag + kInternetSuffix; }

std::string HostNames::EniTap(const std::string& eni_id) const {
  std::string hex = eni_id.substr(eni_id.find('-') + 1);
  return "mv" + tag + hex.substr(0, 9);
}

std::string HostNames::InternetTap() const { return "mv" + tag + "inet"; }

std::string NamespaceOf(const std::string& instance_id) {
  for (const auto& ns : Namespaces()) {
    // mv-<tag>-<instance-id>
    if (ns.size() == 8 + instance_id.size() && ns.rfind("mv-", 0) == 0 && ns[7] == '-' &&
        EndsWith(ns, instance_id)) {
      return ns;
    }
  }
  return "";
}

StatusOr<std::string> FindInternetNamespace(const std::string& state_path) {
  std::set<std::string> all = Namespaces();
  if (!state_path.empty()) {
    std::string ns = HostNames::ForState(state_path).InternetNamespace();
    if (all.count(ns)) return ns;
    return Status(err::kInvalidParameterValue, "no live server runs with state file " + state_path);
  }
  std::vector<std::string> found;
  for (const auto& ns : all) {
    if (ns.size() == 3 + 4 + 9 && ns.rfind("mv-", 0) == 0 && EndsWith(ns, kInternetSuffix))
      found.push_back(ns);
  }
  if (found.size() == 1) return found.front();
  if (found.empty()) return Status(err::kInvalidParameterValue, "no live server is running");
  return Status(err::kInvalidParameterValue,
                "several live servers are running: pass --state FILE to pick one");
}

}  // namespace minivpc::live
