// Runs every tests/scenarios/*.scn file: a topology built with real EC2 API
// calls through the in-process Ec2Service, then packets through the data
// plane with their expected verdicts. See README.md in this folder for the
// format.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "analysis/trace.h"
#include "dataplane/pipeline.h"
#include "ec2api/service.h"
#include "store/store.h"
#include "vpc/cloud.h"

namespace minivpc {
namespace {

namespace fs = std::filesystem;
constexpr const char* kAccount = "123456789012";
constexpr const char* kRegion = "us-east-1";

std::vector<std::string> Tokenize(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (!quoted && (c == ' ' || c == '\t')) {
      if (any) out.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) out.push_back(cur);
  return out;
}

class Scenario {
 public:
  Scenario() : cloud_({}, &random_, &clock_), store_(NewMemoryStore()), service_(cloud_, *store_) {}

  // Runs the file; returns "" or a failure description.
  std::string Run(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      auto hash = line.find('#');
      if (hash != std::string::npos) line = line.substr(0, hash);
      std::vector<std::string> t = Tokenize(line);
      if (t.empty()) continue;
      for (auto& tok : t) tok = Substitute(tok);
      std::string err = Step(t);
      if (!err.empty()) return path.filename().string() + ":" + std::to_string(n) + ": " + err;
    }
    return "";
  }

 private:
  std::string Substitute(const std::string& tok) {
    std::string out;
    for (size_t i = 0; i < tok.size();) {
      if (tok[i] == '$') {
        size_t j = i + 1;
        while (j < tok.size() && (isalnum(static_cast<unsigned char>(tok[j])) || tok[j] == '_'))
          ++j;
        std::string name = tok.substr(i + 1, j - i - 1);
        auto it = vars_.find(name);
        out += it == vars_.end() ? tok.substr(i, j - i) : it->second;
        i = j;
      } else {
        out += tok[i++];
      }
    }
    return out;
  }

  std::string Step(const std::vector<std::string>& t) {
    if (t[0] == "packet") return Packet(t);
    if (t[0] == "reply") return Reply(t);
    if (t[0] == "advance") {
      now_ += static_cast<uint32_t>(std::stoul(t.at(1)));
      return "";
    }
    if (t[0] == "subnet64") {  // subnet64 $name IPV6-BLOCK INDEX: the INDEX-th /64
      auto block = Cidr::Parse(t.at(2));
      if (!block.ok()) return "bad block " + t.at(2);
      vars_[t.at(1).substr(t[1][0] == '$')] = block->Subnet(64, std::stoul(t.at(3))).ToString();
      return "";
    }
    if (t[0] == "set") {
      vars_[t.at(1).substr(t[1][0] == '$')] = t.at(2);
      return "";
    }
    if (t[0] == "expect-error")
      return Call(std::vector<std::string>(t.begin() + 2, t.end()), t.at(1));
    return Call(t, "");
  }

  static const nlohmann::json* At(const nlohmann::json& j, const std::string& path) {
    const nlohmann::json* cur = &j;
    std::stringstream ss(path);
    std::string part;
    while (std::getline(ss, part, '.')) {
      // Name[Key=Value]: the element of list Name whose Key equals Value.
      if (auto lb = part.find('['); lb != std::string::npos && part.back() == ']') {
        std::string name = part.substr(0, lb);
        std::string cond = part.substr(lb + 1, part.size() - lb - 2);
        auto eq = cond.find('=');
        if (eq == std::string::npos || !cur->is_object() || !cur->contains(name)) return nullptr;
        const nlohmann::json* found = nullptr;
        for (const auto& item : (*cur)[name]) {
          auto k = item.find(cond.substr(0, eq));
          if (k != item.end() && k->is_string() && *k == cond.substr(eq + 1)) found = &item;
        }
        if (!found) return nullptr;
        cur = found;
        continue;
      }
      if (cur->is_array()) {
        size_t i = std::stoul(part);
        if (i >= cur->size()) return nullptr;
        cur = &(*cur)[i];
      } else if (cur->is_object() && cur->contains(part)) {
        cur = &(*cur)[part];
      } else {
        return nullptr;
      }
    }
    return cur;
  }

  std::string Call(const std::vector<std::string>& t, const std::string& expect_error) {
    ec2api::QueryParams params;
    std::vector<std::pair<std::string, std::string>> captures;
    for (size_t i = 1; i < t.size(); ++i) {
      if (t[i] == "=>") {
        if (i + 2 >= t.size()) return "'=>' needs $var and a path";
        captures.push_back({t[i + 1].substr(t[i + 1][0] == '$'), t[i + 2]});
        i += 2;
        continue;
      }
      auto eq = t[i].find('=');
      if (eq == std::string::npos) return "expected Key=Value, got '" + t[i] + "'";
      params.push_back({t[i].substr(0, eq), t[i].substr(eq + 1)});
    }
    auto out = service_.ExecuteSync(kAccount, kRegion, t[0], params);
    if (!expect_error.empty()) {
      if (out.ok()) return t[0] + " succeeded; expected " + expect_error;
      if (out.status().code() != expect_error) {
        return t[0] + " failed with " + out.status().ToString() + "; expected " + expect_error;
      }
      return "";
    }
    if (!out.ok()) return t[0] + " failed: " + out.status().ToString();
    for (const auto& [var, path] : captures) {
      const nlohmann::json* v = At(*out, path);
      if (!v) return "no '" + path + "' in " + out->dump();
      vars_[var] = v->is_string() ? v->get<std::string>() : v->dump();
    }
    return "";
  }

  const dp::Snapshot& Snap() {
    RegionState* r = cloud_.FindRegion(kAccount, kRegion);
    if (!snap_ || snap_version_ != r->version) {
      snap_ = dp::Snapshot::Compile(*r, r->version);
      snap_version_ = r->version;
    }
    return *snap_;
  }

  // packet FROM -> DST PROTO [PORT] [src=A] [sport=N] : EXPECT...
  std::string Packet(const std::vector<std::string>& t) {
    std::shared_lock lock(cloud_.mutex());
    size_t colon = std::find(t.begin(), t.end(), ":") - t.begin();
    if (t.size() < 5 || t[2] != "->" || colon >= t.size()) return "malformed packet line";
    const dp::Snapshot& s = Snap();
    dp::PacketHeaders h;
    auto dst = IpAddress::Parse(t[3]);
    if (!dst.ok()) return "bad destination " + t[3];
    h.dst = *dst;
    h.family = dst->family();
    int proto = analysis::ParseProtocol(t[4]);
    if (proto < 0) return "bad protocol " + t[4];
    h.protocol = static_cast<uint8_t>(proto);
    h.src_port = 40000;
    size_t i = 5;
    if (i < colon && t[i].find('=') == std::string::npos) {
      int port = std::stoi(t[i++]);
      if (proto == 1 || proto == 58) {
        h.icmp_type = static_cast<uint8_t>(port);
      } else {
        h.dst_port = static_cast<uint16_t>(port);
      }
    }
    std::string src_override;
    for (; i < colon; ++i) {
      if (t[i].rfind("src=", 0) == 0) src_override = t[i].substr(4);
      if (t[i].rfind("sport=", 0) == 0)
        h.src_port = static_cast<uint16_t>(std::stoi(t[i].substr(6)));
      if (t[i].rfind("code=", 0) == 0)
        h.icmp_code = static_cast<uint8_t>(std::stoi(t[i].substr(5)));
    }
    dp::Ingress in;
    if (t[1] == "internet") {
      h.src = IpAddress::Parse(h.family == IpFamily::kV4 ? "203.0.113.10" : "2001:db8::10").value();
      int32_t vpc = -1;
      if (h.dst.is_v4()) {
        if (auto* n = s.NatByPublic(h.dst)) vpc = n->vpc;
      } else {
        vpc = s.VpcByIpv6(h.dst);
      }
      in = dp::Ingress::FromInternet(vpc >= 0 ? s.vpcs[vpc].igw : (s.igws.empty() ? -1 : 0));
    } else {
      int32_t eni = s.FindEni(t[1]);
      if (eni < 0) return "unknown source ENI " + t[1];
      in = dp::Ingress::FromEni(eni);
      for (const auto& a : s.enis[eni].addresses) {
        if (a.family() == h.family) {
          h.src = a;
          break;
        }
      }
    }
    if (!src_override.empty()) h.src = IpAddress::Parse(src_override).value();
    return Expect(s, h, in, std::vector<std::string>(t.begin() + colon + 1, t.end()));
  }

  // reply : EXPECT  — the reverse of the last delivered packet.
  std::string Reply(const std::vector<std::string>& t) {
    std::shared_lock lock(cloud_.mutex());
    if (!last_delivered_) return "reply with no delivered packet before it";
    const dp::Snapshot& s = Snap();
    dp::PacketHeaders h = last_headers_;
    std::swap(h.src, h.dst);
    h.src = last_verdict_.dst;
    h.dst = last_verdict_.src;
    std::swap(h.src_port, h.dst_port);
    if (h.protocol == 1 && h.icmp_type == 8) h.icmp_type = 0;
    dp::Ingress in = last_verdict_.outcome == dp::Outcome::kDeliveredToInternet
                         ? dp::Ingress::FromInternet(last_verdict_.igw)
                         : dp::Ingress::FromEni(last_verdict_.eni);
    size_t colon = std::find(t.begin(), t.end(), ":") - t.begin();
    if (colon >= t.size()) return "malformed reply line";
    return Expect(s, h, in, std::vector<std::string>(t.begin() + colon + 1, t.end()));
  }

  std::string Expect(const dp::Snapshot& s, const dp::PacketHeaders& h, dp::Ingress in,
                     const std::vector<std::string>& e) {
    // The fast path (no explanation) decides, so remembered decisions of
    // established flows are exercised; on a mismatch the same packet is
    // replayed with an explanation against a copy of the connection table.
    dp::Conntrack before = ct_;
    dp::Verdict v = pipeline_.Process(s, h, in, now_);
    dp::Explanation why;
    {
      dp::Pipeline replay(&before);
      dp::Verdict again = replay.Process(s, h, in, now_, &why);
      if (again.outcome != v.outcome || again.reason != v.reason || again.eni != v.eni) {
        return "fast path and explained path disagree";
      }
    }
    std::string got;
    if (v.outcome == dp::Outcome::kDeliveredToEni) got = "deliver " + s.enis[v.eni].id;
    if (v.outcome == dp::Outcome::kDeliveredToInternet) got = "internet";
    if (v.outcome == dp::Outcome::kDropped)
      got = std::string("drop ") + dp::ExplanationCode(v.reason);
    std::string want = e.at(0);
    size_t k = 1;
    if (want == "deliver" || want == "drop") want += " " + e.at(k++);
    std::string trace;
    for (const auto& hop : why.hops) {
      trace += "\n    " + hop.component + " " + hop.id + " " + hop.direction + ": " + hop.detail;
    }
    if (got != want) return "expected '" + want + "', got '" + got + "'" + trace;
    for (; k < e.size(); ++k) {
      if (e[k].rfind("src=", 0) == 0 && v.src.ToString() != e[k].substr(4)) {
        return "expected source " + e[k].substr(4) + " after NAT, got " + v.src.ToString();
      }
      if (e[k].rfind("dst=", 0) == 0 && v.dst.ToString() != e[k].substr(4)) {
        return "expected destination " + e[k].substr(4) + " after NAT, got " + v.dst.ToString();
      }
      if (e[k] == "established" && !v.established) return "expected a tracked connection";
      if (e[k] == "new" && v.established) return "expected a new (untracked) packet";
    }
    if (v.delivered()) {
      last_delivered_ = true;
      last_headers_ = h;
      last_verdict_ = v;
    }
    return "";
  }

  SystemRandom random_{42};
  FakeClock clock_;
  Cloud cloud_;
  std::unique_ptr<Store> store_;
  ec2api::Ec2Service service_;
  std::map<std::string, std::string> vars_;
  std::shared_ptr<const dp::Snapshot> snap_;
  uint64_t snap_version_ = ~uint64_t{0};
  dp::Conntrack ct_{dp::Conntrack::Options{.max_entries = 4096}};
  dp::Pipeline pipeline_{&ct_};
  uint32_t now_ = 1000;
  bool last_delivered_ = false;
  dp::PacketHeaders last_headers_;
  dp::Verdict last_verdict_;
};

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(MINIVPC_SCENARIO_DIR)) {
    if (e.path().extension() == ".scn") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, VerdictsMatch) {
  Scenario s;
  std::string err = s.Run(fs::path(MINIVPC_SCENARIO_DIR) / GetParam());
  EXPECT_EQ(err, "");
}

INSTANTIATE_TEST_SUITE_P(Files, ScenarioTest, ::testing::ValuesIn(ScenarioFiles()),
                         [](const auto& info) {
                           std::string n = info.param.substr(0, info.param.size() - 4);
                           for (char& c : n) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace minivpc
