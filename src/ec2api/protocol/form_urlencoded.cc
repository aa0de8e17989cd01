#include "ec2api/protocol/form_urlencoded.h"

#include "common/error_codes.h"

namespace minivpc::ec2api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes one key or value. `offset` is its position in the whole body, for
// the error message.
StatusOr<std::string> Decode(std::string_view text, size_t offset) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c != '%') {
      out += c;
    } else {
      const bool room = i + 2 < text.size();
      const int hi = room ? HexValue(text[i + 1]) : -1;
      const int lo = room ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Status(err::kMalformedQueryString, "Invalid percent-encoding at offset " +
                                                      std::to_string(offset + i) +
                                                      " of the query string");
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
  }
  return out;
}

}  // namespace

StatusOr<QueryParams> ParseFormUrlEncoded(std::string_view body) {
  QueryParams params;
  size_t start = 0;
  while (start <= body.size()) {
    size_t amp = body.find('&', start);
    if (amp == std::string_view::npos) amp = body.size();
    const std::string_view pair = body.substr(start, amp - start);
    const size_t eq = pair.find('=');
    const std::string_view raw_key = pair.substr(0, eq);
    MINIVPC_ASSIGN_OR_RETURN(std::string key, Decode(raw_key, start));
    if (!key.empty()) {
      std::string value;
      if (eq != std::string_view::npos) {
        MINIVPC_ASSIGN_OR_RETURN(value, Decode(pair.substr(eq + 1), start + eq + 1));
      }
      params.emplace_back(std::move(key), std::move(value));
    }
    start = amp + 1;
  }
  return params;
}

}  // namespace minivpc::ec2api
