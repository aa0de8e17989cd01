// HttpServer: the HTTP edge (Boost.Beast), keep-alive, N I/O threads.
//
// Every request goes to Ec2Service::Handle; its reply may arrive on another
// thread (after a durable commit) and is posted back to the connection's
// strand. Malformed HTTP gets a 400 and the connection closed; nothing a
// client sends can crash the server.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "ec2api/service.h"

namespace minivpc {

// A non-EC2 route, e.g. POST /minivpc/trace. Runs on an I/O thread.
struct RouteResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};
using RouteHandler =
    std::function<RouteResponse(const std::string& method, const std::string& body)>;

class HttpServer {
 public:
  HttpServer(ec2api::Ec2Service& service, int threads);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (port 0 picks an ephemeral port). Error InternalError
  // with the reason when the address cannot be bound.
  Status Listen(const std::string& host, uint16_t port);
  // Serves `path` (exact match, before the EC2 API) with `handler`. Call
  // before Run.
  void AddRoute(const std::string& path, RouteHandler handler);
  uint16_t port() const;
  // Serves until Stop() (thread-safe; main.cc calls it on SIGINT/SIGTERM).
  void Run();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "HOST:PORT" (or "[v6]:PORT"). InvalidParameterValue if malformed.
StatusOr<std::pair<std::string, uint16_t>> ParseListenAddress(const std::string& text);

}  // namespace minivpc
