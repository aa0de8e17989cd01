#include "vpc/table.h"

namespace minivpc {

void Journal::Rollback() {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
  undo_.clear();
  dirty_.clear();
}

std::vector<DirtyRow> Journal::TakeDirty() {
  undo_.clear();
  std::vector<DirtyRow> out;
  out.swap(dirty_);
  return out;
}

}  // namespace minivpc
