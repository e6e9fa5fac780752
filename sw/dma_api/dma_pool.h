#pragma once
// dma_pool (mm/dmapool.c): small coherent blocks carved from chunks of max(size, PAGE_SIZE)
// obtained with dma_alloc_coherent, never crossing `boundary`.
#include <cstdint>
#include <memory>
#include <string>

#include "models/cpu/core.h"
#include "sw/dma_api/device.h"
#include "sw/dma_api/dma_map_ops.h"

namespace dmasim::sw {

class DmaPool;

// nullptr when the arguments are invalid (size 0, align not a power of two, boundary < size).
std::unique_ptr<DmaPool> dma_pool_create(const std::string& name, Device& dev, std::uint64_t size,
                                         std::uint64_t align, std::uint64_t boundary);
DmaAllocation dma_pool_alloc(cpu::Core& cpu, DmaPool& pool, Gfp gfp);
void dma_pool_free(cpu::Core& cpu, DmaPool& pool, const DmaAllocation& block);
void dma_pool_destroy(cpu::Core& cpu, std::unique_ptr<DmaPool> pool);

}  // namespace dmasim::sw
