#include "alloc_counter.h"

#include <cstdlib>
#include <new>

namespace minivpc::bench {
namespace {
uint64_t g_allocations = 0;
}  // namespace

uint64_t AllocationCount() { return g_allocations; }

}  // namespace minivpc::bench

void* operator new(std::size_t n) {
  ++minivpc::bench::g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
