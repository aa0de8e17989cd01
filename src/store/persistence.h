// Glue between the model's journal and a Store: turning the rows an action
// touched into RowChanges, and rebuilding a Cloud from stored rows.
#pragma once

#include <vector>

#include "store/store.h"
#include "vpc/cloud.h"

namespace minivpc {

// One change per distinct touched row: its current document, or a delete.
std::vector<RowChange> CollectChanges(const std::vector<DirtyRow>& dirty);

// Loads every stored row into `cloud` (which must be empty). Rows of unknown
// kinds are skipped and counted in `*skipped`.
Status RestoreCloud(Store& store, Cloud& cloud, size_t* rows = nullptr, size_t* skipped = nullptr);

}  // namespace minivpc
