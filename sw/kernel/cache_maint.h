#pragma once
// The architecture's DMA cache maintenance, as the kernel profile selects it (REFERENCE.md
// section 1): what arch/arm/mm/cache-v7.S (v7_dma_map_area / v7_dma_unmap_area), the L2C-310
// driver (arch/arm/mm/cache-l2x0.c: l2c210_clean_range in 4 KiB blocks, CACHE_SYNC) and
// arch/arm64/mm/cache.S (dcache_clean_poc, dcache_inval_poc) do, issued as instructions on the
// calling core, one per line: DC CVAC / DC IVAC / DC CIVAC, PL310 register writes, DSB.
//
// Each function charges its time to CostKind::Maintenance and draws a trace slice.
#include <cstdint>

#include "models/cpu/core.h"
#include "sw/dma_api/types.h"
#include "sw/kernel/types.h"

namespace dmasim::sw {

class Kernel;

class CacheMaint {
 public:
  explicit CacheMaint(Kernel& kernel);

  // What a streaming mapping does before the device owns [va, va+size) (arch_sync_dma_for_device
  // / __dma_page_cpu_to_dev): armv7 L1 by MVA then outer by PA; arm64 clean (or, before 5.19, an
  // invalidate for FROM_DEVICE). `pa` is the physical address of `va` (outer cache ops).
  void sync_for_device(cpu::Core& cpu, VirtAddr va, PhysAddr pa, std::uint64_t size, DmaDirection dir);
  // What it does when the CPU takes the buffer back (arch_sync_dma_for_cpu / __dma_page_dev_to_cpu):
  // nothing for TO_DEVICE; otherwise outer invalidate first, then L1 (armv7), or invalidate (arm64).
  void sync_for_cpu(cpu::Core& cpu, VirtAddr va, PhysAddr pa, std::uint64_t size, DmaDirection dir);
  // Clean + invalidate to the point of coherency (dmac_flush_range + outer_flush_range): what
  // dma_alloc_attrs does to the cacheable alias of a new buffer.
  void flush_range(cpu::Core& cpu, VirtAddr va, PhysAddr pa, std::uint64_t size);
  // Clean only (dcache_clean_poc + outer clean): PTE writes for a non-coherent walker.
  void clean_range(cpu::Core& cpu, VirtAddr va, PhysAddr pa, std::uint64_t size);

  // Barriers: wmb() / mb() are DSB plus, with an outer cache, CACHE_SYNC (outer_sync).
  void wmb(cpu::Core& cpu);
  void mb(cpu::Core& cpu) { wmb(cpu); }
  void dsb(cpu::Core& cpu);

  // The outer cache's by-PA operations (no-ops without one): one register write per line, in
  // 4 KiB blocks, then CACHE_SYNC.
  void outer_clean_range(cpu::Core& cpu, PhysAddr start, PhysAddr end);
  void outer_inv_range(cpu::Core& cpu, PhysAddr start, PhysAddr end);
  void outer_flush_range(cpu::Core& cpu, PhysAddr start, PhysAddr end);
  void outer_sync(cpu::Core& cpu);

  unsigned dcache_line(const cpu::Core& cpu) const;

 private:
  enum class Op : std::uint8_t { Clean, Inv, Flush };
  void l1_range(cpu::Core& cpu, VirtAddr va, std::uint64_t size, Op op);  // by MVA, edges per op
  void outer_range(cpu::Core& cpu, PhysAddr start, PhysAddr end, Op op);
  Kernel& kernel_;
};

}  // namespace dmasim::sw
