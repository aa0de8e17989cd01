#include "live/flow_log_writer.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <shared_mutex>
#include <tuple>

#include "vpc/flow_logs.h"
#include "vpc/regions.h"

namespace minivpc::live {
namespace {

enum class Traffic { kAccept, kReject, kAll };

// One flow within a window: what AWS keys a record on.
struct FlowKey {
  IpAddress src, dst, pkt_src, pkt_dst;
  uint16_t src_port = 0, dst_port = 0;
  uint8_t protocol = 0;
  bool accept = false;
  bool egress = false;
  uint8_t traffic_path = 0;
  auto Tie() const {
    return std::tie(src, dst, src_port, dst_port, protocol, accept, egress, pkt_src, pkt_dst,
                    traffic_path);
  }
  bool operator==(const FlowKey& o) const { return Tie() == o.Tie(); }
};

struct FlowKeyHash {
  size_t operator()(const FlowKey& k) const {
    auto mix = [](size_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull; };
    size_t h = 0xcbf29ce484222325ull;
    for (const IpAddress* a : {&k.src, &k.dst, &k.pkt_src, &k.pkt_dst}) {
      h = mix(h, static_cast<uint64_t>(a->value()));
      h = mix(h, static_cast<uint64_t>(a->value() >> 64));
    }
    uint64_t rest = (uint64_t{k.src_port} << 32) | (uint64_t{k.dst_port} << 16) |
                    (uint64_t{k.protocol} << 8) | (k.accept ? 1u : 0u) | (k.egress ? 2u : 0u) |
                    (uint64_t{k.traffic_path} << 48);
    return mix(h, rest);
  }
};

struct Aggregate {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t first_s = 0;
  uint64_t last_s = 0;
  uint8_t tcp_flags = 0;
};

struct Window {
  std::unordered_map<FlowKey, Aggregate, FlowKeyHash> flows;
  uint64_t skipped = 0;  // flows dropped at the cap
};

// The flags AWS records: FIN, SYN, RST, and SYN-ACK as 18.
uint8_t LoggedTcpFlags(uint8_t f) {
  uint8_t out = f & 0x07;
  if ((f & 0x12) == 0x12) out |= 0x12;
  return out;
}

bool IsUnloggedAddress(IpAddress a) {
  return a.is_v4() && (a.v4() >> 16) == 0xA9FE;  // 169.254.0.0/16
}

// Percent-encodes one path component (see the header).
std::string Component(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool plain = std::isalnum(c) || c == '_' || c == '-' || c == '#' || (c == '.' && i > 0);
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out.empty() ? "%00" : out;
}

// The resource part of an ARN (after the fifth ':'), or "".
std::string_view ArnResource(std::string_view arn) {
  size_t pos = 0;
  for (int i = 0; i < 5; ++i) {
    pos = arn.find(':', pos);
    if (pos == std::string_view::npos) return "";
    ++pos;
  }
  return arn.substr(pos);
}

struct Line {
  const FlowKey* key = nullptr;  // nullptr for NODATA / SKIPDATA
  const Aggregate* agg = nullptr;
  uint64_t start = 0, end = 0;
  std::string_view status;
};

}  // namespace

struct FlowLogWriter::Pair {
  ActiveFlowLog config;
  LogFormat format;
  Traffic traffic = Traffic::kAll;
  std::string path;
  std::string header;  // first line of a new file; "" = none
  bool started = false;
  uint64_t next_window = 0;            // start of the first window not yet written
  std::map<uint64_t, Window> windows;  // pending, by start
};

namespace {

struct Ctx {
  const ActiveFlowLog& c;
  int version;
  const Line& l;
};
using Getter = std::string (*)(const Ctx&);
using F = FlowLogField;

std::string Num(uint64_t v) { return std::to_string(v); }

// Fields that describe the ENI or the window: known for every record.
const std::pair<FlowLogField, Getter> kCommonFields[] = {
    {F::kVersion, [](const Ctx& x) { return Num(x.version); }},
    {F::kAccountId, [](const Ctx& x) { return x.c.account_id; }},
    {F::kInterfaceId, [](const Ctx& x) { return x.c.interface_id; }},
    {F::kStart, [](const Ctx& x) { return Num(x.l.start); }},
    {F::kEnd, [](const Ctx& x) { return Num(x.l.end); }},
    {F::kLogStatus, [](const Ctx& x) { return std::string(x.l.status); }},
    {F::kVpcId, [](const Ctx& x) { return x.c.vpc_id; }},
    {F::kSubnetId, [](const Ctx& x) { return x.c.subnet_id; }},
    {F::kInstanceId, [](const Ctx& x) { return x.c.instance_id; }},
    {F::kRegion, [](const Ctx& x) { return x.c.region; }},
    {F::kAzId, [](const Ctx& x) { return x.c.az_id; }},
};

// Fields that describe the flow: '-' in NODATA and SKIPDATA records. Fields
// in neither table never apply in minivpc (ECS, sublocations, ...).
const std::pair<FlowLogField, Getter> kFlowFields[] = {
    {F::kSrcAddr, [](const Ctx& x) { return x.l.key->src.ToString(); }},
    {F::kDstAddr, [](const Ctx& x) { return x.l.key->dst.ToString(); }},
    {F::kSrcPort, [](const Ctx& x) { return Num(x.l.key->src_port); }},
    {F::kDstPort, [](const Ctx& x) { return Num(x.l.key->dst_port); }},
    {F::kProtocol, [](const Ctx& x) { return Num(x.l.key->protocol); }},
    {F::kPackets, [](const Ctx& x) { return Num(x.l.agg->packets); }},
    {F::kBytes, [](const Ctx& x) { return Num(x.l.agg->bytes); }},
    {F::kAction, [](const Ctx& x) { return std::string(x.l.key->accept ? "ACCEPT" : "REJECT"); }},
    {F::kTcpFlags, [](const Ctx& x) { return Num(x.l.agg->tcp_flags); }},
    {F::kType, [](const Ctx& x) { return std::string(x.l.key->src.is_v4() ? "IPv4" : "IPv6"); }},
    {F::kPktSrcAddr, [](const Ctx& x) { return x.l.key->pkt_src.ToString(); }},
    {F::kPktDstAddr, [](const Ctx& x) { return x.l.key->pkt_dst.ToString(); }},
    {F::kFlowDirection,
     [](const Ctx& x) { return std::string(x.l.key->egress ? "egress" : "ingress"); }},
    {F::kTrafficPath,
     [](const Ctx& x) { return x.l.key->traffic_path ? Num(x.l.key->traffic_path) : ""; }},
};

std::string FieldValue(FlowLogField f, const Ctx& x) {
  for (const auto& [field, get] : kCommonFields) {
    if (field == f) return get(x);
  }
  if (!x.l.key) return "";
  for (const auto& [field, get] : kFlowFields) {
    if (field == f) return get(x);
  }
  return "";
}

void AppendLine(std::string& out, const ActiveFlowLog& c, const LogFormat& format, const Line& l) {
  for (size_t i = 0; i < format.fields.size(); ++i) {
    if (i > 0) out += ' ';
    std::string v = FieldValue(format.fields[i], Ctx{c, format.version, l});
    out += v.empty() ? "-" : v;
  }
  out += '\n';
}

}  // namespace

std::string FlowLogFilePath(const ActiveFlowLog& a) {
  if (a.destination_type == "cloud-watch-logs") {
    return "cloud-watch-logs/" + Component(a.log_group_name) + "/" + Component(a.interface_id) +
           ".log";
  }
  std::string_view res = ArnResource(a.log_destination);
  std::string path;
  if (a.destination_type == "s3") {
    path = "s3";
    size_t start = 0;
    for (size_t i = 0; i <= res.size(); ++i) {
      if (i < res.size() && res[i] != '/') continue;
      if (i > start) path += "/" + Component(res.substr(start, i - start));
      start = i + 1;
    }
  } else {
    path = "kinesis-data-firehose/" + Component(res.substr(std::min<size_t>(15, res.size())));
  }
  return path + "/" + Component(a.flow_log_id) + ".log";
}

std::vector<ActiveFlowLog> ActiveFlowLogsFromRegion(const RegionState& r) {
  std::vector<ActiveFlowLog> out;
  if (r.flow_logs.size() == 0) return out;
  for (const auto& [eni_id, eni] : r.enis.rows()) {
    std::vector<IpAddress> unlogged;
    if (const Subnet* s = r.subnets.Find(eni.subnet_id)) unlogged.push_back(s->cidr.base().Plus(1));
    if (const Vpc* v = r.vpcs.Find(eni.vpc_id)) unlogged.push_back(v->cidr.base().Plus(2));
    for (const FlowLog* f : FlowLogsCovering(r, eni)) {
      ActiveFlowLog a;
      a.flow_log_id = f->id;
      a.interface_id = eni.id;
      a.account_id = eni.owner_id.empty() ? r.account_id : eni.owner_id;
      a.vpc_id = eni.vpc_id;
      a.subnet_id = eni.subnet_id;
      if (eni.attachment) a.instance_id = eni.attachment->instance_id;
      a.region = r.region;
      a.az_id = ZoneId(eni.availability_zone);
      a.traffic_type = f->traffic_type;
      a.interval_s = f->max_aggregation_interval;
      a.log_format = f->log_format;
      a.destination_type = f->log_destination_type;
      a.log_destination = f->log_destination;
      a.log_group_name = f->log_group_name;
      a.unlogged = unlogged;
      out.push_back(std::move(a));
    }
  }
  return out;
}

std::vector<ActiveFlowLog> ActiveFlowLogsFromCloud(Cloud& cloud) {
  std::shared_lock lock(cloud.mutex());
  std::vector<ActiveFlowLog> out;
  for (const auto& [key, region] : cloud.regions()) {
    for (auto& a : ActiveFlowLogsFromRegion(*region)) out.push_back(std::move(a));
  }
  return out;
}

FlowLogWriter::FlowLogWriter(std::string dir, FlowLogWriterOptions options)
    : dir_(std::move(dir)), options_(options) {}

FlowLogWriter::~FlowLogWriter() = default;

void FlowLogWriter::Configure(std::vector<ActiveFlowLog> logs) {
  std::lock_guard lock(mu_);
  std::unordered_map<std::string, std::unique_ptr<Pair>> next;
  for (auto& a : logs) {
    StatusOr<LogFormat> format = ParseLogFormat(a.log_format);
    if (!format.ok() || a.interval_s <= 0) continue;
    std::string key = a.flow_log_id + "/" + a.interface_id;
    auto it = pairs_.find(key);
    std::unique_ptr<Pair> p = it != pairs_.end() ? std::move(it->second) : std::make_unique<Pair>();
    if (it != pairs_.end()) pairs_.erase(it);
    p->format = std::move(*format);
    p->traffic = a.traffic_type == "ACCEPT"   ? Traffic::kAccept
                 : a.traffic_type == "REJECT" ? Traffic::kReject
                                              : Traffic::kAll;
    p->path = FlowLogFilePath(a);
    p->header.clear();
    if (a.destination_type == "s3") {
      for (FlowLogField f : p->format.fields) {
        if (!p->header.empty()) p->header += ' ';
        p->header += FieldName(f);
      }
      p->header += '\n';
    }
    p->config = std::move(a);
    next[key] = std::move(p);
  }
  pairs_ = std::move(next);
  by_eni_.clear();
  for (auto& [key, p] : pairs_) by_eni_[p->config.interface_id].push_back(p.get());
}

void FlowLogWriter::Record(const FlowSample& s) {
  if (IsUnloggedAddress(s.src) || IsUnloggedAddress(s.dst)) return;
  if (s.protocol == 17 && (s.dst_port == 67 || s.dst_port == 68)) return;  // DHCP
  std::lock_guard lock(mu_);
  auto it = by_eni_.find(s.interface_id);
  if (it == by_eni_.end()) return;
  for (Pair* p : it->second) RecordInto(*p, s);
}

void FlowLogWriter::RecordInto(Pair& p, const FlowSample& s) {
  for (const IpAddress& a : p.config.unlogged) {
    if (s.src == a || s.dst == a) return;
  }
  const uint64_t interval = static_cast<uint64_t>(p.config.interval_s);
  const uint64_t start = s.time_s / interval * interval;
  if (!p.started) {
    p.started = true;
    p.next_window = start;
  }
  auto w = p.windows.find(start);
  if (w == p.windows.end()) {
    if (start < p.next_window || p.windows.size() >= options_.max_pending_windows) {
      ++stats_.dropped_samples;
      return;
    }
    w = p.windows.emplace(start, Window{}).first;  // the window had traffic
  }
  if ((p.traffic == Traffic::kAccept && !s.accept) || (p.traffic == Traffic::kReject && s.accept)) {
    return;
  }
  FlowKey key{s.src,
              s.dst,
              s.pkt_src.value_or(s.src),
              s.pkt_dst.value_or(s.dst),
              s.src_port,
              s.dst_port,
              s.protocol,
              s.accept,
              s.egress,
              s.egress ? s.traffic_path : uint8_t{0}};
  auto f = w->second.flows.find(key);
  if (f == w->second.flows.end()) {
    if (w->second.flows.size() >= options_.max_flows_per_window) {
      ++w->second.skipped;
      ++stats_.dropped_flows;
      return;
    }
    f = w->second.flows.emplace(key, Aggregate{0, 0, s.time_s, s.time_s, 0}).first;
  }
  Aggregate& agg = f->second;
  agg.packets += s.packets;
  agg.bytes += s.bytes;
  agg.first_s = std::min(agg.first_s, s.time_s);
  agg.last_s = std::max(agg.last_s, s.time_s);
  if (s.protocol == 6) agg.tcp_flags |= LoggedTcpFlags(s.tcp_flags);
}

void FlowLogWriter::FlushPair(Pair& p, uint64_t now_s, Output& out) {
  if (!p.started) return;
  const uint64_t interval = static_cast<uint64_t>(p.config.interval_s);
  const uint64_t complete = now_s / interval * interval;  // windows before this have ended
  std::string& text = out[p.path];
  auto emit = [&](const Line& l) {
    AppendLine(text, p.config, p.format, l);
    ++stats_.records_written;
  };
  uint64_t t = p.next_window;
  while (t < complete) {
    auto it = p.windows.begin();
    if (it == p.windows.end() || it->first != t) {
      // No traffic from t up to the next window with traffic: one NODATA.
      uint64_t until = (it != p.windows.end() && it->first < complete) ? it->first : complete;
      emit({nullptr, nullptr, t, until, "NODATA"});
      t = until;
      continue;
    }
    std::vector<std::pair<const FlowKey*, const Aggregate*>> flows;
    for (const auto& [k, a] : it->second.flows) flows.push_back({&k, &a});
    auto order = [](const auto& x) {
      return std::tuple(x.second->first_s, x.second->last_s, x.first->Tie());
    };
    std::sort(flows.begin(), flows.end(),
              [&](const auto& x, const auto& y) { return order(x) < order(y); });
    for (const auto& [k, a] : flows) emit({k, a, a->first_s, a->last_s, "OK"});
    if (it->second.skipped > 0) emit({nullptr, nullptr, t, t + interval, "SKIPDATA"});
    p.windows.erase(it);
    t += interval;
  }
  p.next_window = t;
}

void FlowLogWriter::Flush(uint64_t now_s) {
  std::lock_guard flush_lock(flush_mu_);
  Output out;
  std::map<std::string, std::string> headers;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, p] : pairs_) {
      FlushPair(*p, now_s, out);
      if (!p->header.empty()) headers[p->path] = p->header;
    }
  }
  WriteFiles(out, headers);
}

void FlowLogWriter::WriteFiles(const Output& out,
                               const std::map<std::string, std::string>& headers) {
  namespace fs = std::filesystem;
  for (const auto& [rel, text] : out) {
    if (text.empty()) continue;
    fs::path path = fs::path(dir_) / rel;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    bool fresh = !fs::exists(path, ec) || fs::file_size(path, ec) == 0;
    std::ofstream file(path, std::ios::app | std::ios::binary);
    auto h = headers.find(rel);
    if (file && fresh && h != headers.end()) file << h->second;
    if (file) file << text;
    file.flush();
    if (!file) {
      std::lock_guard lock(mu_);
      ++stats_.write_errors;
    }
  }
}

FlowLogWriterStats FlowLogWriter::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace minivpc::live
