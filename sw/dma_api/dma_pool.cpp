#include "sw/dma_api/dma_pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <vector>

#include "sw/dma_api/dma_mapping.h"
#include "sw/kernel/kernel.h"

namespace dmasim::sw {

namespace {
constexpr std::uint64_t kCyclesPerPageVisited = 6;  // the pool's page list walk
constexpr std::uint64_t kBlockCycles = 20;          // taking or returning a block
}  // namespace

std::unique_ptr<DmaPool> dma_pool_create(const std::string& name, Device& dev, std::uint64_t size, std::uint64_t align,
                                         std::uint64_t boundary) {
  if (size == 0 || align == 0 || !std::has_single_bit(align)) return nullptr;
  size = (size + align - 1) & ~(align - 1);
  const std::uint64_t allocation = std::max<std::uint64_t>(size, PAGE_SIZE);
  if (boundary == 0) boundary = allocation;
  if (boundary < size || !std::has_single_bit(boundary)) return nullptr;
  return std::make_unique<DmaPool>(name, dev, size, std::min(boundary, allocation));
}

DmaAllocation dma_pool_alloc(cpu::Core& cpu, DmaPool& pool, Gfp gfp) {
  Kernel& k = *pool.dev.kernel;
  CostScope scope(k, cpu, CostKind::Allocator, "dma_pool_alloc", {{"size", pool.size}});
  DmaPoolPage* page = nullptr;
  for (DmaPoolPage& p : pool.pages) {
    cpu.compute(kCyclesPerPageVisited);
    if (!p.free.empty()) {
      page = &p;
      break;
    }
  }
  if (page == nullptr) {  // pool_alloc_page: a new chunk, cut into blocks that do not cross `boundary`
    DmaPoolPage p;
    p.chunk = dma_alloc_coherent(cpu, pool.dev, pool.allocation, gfp & ~__GFP_ZERO);
    if (!p.chunk.ok()) return DmaAllocation{};
    for (std::uint64_t off = 0; off + pool.size <= pool.allocation;) {
      const std::uint64_t next = off + pool.size;
      if ((off / pool.boundary) != ((next - 1) / pool.boundary)) {
        off = (off / pool.boundary + 1) * pool.boundary;  // the block would cross: skip to the boundary
        continue;
      }
      p.free.push_back(off);
      off = next;
    }
    std::reverse(p.free.begin(), p.free.end());  // lowest offset first out
    pool.pages.push_back(std::move(p));
    page = &pool.pages.back();
  }
  cpu.compute(kBlockCycles);
  const std::uint64_t off = page->free.back();
  page->free.pop_back();
  ++page->in_use;
  DmaAllocation a;
  a.cpu_addr = page->chunk.cpu_addr + off;
  a.dma_handle = page->chunk.dma_handle + off;
  if ((gfp & __GFP_ZERO) != 0 && a.cpu_addr != 0) cpu.write_range(a.cpu_addr, pool.size);
  return a;
}

void dma_pool_free(cpu::Core& cpu, DmaPool& pool, const DmaAllocation& block) {
  Kernel& k = *pool.dev.kernel;
  CostScope scope(k, cpu, CostKind::Allocator, "dma_pool_free", {{"size", pool.size}});
  for (DmaPoolPage& p : pool.pages) {
    cpu.compute(kCyclesPerPageVisited);
    if (block.dma_handle < p.chunk.dma_handle || block.dma_handle >= p.chunk.dma_handle + pool.allocation) continue;
    cpu.compute(kBlockCycles);
    p.free.push_back(block.dma_handle - p.chunk.dma_handle);
    --p.in_use;
    return;
  }
  k.count_failure("dma_pool_free");  // the kernel: "dma_pool_free <name>, <addr> (bad dma)"
}

void dma_pool_destroy(cpu::Core& cpu, std::unique_ptr<DmaPool> pool) {
  if (!pool) return;
  for (DmaPoolPage& p : pool->pages) {
    if (p.in_use != 0) pool->dev.kernel->count_failure("dma_pool_destroy");  // "..., busy": the chunk leaks
    else dma_free_coherent(cpu, pool->dev, pool->allocation, p.chunk);
  }
}

}  // namespace dmasim::sw
