#pragma once
// dma_pool (mm/dmapool.c): small coherent blocks carved from chunks of max(size, PAGE_SIZE)
// obtained with dma_alloc_coherent, never crossing `boundary`.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/cpu/core.h"
#include "sw/dma_api/device.h"
#include "sw/dma_api/dma_map_ops.h"

namespace dmasim::sw {

// struct dma_page: one chunk and the offsets of its free blocks.
struct DmaPoolPage {
  DmaAllocation chunk;
  std::vector<std::uint64_t> free;
  unsigned in_use = 0;
};

// struct dma_pool; use the functions below.
class DmaPool {
 public:
  DmaPool(std::string n, Device& d, std::uint64_t s, std::uint64_t b)
      : name(std::move(n)), dev(d), size(s), allocation(s > 4096 ? s : 4096), boundary(b) {}
  std::string name;
  Device& dev;
  std::uint64_t size, allocation, boundary;
  std::vector<DmaPoolPage> pages;
};

// nullptr when the arguments are invalid (size 0, align not a power of two, boundary < size).
std::unique_ptr<DmaPool> dma_pool_create(const std::string& name, Device& dev, std::uint64_t size,
                                         std::uint64_t align, std::uint64_t boundary);
DmaAllocation dma_pool_alloc(cpu::Core& cpu, DmaPool& pool, Gfp gfp);
void dma_pool_free(cpu::Core& cpu, DmaPool& pool, const DmaAllocation& block);
void dma_pool_destroy(cpu::Core& cpu, std::unique_ptr<DmaPool> pool);

}  // namespace dmasim::sw
