#pragma once
// 32-bit ARM's IOMMU DMA ops (arch/arm/mm/dma-mapping.c, CONFIG_ARM_DMA_USE_IOMMU): a device
// attached with arm_iommu_attach_device to a dma_iommu_mapping (an IOMMU domain plus a bitmap
// IOVA allocator, sw/iommu/iova_bitmap.h) gets these ops.
//
// - map_page: the CPU-to-device cache maintenance (unless SKIP_CPU_SYNC), an IOVA for the
//   page-rounded range, iommu_map with the direction's permissions.
// - unmap_page: iommu_iova_to_phys (a table walk by the CPU), the device-to-CPU maintenance,
//   iommu_unmap (with its synchronous IOTLB invalidation), the IOVA freed.
// - map_sg: entries merged into chunks of contiguous IO space (a new chunk where an entry does
//   not start on a page or the previous one does not end on one, or at the device's maximum
//   segment size), one IOVA and one iommu_map per entry.
// - alloc (__iommu_alloc_buffer): pages in orders 9, 8, 4, 0 (ALLOC_SINGLE_PAGES: order 0 only;
//   FORCE_CONTIGUOUS: one CMA allocation), each cleared and flushed; one iommu_map per physically
//   contiguous run; a vmap in the vmalloc area with the DMA memory type unless NO_KERNEL_MAPPING.
//   A caller that may not sleep gets atomic-pool memory mapped the same way.
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "sw/dma_api/dma_map_ops.h"
#include "sw/iommu/iommu.h"
#include "sw/iommu/iommu_buffer.h"
#include "sw/iommu/iova_bitmap.h"

namespace dmasim::sw {

// struct dma_iommu_mapping.
struct DmaIommuMapping {
  DmaIommuMapping(IommuDomain& d, std::uint64_t base, std::uint64_t size) : domain(&d), iova(base, size) {}
  IommuDomain* domain;
  IovaBitmap iova;
};

class ArmIommuOps final : public DmaMapOps {
 public:
  static constexpr std::uint64_t kIovaCallCycles = 60;   // __alloc_iova / __free_iova: spinlock, bookkeeping
  static constexpr std::uint64_t kCyclesPerBitmapWord = 3;

  ArmIommuOps(Kernel& kernel, DmaIommuMapping& mapping) : kernel_(kernel), mapping_(mapping) {}
  std::string_view name() const override { return "arm-iommu"; }

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

  DmaIommuMapping& mapping() { return mapping_; }

 private:
  using Buffer = IommuBuffer;
  std::optional<std::uint64_t> alloc_iova(cpu::Core& cpu, std::uint64_t size);
  void free_iova(cpu::Core& cpu, std::uint64_t iova, std::uint64_t size);
  // __iommu_create_mapping: an IOVA and one iommu_map per contiguous run of pages.
  DmaAddr create_mapping(cpu::Core& cpu, const std::vector<PhysAddr>& pages, std::uint64_t size);
  void remove_mapping(cpu::Core& cpu, DmaAddr iova, std::uint64_t size);
  bool alloc_buffer(cpu::Core& cpu, Device& dev, std::uint64_t size, Gfp gfp, DmaAttrs attrs, Buffer& b);
  void cpu_to_dev(cpu::Core& cpu, PhysAddr pa, std::uint64_t size, DmaDirection dir);
  void dev_to_cpu(cpu::Core& cpu, PhysAddr pa, std::uint64_t size, DmaDirection dir);
  int map_sg_chunk(cpu::Core& cpu, Device& dev, SgTable& sg, std::size_t first, std::size_t last,
                   std::uint64_t size, DmaDirection dir, DmaAttrs attrs, DmaAddr& handle);

  Kernel& kernel_;
  DmaIommuMapping& mapping_;
  IommuAllocations buffers_;
};

// arm_iommu_create_mapping + arm_iommu_attach_device: a new domain and IO space for `dev`, its
// ops set to ArmIommuOps. 0 or -errno (the tables or the domain could not be allocated).
int arm_iommu_attach_new_mapping(cpu::Core& cpu, Kernel& kernel, Device& dev, std::uint64_t base, std::uint64_t size);

}  // namespace dmasim::sw
