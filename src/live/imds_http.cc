#include "live/imds_http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstring>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>
#include <vector>

#include "common/error_codes.h"
#include "live/system.h"

namespace minivpc::live {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds(10);
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
constexpr size_t kMaxHeaderBytes = 8192;
constexpr size_t kMaxBodyBytes = 1024;

bool ValidNamespaceName(const std::string& ns) {
  return !ns.empty() && ns.size() < 256 && ns != "." && ns != ".." &&
         ns.find_first_of(std::string_view("/\0", 2)) == std::string::npos;
}

// Runs `fn` on a new thread and waits for it: the thread may change its
// own namespaces and takes the change with it when it ends.
Status RunOnHelperThread(const std::function<void()>& fn) {
  try {
    std::thread(fn).join();
  } catch (const std::system_error& e) {
    return Status(err::kInternalError, std::string("cannot start a thread: ") + e.what());
  }
  return Status::Ok();
}

// One nft transaction (idempotent: the table is replaced) sending the
// namespace's own connections to 169.254.169.254:80 to the internal port.
std::string RedirectRules() {
  const std::string a = ImdsServer::kAddress;
  return "add table ip minivpc_imds; delete table ip minivpc_imds; add table ip minivpc_imds; "
         "add chain ip minivpc_imds output { type nat hook output priority -100; }; "
         "add rule ip minivpc_imds output ip daddr " +
         a + " tcp dport 80 dnat to " + a + ":" + std::to_string(ImdsServer::kInternalPort);
}

// A listening TCP socket on 169.254.169.254:`port` created inside `ns`.
StatusOr<int> ListenInNamespace(const std::string& ns, uint16_t port) {
  int fd = -1;
  std::string failed;  // the step that failed, with errno's text
  auto fail = [&](const char* step) {
    failed = std::string(step) + ": " + strerror(errno);
    if (fd >= 0) close(fd);
    fd = -1;
  };
  MINIVPC_RETURN_IF_ERROR(RunOnHelperThread([&] {
    int nsfd = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) return fail("open");
    int rc = setns(nsfd, CLONE_NEWNET);
    close(nsfd);
    if (rc != 0) return fail("setns");
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return fail("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, ImdsServer::kAddress, &addr.sin_addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return fail("bind");
    if (listen(fd, 64) != 0) return fail("listen");
  }));
  if (fd < 0) return Status(err::kInternalError, "IMDS socket in " + ns + ": " + failed);
  return fd;
}

struct Listener;
class Session;

// The server's state. `lookup` and `clock` are set once at construction;
// the rest is touched on the io thread only, or by a caller holding
// Impl::mu while no io thread runs.
struct ImdsState {
  ImdsServer::Lookup lookup;
  Clock* clock;
  asio::io_context ioc;
  TokenStore tokens;
  std::map<std::string, std::shared_ptr<Listener>> listeners;
};

struct Listener {
  Listener(asio::io_context& ioc, std::string id)
      : instance_id(std::move(id)), acceptor(ioc), retry(ioc) {}
  std::string instance_id;
  tcp::acceptor acceptor;
  asio::steady_timer retry;
  std::set<Session*> sessions;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Listener> listener, ImdsState& state)
      : stream_(std::move(socket)),
        buffer_(kMaxHeaderBytes + kMaxBodyBytes),
        listener_(std::move(listener)),
        state_(state) {}
  ~Session() { listener_->sessions.erase(this); }

  void Start() {
    listener_->sessions.insert(this);
    Read();
  }
  void Close() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(kMaxBodyBytes);
    stream_.expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return Write(ImdsError(400), 11, false);  // malformed: answer, then close
    }
    if (ec) return Close();
    const http::request<http::string_body>& req = parser_->get();
    Write(Answer(req), req.version(), req.keep_alive());
  }

  ImdsResponse Answer(const http::request<http::string_body>& req) {
    ImdsRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    if (auto it = req.find("X-aws-ec2-metadata-token"); it != req.end()) {
      r.token = std::string(it->value());
    }
    if (auto it = req.find("X-aws-ec2-metadata-token-ttl-seconds"); it != req.end()) {
      r.token_ttl = std::string(it->value());
    }
    r.forwarded = req.find("X-Forwarded-For") != req.end();
    std::optional<InstanceMetadata> md = state_.lookup(listener_->instance_id);
    if (!md) return ImdsError(404);
    return HandleImdsRequest(r, *md, state_.tokens, state_.clock->NowMillis());
  }

  void Write(ImdsResponse r, unsigned version, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), version);
    res->set(http::field::server, "EC2ws");
    res->set(http::field::content_type, r.content_type);
    if (r.token_ttl_seconds > 0) {
      res->set("X-aws-ec2-metadata-token-ttl-seconds", std::to_string(r.token_ttl_seconds));
    }
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec || !res->keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Listener> listener_;
  ImdsState& state_;
};

void Accept(ImdsState& state, std::shared_ptr<Listener> l) {
  l->acceptor.async_accept([&state, l](beast::error_code ec, tcp::socket socket) {
    if (!l->acceptor.is_open()) return;  // removed
    if (ec) {  // e.g. out of descriptors: try again later rather than spin
      l->retry.expires_after(kAcceptRetry);
      l->retry.async_wait([&state, l](beast::error_code ec) {
        if (!ec) Accept(state, l);
      });
      return;
    }
    if (l->sessions.size() < ImdsServer::kMaxConnectionsPerInstance) {
      std::make_shared<Session>(std::move(socket), l, state)->Start();
    }  // else the socket closes here
    Accept(state, l);
  });
}

void CloseListener(Listener& l) {
  beast::error_code ec;
  l.acceptor.close(ec);
  l.retry.cancel();
  for (Session* s : std::vector<Session*>(l.sessions.begin(), l.sessions.end())) s->Close();
}

}  // namespace

struct ImdsServer::Impl : ImdsState {
  // Runs `fn` where the io state may be touched, and returns when it has
  // run: on the io thread when it runs, else here. Caller holds `mu`.
  void OnIoThread(const std::function<void()>& fn) {
    if (!thread.joinable()) return fn();
    std::promise<void> done;
    asio::post(ioc, [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }

  void Remove(const std::string& id) {
    if (auto it = listeners.find(id); it != listeners.end()) {
      CloseListener(*it->second);
      listeners.erase(it);
    }
    tokens.RemoveInstance(id);
  }

  SystemClock system_clock;
  std::mutex mu;  // serialises the public calls
  std::thread thread;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
};

ImdsServer::ImdsServer(Lookup lookup, Clock* clock) : impl_(std::make_unique<Impl>()) {
  impl_->lookup = std::move(lookup);
  impl_->clock = clock ? clock : &impl_->system_clock;
}

ImdsServer::~ImdsServer() { Stop(); }

Status ImdsServer::Start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->thread.joinable()) return Status::Ok();
  impl_->ioc.restart();
  impl_->work.emplace(asio::make_work_guard(impl_->ioc));
  try {
    impl_->thread = std::thread([this] { impl_->ioc.run(); });
  } catch (const std::system_error& e) {
    impl_->work.reset();
    return Status(err::kInternalError, std::string("cannot start the IMDS thread: ") + e.what());
  }
  return Status::Ok();
}

void ImdsServer::Stop() {
  std::lock_guard lock(impl_->mu);
  impl_->OnIoThread([this] {
    for (auto& [id, l] : impl_->listeners) CloseListener(*l);
    impl_->listeners.clear();
    impl_->tokens = TokenStore();
  });
  if (!impl_->thread.joinable()) return;
  impl_->work.reset();  // run() returns once the closed sockets' handlers ran
  impl_->thread.join();
}

Status ImdsServer::AddInstance(const std::string& instance_id, const std::string& ns) {
  if (!ValidNamespaceName(ns)) {
    return Status(err::kInvalidParameterValue, "invalid network namespace name '" + ns + "'");
  }
  RemoveInstance(instance_id);  // frees the address if the namespace is the same
  MINIVPC_RETURN_IF_ERROR(
      Run({"ip", "-n", ns, "addr", "replace", std::string(kAddress) + "/32", "dev", "lo"}));
  MINIVPC_RETURN_IF_ERROR(Run({"ip", "-n", ns, "link", "set", "lo", "up"}));
  uint16_t port = kInternalPort;
  if (!Run({"ip", "netns", "exec", ns, "nft", RedirectRules()}).ok()) port = 80;
  MINIVPC_ASSIGN_OR_RETURN(int fd, ListenInNamespace(ns, port));
  return AddInstanceListener(instance_id, fd);
}

Status ImdsServer::AddInstanceListener(const std::string& instance_id, int listen_fd) {
  auto l = std::make_shared<Listener>(impl_->ioc, instance_id);
  beast::error_code ec;
  l->acceptor.assign(tcp::v4(), listen_fd, ec);
  if (ec) {
    close(listen_fd);
    return Status(err::kInternalError, "IMDS listener: " + ec.message());
  }
  std::lock_guard lock(impl_->mu);
  impl_->OnIoThread([&] {
    impl_->Remove(instance_id);
    impl_->listeners[instance_id] = l;
    Accept(*impl_, l);
  });
  return Status::Ok();
}

void ImdsServer::RemoveInstance(const std::string& instance_id) {
  std::lock_guard lock(impl_->mu);
  impl_->OnIoThread([&] { impl_->Remove(instance_id); });
}

}  // namespace minivpc::live
