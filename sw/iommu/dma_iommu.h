#pragma once
// dma-iommu (drivers/iommu/dma-iommu.c): the DMA ops of a device in an IOMMU's default DMA
// domain on arm64, with the IOVA allocator of iova.c (sw/iommu/iova_domain.h).
//
// - map_page: arch_sync_dma_for_device (unless SKIP_CPU_SYNC), an IOVA of the granule-rounded
//   size (under 32 pages rounded up to a power of two, from the per-CPU caches), iommu_map.
// - unmap_page: iommu_iova_to_phys, arch_sync_dma_for_cpu, iommu_unmap; strict: the IOTLB is
//   invalidated before the IOVA is freed; lazy (kernel.iommu.flush: lazy): the driver skips the
//   invalidation and the IOVA waits in a per-CPU flush queue of 256 entries, emptied with one
//   flush_iotlb_all when it is full or its oldest entry is 10 ms old (checked at the next queue
//   operation: the model has no timers).
// - map_sg: one IOVA for the whole list, iommu_map per entry, segments merged up to the
//   device's maximum segment size.
// - alloc: pages of the orders the IOMMU's page sizes allow (zeroed, cleaned to the point of
//   coherency), one IOVA, a Normal-NC remap; may-not-sleep callers get atomic-pool memory;
//   FORCE_CONTIGUOUS a CMA buffer.
#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "sw/dma_api/dma_map_ops.h"
#include "sw/iommu/iommu.h"
#include "sw/iommu/iommu_buffer.h"
#include "sw/iommu/iova_domain.h"

namespace dmasim::sw {

class DmaIommuOps final : public DmaMapOps {
 public:
  static constexpr std::uint64_t kIovaCallCycles = 40;     // lock, bookkeeping
  static constexpr std::uint64_t kCyclesPerNode = 10;      // an rbtree node visited (a cache-missing pointer chase)
  static constexpr std::uint64_t kCyclesPerMagOp = 4;
  static constexpr std::size_t kFlushQueueEntries = 256;   // IOVA_FQ_SIZE
  static constexpr Picoseconds kFlushQueueTimeout = 10'000'000'000;  // IOVA_FQ_TIMEOUT: 10 ms

  DmaIommuOps(Kernel& kernel, IommuDomain& domain);
  std::string_view name() const override { return "dma-iommu"; }

  DmaAllocation alloc(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp, DmaAttrs attrs) override;
  void free(cpu::Core& cpu, Device& dev, std::uint64_t size, const DmaAllocation& a, DmaAttrs attrs) override;
  int mmap(cpu::Core& cpu, Device& dev, VirtAddr uaddr, const DmaAllocation& a, std::uint64_t size,
           DmaAttrs attrs) override;
  DmaAddr map_page(cpu::Core& cpu, Device& dev, PhysAddr phys, std::uint64_t size, DmaDirection dir,
                   DmaAttrs attrs) override;
  void unmap_page(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir,
                  DmaAttrs attrs) override;
  int map_sg(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs) override;
  void unmap_sg(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir, DmaAttrs attrs) override;
  void sync_single_for_cpu(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir) override;
  void sync_single_for_device(cpu::Core& cpu, Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir) override;
  void sync_sg_for_cpu(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir) override;
  void sync_sg_for_device(cpu::Core& cpu, Device& dev, SgTable& sg, DmaDirection dir) override;

  IovaDomain& iovad() { return iovad_; }
  bool lazy() const { return lazy_; }
  // Drains the flush queues (the timer's work), e.g. before the domain goes away.
  void flush_queues(cpu::Core& cpu);

 private:
  struct QueuedIova {
    std::uint64_t pfn, pages;
    Picoseconds at;
  };
  using Buffer = IommuBuffer;
  std::uint64_t iova_pages(std::uint64_t bytes) const;  // iommu_dma_alloc_iova's rounding
  DmaAddr alloc_iova(cpu::Core& cpu, std::uint64_t bytes, std::uint64_t dma_limit);
  void free_iova(cpu::Core& cpu, DmaAddr iova, std::uint64_t bytes, bool queued);
  DmaAddr dma_map(cpu::Core& cpu, Device& dev, PhysAddr phys, std::uint64_t size, int prot);  // __iommu_dma_map
  void dma_unmap(cpu::Core& cpu, DmaAddr addr, std::uint64_t size);                           // __iommu_dma_unmap
  void queue_iova(cpu::Core& cpu, std::uint64_t pfn, std::uint64_t pages);
  void fq_flush(cpu::Core& cpu, std::deque<QueuedIova>& q);
  void charge(cpu::Core& cpu);
  bool alloc_pages(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp, DmaAttrs attrs, Buffer& b);

  Kernel& kernel_;
  IommuDomain& domain_;
  IovaDomain iovad_;
  bool lazy_;
  std::vector<std::deque<QueuedIova>> fq_;  // per CPU
  IommuAllocations buffers_;
};

// iommu_setup_dma_ops for a device behind a SYSMMU on arm64: a default DMA domain (strict or
// lazy per the kernel's policy; lazy needs flush_iotlb_all), attached, with these ops.
int iommu_dma_attach_default_domain(cpu::Core& cpu, Kernel& kernel, Device& dev);

}  // namespace dmasim::sw
