#include "vpc/lookups.h"

namespace minivpc {

bool IsWellFormedId(std::string_view id, std::string_view prefix) {
  if (id.size() <= prefix.size() + 1 || id.substr(0, prefix.size()) != prefix ||
      id[prefix.size()] != '-') {
    return false;
  }
  std::string_view hex = id.substr(prefix.size() + 1);
  if (hex.size() != 8 && hex.size() != 17) return false;
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status IdError(const IdKind& kind, std::string_view id) {
  if (!IsWellFormedId(id, kind.prefix)) {
    return Status(kind.malformed, "Invalid id: \"" + std::string(id) + "\"");
  }
  return Status(kind.not_found,
                "The " + std::string(kind.noun) + " '" + std::string(id) + "' does not exist");
}

}  // namespace minivpc
