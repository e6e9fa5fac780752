#include "sw/dma_api/atomic_pool.h"

#include <fmt/format.h>

#include "sw/kernel/kernel.h"

namespace dmasim::sw {

AtomicPool::AtomicPool(Kernel& kernel, PhysAddr pa, VirtAddr va, std::uint64_t size)
    : kernel_(kernel), pa_(pa), va_(va), size_(size), used_(size / PAGE_SIZE, false) {
  failures_ = &kernel.stats().group("atomic_pool").counter("failures", "calls", "allocations the pool could not serve");
}

std::optional<PhysAddr> AtomicPool::alloc(cpu::Core& cpu, std::uint64_t size) {
  const std::uint64_t want = PAGE_ALIGN(size) / PAGE_SIZE;
  std::uint64_t looked = 0;
  for (std::uint64_t i = 0; i + want <= used_.size(); ++i) {
    std::uint64_t j = i;
    while (j < i + want && !used_[j]) ++j;
    looked += j - i + 1;
    if (j == i + want) {
      cpu.compute(looked * kBitCycles);
      for (std::uint64_t k = i; k < j; ++k) used_[k] = true;
      return pa_ + i * PAGE_SIZE;
    }
    i = j;
  }
  cpu.compute(looked * kBitCycles);
  failures_->inc();
  messages_.push_back(fmt::format("ERROR: {} KiB atomic DMA coherent pool is too small!", size_ / 1024));
  return std::nullopt;
}

bool AtomicPool::free(PhysAddr pa, std::uint64_t size) {
  if (!contains(pa)) return false;
  const std::uint64_t first = (pa - pa_) / PAGE_SIZE;
  for (std::uint64_t k = first; k < first + PAGE_ALIGN(size) / PAGE_SIZE; ++k) used_[k] = false;
  return true;
}

}  // namespace dmasim::sw
