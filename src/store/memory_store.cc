#include "store/store.h"

namespace minivpc {
namespace {

class MemoryStore : public Store {
 public:
  Status Scan(const RowFn&) override { return Status::Ok(); }
  void Commit(std::vector<RowChange>, DoneFn done) override { done(Status::Ok()); }
};

}  // namespace

std::unique_ptr<Store> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace minivpc
