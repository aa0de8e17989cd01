#include "ec2api/protocol/error_document.h"

#include "ec2api/protocol/internal/text.h"

namespace minivpc::ec2api {

std::string EncodeError(const Status& s, std::string_view request_id) {
  std::string out;
  out.reserve(160 + s.code().size() + s.message().size() + request_id.size());
  out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>");
  internal::AppendXmlEscaped(s.code(), &out);
  out.append("</Code><Message>");
  internal::AppendXmlEscaped(s.message(), &out);
  out.append("</Message></Error></Errors><RequestID>");
  internal::AppendXmlEscaped(request_id, &out);
  out.append("</RequestID></Response>");
  return out;
}

}  // namespace minivpc::ec2api
