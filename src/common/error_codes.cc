#include "common/error_codes.h"

namespace minivpc::err {

int HttpStatusFor(std::string_view code) {
  if (code == kInternalError) return 500;
  if (code == kAuthFailure) return 403;
  if (code == kDryRunOperation) return 412;
  return 400;
}

}  // namespace minivpc::err
