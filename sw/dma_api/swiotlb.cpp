#include "sw/dma_api/swiotlb.h"

#include <fmt/format.h>

#include "sw/dma_api/device.h"
#include "sw/kernel/cache_maint.h"
#include "sw/kernel/kernel.h"

namespace dmasim::sw {

Swiotlb::Swiotlb(Kernel& kernel, PhysAddr base, std::uint64_t size)
    : kernel_(kernel), base_(base), nslabs_(size >> IO_TLB_SHIFT), orig_(nslabs_, 0), nslots_(nslabs_, 0) {
  stats::Group g = kernel.stats().group("swiotlb");
  maps_ = &g.counter("maps", "mappings", "bounce mappings made");
  full_ = &g.counter("full", "mappings", "mappings refused: no run of free slots");
  bytes_bounced_ = &g.counter("bytes_bounced", "bytes", "bytes the CPU copied to or from bounce slots");
}

PhysAddr Swiotlb::swiotlb_tbl_map_single(cpu::Core& cpu, Device& dev, PhysAddr orig, std::uint64_t size,
                                         DmaDirection dir, DmaAttrs attrs) {
  const std::uint64_t want = (size + IO_TLB_SIZE - 1) >> IO_TLB_SHIFT;
  std::uint64_t scanned = 0, found = nslabs_;
  if (want != 0 && want <= IO_TLB_SEGSIZE) {
    // First fit from the rotating index, wrapping once; a run never crosses a segment boundary.
    for (std::uint64_t n = 0; n < nslabs_ && found == nslabs_; ++n) {
      const std::uint64_t i = (index_ + n) % nslabs_;
      ++scanned;
      if (i % IO_TLB_SEGSIZE + want > IO_TLB_SEGSIZE || i + want > nslabs_) continue;
      bool free = true;
      for (std::uint64_t j = i; j < i + want && free; ++j) free = orig_[j] == 0;
      if (free) found = i;
    }
  }
  cpu.compute(scanned * kSlotScanCycles);
  if (found == nslabs_) {
    full_->inc();
    messages_.push_back(fmt::format("{}: swiotlb buffer is full (sz: {} bytes), total {} (slots), used {} (slots)",
                                    dev.name, size, nslabs_, used_));
    return DMA_MAPPING_ERROR;
  }
  for (std::uint64_t j = 0; j < want; ++j) orig_[found + j] = orig + j * IO_TLB_SIZE;
  nslots_[found] = static_cast<std::uint32_t>(want);
  used_ += want;
  index_ = (found + want) % nslabs_;
  maps_->inc();
  const PhysAddr tlb = base_ + (found << IO_TLB_SHIFT);
  bounce(cpu, tlb, size, Copy::ToBounce);
  if (!dev.dma_coherent && (attrs & DMA_ATTR_SKIP_CPU_SYNC) == 0)
    kernel_.cache().sync_for_device(cpu, kernel_.phys_to_virt(tlb), tlb, size, dir);
  return tlb;
}

void Swiotlb::swiotlb_tbl_unmap_single(cpu::Core& cpu, Device& dev, PhysAddr tlb, std::uint64_t size,
                                       DmaDirection dir, DmaAttrs attrs) {
  if ((attrs & DMA_ATTR_SKIP_CPU_SYNC) == 0) swiotlb_sync_single_for_cpu(cpu, dev, tlb, size, dir);
  const std::uint64_t first = slot(tlb);
  const std::uint32_t n = nslots_[first];
  for (std::uint64_t j = first; j < first + n; ++j) orig_[j] = 0;
  nslots_[first] = 0;
  used_ -= n;
}

void Swiotlb::swiotlb_sync_single_for_cpu(cpu::Core& cpu, Device& dev, PhysAddr tlb, std::uint64_t size,
                                          DmaDirection dir) {
  if (!dev.dma_coherent) kernel_.cache().sync_for_cpu(cpu, kernel_.phys_to_virt(tlb), tlb, size, dir);
  if (dir == DmaDirection::FromDevice || dir == DmaDirection::Bidirectional) bounce(cpu, tlb, size, Copy::FromBounce);
}

void Swiotlb::swiotlb_sync_single_for_device(cpu::Core& cpu, Device& dev, PhysAddr tlb, std::uint64_t size,
                                             DmaDirection dir) {
  if (dir == DmaDirection::ToDevice || dir == DmaDirection::Bidirectional) bounce(cpu, tlb, size, Copy::ToBounce);
  if (!dev.dma_coherent) kernel_.cache().sync_for_device(cpu, kernel_.phys_to_virt(tlb), tlb, size, dir);
}

void Swiotlb::bounce(cpu::Core& cpu, PhysAddr tlb, std::uint64_t size, Copy dir) {
  CostScope scope(kernel_, cpu, CostKind::Copy, "swiotlb_bounce", {{"bytes", size}});
  const PhysAddr orig = orig_[slot(tlb)] + (tlb - (base_ + (slot(tlb) << IO_TLB_SHIFT)));
  const VirtAddr bounce_va = kernel_.phys_to_virt(tlb);
  const VirtAddr orig_va = kernel_.phys_to_virt(orig);
  if (dir == Copy::ToBounce)
    cpu.copy(bounce_va, orig_va, size);
  else
    cpu.copy(orig_va, bounce_va, size);
  bytes_bounced_->inc(size);
}

}  // namespace dmasim::sw
