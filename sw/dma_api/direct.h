#pragma once
// dma-direct: the dma_map_ops of a device without an IOMMU (the kernel's arm_dma_ops /
// arm_coherent_dma_ops on 32-bit ARM, kernel/dma/direct.c on arm64). Bus addresses are physical
// addresses. Streaming calls do the profile's cache maintenance (sw/kernel/cache_maint.h) unless
// the device is IO-coherent or the call has DMA_ATTR_SKIP_CPU_SYNC, and bounce through swiotlb
// when the device is forced to or its mask cannot reach the buffer.
//
// dma_alloc_attrs picks its allocator as arm's __dma_alloc does (REFERENCE.md section 2):
//   IO-coherent device          pages, cacheable, zeroed (no maintenance)
//   may not sleep (GFP_ATOMIC)  the atomic pool
//   may sleep, a CMA area       cma_alloc; zeroed through the cacheable linear map and flushed;
//                               the linear map's pages take the DMA memory type (PTE rewrite and
//                               TLB flush): the buffer is used through the linear address
//   may sleep, no CMA           pages; zeroed and flushed; a remap with the DMA memory type in
//                               the vmalloc area (the cacheable linear alias stays)
// On arm64 profiles: pages or CMA, cleaned and invalidated (arch_dma_prep_coherent), remapped
// Normal-NC in the vmalloc area and zeroed through that remap. The DMA memory type is Normal
// non-cacheable for WRITE_COMBINE, and for coherent memory with dma_mem_bufferable; otherwise
// Strongly-ordered. NO_KERNEL_MAPPING: no remap; before 6.0 still zeroed and flushed.
#include <cstdint>
#include <map>

#include "sw/dma_api/dma_map_ops.h"
#include "sw/kernel/profile.h"

namespace dmasim::sw {

// __get_dma_pgprot: the memory type of a DMA allocation with these attributes under the profile.
cpu::MemAttr dma_pgprot(const KernelProfile& profile, DmaAttrs attrs);

// __dma_clear_buffer: zeroes [pa, pa + size) through the cacheable linear map and, with `flush`,
// cleans and invalidates it to the point of coherency.
void dma_clear_buffer(cpu::Core& cpu, Kernel& kernel, PhysAddr pa, std::uint64_t size, bool flush);

class DirectOps final : public DmaMapOps {
 public:
  static constexpr std::uint64_t kTlbFlushCyclesPerPage = 8;  // flush_tlb_kernel_range: one TLBIMVAA per page

  explicit DirectOps(Kernel& kernel) : kernel_(kernel) {}
  std::string_view name() const override { return "dma-direct"; }

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

  // The memory type of a DMA allocation with these attributes under the kernel profile.
  cpu::MemAttr dma_pgprot(DmaAttrs attrs) const;  // sw::dma_pgprot with the kernel's profile

 private:
  enum class From : std::uint8_t { Pages, Cma, AtomicPool };
  struct Buffer {
    From from = From::Pages;
    PhysAddr pa = 0;
    unsigned order = 0;
    std::uint64_t pages = 0;
    VirtAddr remap = 0;    // a vmalloc remap to undo
    bool linear_retyped = false;
  };
  std::optional<PhysAddr> get_pages(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp, Buffer& b);
  void flush_tlb_kernel_range(cpu::Core& cpu, std::uint64_t pages);

  Kernel& kernel_;
  std::map<DmaAddr, Buffer> buffers_;  // live allocations by their DMA address
};

}  // namespace dmasim::sw
