#include "server/http_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <thread>
#include <vector>

#include "common/error_codes.h"

namespace minivpc {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using Routes = std::map<std::string, RouteHandler>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ec2api::Ec2Service& service, const Routes& routes)
      : stream_(std::move(socket)), service_(service), routes_(routes) {}

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(4 * 1024 * 1024);
    stream_.expires_after(std::chrono::seconds(120));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return Close();
    }
    if (ec) {
      auto bad = std::make_shared<http::response<http::string_body>>(http::status::bad_request, 11);
      bad->set(http::field::content_type, "text/plain");
      bad->body() = "malformed HTTP request\n";
      bad->keep_alive(false);
      bad->prepare_payload();
      return Write(bad);
    }
    http::request<http::string_body> req = parser_->release();
    std::string path(req.target().data(), req.target().size());
    path = path.substr(0, path.find('?'));
    if (auto route = routes_.find(path); route != routes_.end()) {
      RouteResponse rr = route->second(std::string(req.method_string()), req.body());
      auto res = std::make_shared<http::response<http::string_body>>(
          static_cast<http::status>(rr.status), req.version());
      res->set(http::field::server, "minivpc");
      res->set(http::field::content_type, rr.content_type);
      res->body() = std::move(rr.body);
      res->keep_alive(req.keep_alive());
      res->prepare_payload();
      return Write(res);
    }
    ec2api::ApiRequest api;
    std::string_view target(req.target().data(), req.target().size());
    if (size_t q = target.find('?'); q != std::string_view::npos) {
      api.query = std::string(target.substr(q + 1));
    }
    if (req.method() == http::verb::post) api.body = std::move(req.body());
    auto auth = req[http::field::authorization];
    api.authorization.assign(auth.data(), auth.size());
    bool keep_alive = req.keep_alive();
    unsigned version = req.version();
    service_.Handle(api, [self = shared_from_this(), keep_alive, version](ec2api::ApiResponse r) {
      auto res = std::make_shared<http::response<http::string_body>>(
          static_cast<http::status>(r.status), version);
      res->set(http::field::server, "minivpc");
      res->set(http::field::content_type, "text/xml;charset=UTF-8");
      res->body() = std::move(r.body);
      res->keep_alive(keep_alive);
      res->prepare_payload();
      asio::post(self->stream_.get_executor(), [self, res] { self->Write(res); });
    });
  }

  void Write(std::shared_ptr<http::response<http::string_body>> res) {
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec || !res->keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  ec2api::Ec2Service& service_;
  const Routes& routes_;
};

}  // namespace

struct HttpServer::Impl {
  Impl(ec2api::Ec2Service& s, int n)
      : service(s), threads(n), ioc(n), acceptor(asio::make_strand(ioc)) {}

  void Accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        sock.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(sock), service, routes)->Start();
      }
      if (acceptor.is_open()) Accept();
    });
  }

  ec2api::Ec2Service& service;
  Routes routes;
  int threads;
  asio::io_context ioc;
  tcp::acceptor acceptor;
};

HttpServer::HttpServer(ec2api::Ec2Service& service, int threads)
    : impl_(std::make_unique<Impl>(service, threads < 1 ? 1 : threads)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Listen(const std::string& host, uint16_t port) {
  beast::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Status(err::kInvalidParameterValue, "invalid listen host '" + host + "'");
  tcp::endpoint ep(addr, port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(err::kInternalError,
                  "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  return Status::Ok();
}

void HttpServer::AddRoute(const std::string& path, RouteHandler handler) {
  impl_->routes[path] = std::move(handler);
}

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::Run() {
  impl_->Accept();
  std::vector<std::thread> pool;
  for (int i = 1; i < impl_->threads; ++i) pool.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : pool) t.join();
}

void HttpServer::Stop() {
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->ioc.stop();
  });
}

StatusOr<std::pair<std::string, uint16_t>> ParseListenAddress(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status(err::kInvalidParameterValue, "expected HOST:PORT, got '" + text + "'");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  std::string_view p(text.data() + colon + 1, text.size() - colon - 1);
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || end != p.data() + p.size() || port > 65535) {
    return Status(err::kInvalidParameterValue, "invalid port in '" + text + "'");
  }
  return std::make_pair(host, static_cast<uint16_t>(port));
}

}  // namespace minivpc
