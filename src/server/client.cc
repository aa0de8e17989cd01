#include "server/client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>

#include "common/error_codes.h"

namespace minivpc {

std::string ResolveEndpoint(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("MINIVPC_ENDPOINT"); env && *env) return env;
  return kDefaultEndpoint;
}

StatusOr<std::string> HttpPost(const std::string& endpoint, const std::string& path,
                               const std::string& body, int* http_status) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  std::string rest = endpoint;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos) {
    return Status(err::kInvalidParameterValue, "endpoint must be http://HOST:PORT: " + endpoint);
  }
  std::string host = rest.substr(0, colon);
  std::string port = rest.substr(colon + 1);
  try {  // Boost's synchronous API reports failures by exception: contain it here.
    boost::asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> req(http::verb::post, path, 11);
    req.set(http::field::host, host);
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    if (http_status) *http_status = static_cast<int>(res.result_int());
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return res.body();
  } catch (const std::exception& e) {
    return Status(err::kInternalError, "cannot reach minivpc at " + endpoint + ": " + e.what());
  }
}

}  // namespace minivpc
