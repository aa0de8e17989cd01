// A count of calls to the global operator new in this process, so that a
// benchmark can report heap allocations per operation. Linking
// alloc_counter.cc replaces operator new/delete with malloc/free plus one
// increment (the library defaults are malloc/free too).
//
//   uint64_t before = AllocationCount();
//   Work();
//   uint64_t allocations = AllocationCount() - before;
//
// Not atomic: meaningful for single-threaded measurements only.
#pragma once

#include <cstdint>

namespace minivpc::bench {

uint64_t AllocationCount();

}  // namespace minivpc::bench
