#include "sw/kernel/cache_maint.h"

#include <algorithm>

#include "models/cache/cache.h"
#include "sw/kernel/kernel.h"

namespace dmasim::sw {

namespace {
constexpr std::uint64_t kOuterBlock = 4096;  // the L2C driver works through a range 4 KiB at a time
}

CacheMaint::CacheMaint(Kernel& kernel) : kernel_(kernel) {}

unsigned CacheMaint::dcache_line(const cpu::Core& cpu) const {
  return kernel_.machine().dcache_line(kernel_.core_index(cpu));
}

// The loops of v7_dma_{clean,inv,flush}_range and arm64's dcache_{clean,inval,clean_inval}_poc:
// one instruction per line from the line holding va up to va+size; an invalidate cleans and
// invalidates partial lines at either edge (so a line shared with other data is not lost; a
// range inside one line gets that line twice, as both loops do), then DSB. arm64's
// dcache_inval_poc loop tests at its bottom: from an aligned start it issues one DC IVAC before
// comparing with the rounded-down end, so [L, L+n) with n < line gets DC CIVAC and DC IVAC on
// L (v7_dma_inv_range's MCRLO tests first and issues only the DCCIMVAC).
void CacheMaint::l1_range(cpu::Core& cpu, VirtAddr va, std::uint64_t size, Op op) {
  if (size == 0) return;
  const std::uint64_t line = dcache_line(cpu);
  const std::uint64_t mask = line - 1;
  VirtAddr start = va;
  VirtAddr end = va + size;
  if (op == Op::Inv) {
    if ((end & mask) != 0) {
      end &= ~mask;
      cpu.dc_civac(end);
    }
    if ((start & mask) != 0) {
      start &= ~mask;
      cpu.dc_civac(start);
      start += line;
    } else if (kernel_.profile().is_arm64()) {
      cpu.dc_ivac(start);
      start += line;
    }
    for (; start < end; start += line) cpu.dc_ivac(start);
  } else {
    for (start &= ~mask; start < end; start += line) op == Op::Clean ? cpu.dc_cvac(start) : cpu.dc_civac(start);
  }
  cpu.dsb();
}

void CacheMaint::outer_range(cpu::Core& cpu, PhysAddr start, PhysAddr end, Op op) {
  const unsigned core = kernel_.core_index(cpu);
  const std::optional<std::uint64_t> regs = kernel_.machine().outer_cache_regs(core);
  if (!kernel_.profile().has_outer_cache() || !regs || start >= end) return;
  CostScope scope(kernel_, cpu, CostKind::Maintenance, "outer_range", {{"start", start}, {"bytes", end - start}});
  const std::uint64_t line = kernel_.machine().outer_cache_line(core);
  const std::uint64_t mask = line - 1;
  std::uint64_t reg = 0;
  switch (op) {
    case Op::Clean:
      reg = cache::pl310::kCleanLinePa;
      start &= ~mask;
      break;
    case Op::Flush:
      reg = cache::pl310::kCleanInvLinePa;
      start &= ~mask;
      break;
    case Op::Inv:
      // Partial lines at the edges are cleaned and invalidated (l2c210_inv_range).
      reg = cache::pl310::kInvLinePa;
      if ((start & mask) != 0) {
        start &= ~mask;
        cpu.mmio_write(*regs + cache::pl310::kCleanInvLinePa, static_cast<std::uint32_t>(start));
        start += line;
      }
      if ((end & mask) != 0) {
        end &= ~mask;
        cpu.mmio_write(*regs + cache::pl310::kCleanInvLinePa, static_cast<std::uint32_t>(end));
      }
      break;
  }
  while (start < end) {
    const PhysAddr block_end = std::min(end, (start & ~(kOuterBlock - 1)) + kOuterBlock);
    for (; start < block_end; start += line) cpu.mmio_write(*regs + reg, static_cast<std::uint32_t>(start));
  }
  cpu.mmio_write(*regs + cache::pl310::kCacheSync, 0);
}

void CacheMaint::sync_for_device(cpu::Core& cpu, VirtAddr va, PhysAddr pa, std::uint64_t size, DmaDirection dir) {
  CostScope scope(kernel_, cpu, CostKind::Maintenance, "sync_for_device",
                  {{"va", va}, {"bytes", size}, {"dir", to_string(dir)}});
  switch (kernel_.profile().arch) {
    case KernelArch::Armv7Pl310:
    case KernelArch::Armv7:
      // __dma_page_cpu_to_dev: dmac_map_area, then the outer cache.
      l1_range(cpu, va, size, dir == DmaDirection::FromDevice ? Op::Inv : Op::Clean);
      if (dir == DmaDirection::FromDevice)
        outer_inv_range(cpu, pa, pa + size);
      else
        outer_clean_range(cpu, pa, pa + size);
      break;
    case KernelArch::Arm64Pre519:
      l1_range(cpu, va, size, dir == DmaDirection::FromDevice ? Op::Inv : Op::Clean);
      break;
    case KernelArch::Arm64:
      l1_range(cpu, va, size, Op::Clean);
      break;
  }
}

void CacheMaint::sync_for_cpu(cpu::Core& cpu, VirtAddr va, PhysAddr pa, std::uint64_t size, DmaDirection dir) {
  if (dir == DmaDirection::ToDevice) return;
  CostScope scope(kernel_, cpu, CostKind::Maintenance, "sync_for_cpu",
                  {{"va", va}, {"bytes", size}, {"dir", to_string(dir)}});
  // __dma_page_dev_to_cpu: the outer cache first (lines the L1 evicts meanwhile land in it),
  // then dmac_unmap_area. arm64: dcache_inval_poc.
  outer_inv_range(cpu, pa, pa + size);
  l1_range(cpu, va, size, Op::Inv);
}

void CacheMaint::flush_range(cpu::Core& cpu, VirtAddr va, PhysAddr pa, std::uint64_t size) {
  CostScope scope(kernel_, cpu, CostKind::Maintenance, "flush_range", {{"va", va}, {"bytes", size}});
  l1_range(cpu, va, size, Op::Flush);
  outer_flush_range(cpu, pa, pa + size);
}

void CacheMaint::clean_range(cpu::Core& cpu, VirtAddr va, PhysAddr pa, std::uint64_t size) {
  CostScope scope(kernel_, cpu, CostKind::Maintenance, "clean_range", {{"va", va}, {"bytes", size}});
  l1_range(cpu, va, size, Op::Clean);
  outer_clean_range(cpu, pa, pa + size);
}

void CacheMaint::dsb(cpu::Core& cpu) {
  CostScope scope(kernel_, cpu, CostKind::Maintenance, "dsb");
  cpu.dsb();
}

void CacheMaint::wmb(cpu::Core& cpu) {
  CostScope scope(kernel_, cpu, CostKind::Maintenance, "wmb");
  cpu.dsb();
  outer_sync(cpu);
}

void CacheMaint::outer_clean_range(cpu::Core& cpu, PhysAddr start, PhysAddr end) { outer_range(cpu, start, end, Op::Clean); }
void CacheMaint::outer_inv_range(cpu::Core& cpu, PhysAddr start, PhysAddr end) { outer_range(cpu, start, end, Op::Inv); }
void CacheMaint::outer_flush_range(cpu::Core& cpu, PhysAddr start, PhysAddr end) { outer_range(cpu, start, end, Op::Flush); }

void CacheMaint::outer_sync(cpu::Core& cpu) {
  const std::optional<std::uint64_t> regs = kernel_.machine().outer_cache_regs(kernel_.core_index(cpu));
  if (!kernel_.profile().has_outer_cache() || !regs) return;
  cpu.mmio_write(*regs + cache::pl310::kCacheSync, 0);
}

}  // namespace dmasim::sw
