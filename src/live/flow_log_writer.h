// FlowLogWriter: live mode's VPC Flow Logs. It turns the switch's per-packet
// verdicts into flow log records and writes them to local files that stand
// in for the destinations.
//
//   FlowLogWriter writer(state_dir + "/flow-logs");
//   writer.Configure(ActiveFlowLogsFromCloud(cloud));  // after every change
//   // switch thread, for every verdict on a frame an ENI sent or received:
//   writer.Record({.interface_id = eni, .src = ..., .accept = true, .time_s = now});
//   writer.Flush(now_s);  // on a timer, every few seconds
//
// Aggregation follows AWS: each (flow log, ENI) pair aggregates packets per
// flow (source and destination address and port, protocol, action and
// direction) within a capture window of the flow log's maximum aggregation
// interval (60 or 600 s). Windows are aligned to multiples of the interval
// since the epoch. A record's start/end are the seconds of the flow's first
// and last packet within the window, as AWS defines them. A pair's first
// window starts with the ENI's first traffic (AWS creates an ENI's log
// stream when it first has traffic); after that every elapsed window yields
// its records, or, when the ENI had no traffic at all, a NODATA record
// (consecutive empty windows found by one Flush share one NODATA record
// spanning them). Traffic the flow log's type filters out (ACCEPT or
// REJECT only) yields no record and no NODATA. Traffic AWS never logs is
// ignored: link-local 169.254.0.0/16 (metadata, time sync), DHCP, and the
// addresses listed in ActiveFlowLog::unlogged (the Amazon DNS server and
// the subnet router).
//
// Memory is bounded: at most max_flows_per_window flows per pair and window
// (further flows are dropped, counted, and the window gets a SKIPDATA
// record) and at most max_pending_windows windows per pair awaiting Flush.
//
// Local file destinations, under the directory given to the constructor
// (every path component is percent-encoded: bytes outside [A-Za-z0-9._#-]
// and a leading '.' become %XX, so names never contain '/' and never are
// "." or ".."):
//   cloud-watch-logs, log group G:   cloud-watch-logs/<G>/<interface-id>.log
//                                    (one file per ENI, like log streams)
//   s3, arn:aws:s3:::bucket/a/b/:    s3/<bucket>/a/b/<flow-log-id>.log
//                                    (empty prefix parts dropped; a new file
//                                    starts with a header line of field names,
//                                    as S3 flow log files do)
//   kinesis-data-firehose, stream S: kinesis-data-firehose/<S>/<flow-log-id>.log
// Records are appended, one per line, in the flow log's format.
//
// Thread safety: every method is thread safe. Record takes one mutex for a
// hash-map update and never does I/O; Flush formats under the mutex and
// writes files outside it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "net/ip.h"
#include "vpc/cloud.h"

namespace minivpc::live {

// One flow log covering one ENI, with what the records of that pair need.
struct ActiveFlowLog {
  std::string flow_log_id;
  std::string interface_id;  // the covered ENI
  std::string account_id;    // the ENI's owner: the records' account-id
  std::string vpc_id;
  std::string subnet_id;
  std::string instance_id;  // "" when the ENI is not attached
  std::string region;
  std::string az_id;                // "use1-az1"
  std::string traffic_type;         // "ACCEPT" | "REJECT" | "ALL"
  int interval_s = 600;             // MaxAggregationInterval
  std::string log_format;           // "${version} ${account-id} ..."
  std::string destination_type;     // "cloud-watch-logs" | "s3" | "kinesis-data-firehose"
  std::string log_destination;      // the destination ARN
  std::string log_group_name;       // cloud-watch-logs
  std::vector<IpAddress> unlogged;  // traffic to or from these is not logged
};

// The flow logs covering every ENI of every region (an ENI is covered by the
// flow logs of its VPC, its subnet and itself). Takes the cloud's lock
// shared; call it without holding that lock.
std::vector<ActiveFlowLog> ActiveFlowLogsFromCloud(Cloud& cloud);
// The same for one region. The caller holds the cloud's lock.
std::vector<ActiveFlowLog> ActiveFlowLogsFromRegion(const RegionState& r);

// The file, relative to the writer's directory, that `a`'s records go to.
std::string FlowLogFilePath(const ActiveFlowLog& a);

// One packet the data plane decided on, seen at one ENI (or a GSO
// super-frame: the packets it stands for, with the same headers).
struct FlowSample {
  std::string_view interface_id;  // the ENI that sent or received the packet
  // srcaddr/dstaddr as AWS defines them: the ENI's side of the packet, so
  // an ENI's own address is its private IPv4 (before/after the gateway's
  // 1:1 NAT), never its public one.
  IpAddress src;
  IpAddress dst;
  // The packet-level addresses (pkt-srcaddr/pkt-dstaddr) when they differ
  // from src/dst; nullopt means the same.
  std::optional<IpAddress> pkt_src;
  std::optional<IpAddress> pkt_dst;
  uint16_t src_port = 0;  // 0 for protocols without ports
  uint16_t dst_port = 0;
  uint8_t protocol = 0;      // IANA number
  uint64_t bytes = 0;        // the IP packets' length
  uint32_t packets = 1;      // more than 1 for a GSO super-frame (its segments)
  bool accept = false;       // the verdict: delivered (ACCEPT) or dropped (REJECT)
  bool egress = false;       // sent by the ENI; false: sent to it
  uint8_t tcp_flags = 0;     // the TCP header's flags byte (0 for other protocols)
  uint8_t traffic_path = 0;  // AWS traffic-path code of egress traffic; 0 = unknown
  uint64_t time_s = 0;       // Unix seconds
};

struct FlowLogWriterOptions {
  size_t max_flows_per_window = 10000;
  size_t max_pending_windows = 4;
};

struct FlowLogWriterStats {
  uint64_t records_written = 0;  // lines, including NODATA and SKIPDATA
  uint64_t dropped_flows = 0;    // flows beyond max_flows_per_window
  uint64_t dropped_samples = 0;  // samples for windows already written or beyond the pending cap
  uint64_t write_errors = 0;     // files that could not be written
};

class FlowLogWriter {
 public:
  explicit FlowLogWriter(std::string dir, FlowLogWriterOptions options = {});
  ~FlowLogWriter();
  FlowLogWriter(const FlowLogWriter&) = delete;
  FlowLogWriter& operator=(const FlowLogWriter&) = delete;

  // Replaces the set of (flow log, ENI) pairs. A pair present before keeps
  // its pending windows; a pair no longer present is dropped with its
  // unwritten windows (a deleted flow log publishes nothing more). Entries
  // whose log_format does not parse are ignored.
  void Configure(std::vector<ActiveFlowLog> logs);
  // Aggregates one packet into every pair covering its ENI. Cheap; no I/O.
  void Record(const FlowSample& s);
  // Writes every window that ended at or before `now_s`, and NODATA for
  // the elapsed windows without traffic. Write failures are counted.
  void Flush(uint64_t now_s);

  FlowLogWriterStats stats() const;

 private:
  struct Pair;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Output = std::map<std::string, std::string>;  // relative path -> text to append

  void RecordInto(Pair& p, const FlowSample& s);
  void FlushPair(Pair& p, uint64_t now_s, Output& out);
  void WriteFiles(const Output& out, const std::map<std::string, std::string>& headers);

  const std::string dir_;
  const FlowLogWriterOptions options_;
  std::mutex flush_mu_;  // serialises Flush (file writes)
  mutable std::mutex mu_;
  // "flow-log-id/eni-id" -> pair.
  std::unordered_map<std::string, std::unique_ptr<Pair>> pairs_;
  std::unordered_map<std::string, std::vector<Pair*>, StringHash, std::equal_to<>> by_eni_;
  FlowLogWriterStats stats_;
};

}  // namespace minivpc::live
