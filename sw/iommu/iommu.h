#pragma once
// The IOMMU API (include/linux/iommu.h, drivers/iommu/iommu.c): domains, attaching devices,
// iommu_map / iommu_unmap split into the page sizes the domain supports, iommu_iova_to_phys.
// The domain's driver (sw/iommu/exynos_iommu.h) writes the page-table entries in simulated memory
// and invalidates the SYSMMUs' TLBs through their registers; this layer is the core's page-size
// splitting and cost accounting (CostKind::Iommu).
#include <cstdint>
#include <optional>
#include <vector>

#include "models/cpu/core.h"
#include "sw/dma_api/device.h"
#include "sw/kernel/kernel.h"

namespace dmasim::sw {

// iommu_map prot bits.
inline constexpr int IOMMU_READ = 1 << 0;
inline constexpr int IOMMU_WRITE = 1 << 1;

class IommuDomain {
 public:
  explicit IommuDomain(Kernel& kernel) : kernel_(kernel) {}
  virtual ~IommuDomain() = default;
  IommuDomain(const IommuDomain&) = delete;
  IommuDomain& operator=(const IommuDomain&) = delete;

  Kernel& kernel() const { return kernel_; }
  // The page sizes the driver supports, limited by the kernel's page-size policy.
  virtual std::uint64_t pgsize_bitmap() const = 0;

  // The driver's ops, one page of a size in pgsize_bitmap at a time (as iommu.c calls them).
  virtual int map(cpu::Core& cpu, std::uint64_t iova, PhysAddr pa, std::uint64_t pgsize, int prot) = 0;
  // Returns the bytes unmapped (0 when nothing is mapped there). `queued`: the caller invalidates
  // later with flush_iotlb_all (a lazy unmap's gather), so the driver need not now.
  virtual std::uint64_t unmap(cpu::Core& cpu, std::uint64_t iova, std::uint64_t pgsize, bool queued) = 0;
  virtual std::optional<PhysAddr> iova_to_phys(cpu::Core& cpu, std::uint64_t iova) = 0;
  virtual int attach_dev(cpu::Core& cpu, Device& dev) = 0;
  virtual void detach_dev(cpu::Core& cpu, Device& dev) = 0;
  // ops->flush_iotlb_all; false when the driver has none (lazy invalidation needs it).
  virtual bool flush_iotlb_all(cpu::Core& cpu) = 0;
  // Frees the page tables (iommu_domain_free).
  virtual void free(cpu::Core& cpu) = 0;

 private:
  Kernel& kernel_;
};

// iommu_domain_alloc for a device's IOMMU (the Exynos SYSMMU driver). The kernel keeps it.
IommuDomain* iommu_domain_alloc(cpu::Core& cpu, Kernel& kernel);
void iommu_domain_free(cpu::Core& cpu, IommuDomain& domain);
int iommu_attach_device(cpu::Core& cpu, IommuDomain& domain, Device& dev);
void iommu_detach_device(cpu::Core& cpu, IommuDomain& domain, Device& dev);

// Maps [iova, iova + size) to [pa, pa + size): the largest supported pages the alignment of both
// addresses and the remaining size allow, one driver call each. 0 or -errno; a failure unmaps
// what this call mapped.
int iommu_map(cpu::Core& cpu, IommuDomain& domain, std::uint64_t iova, PhysAddr pa, std::uint64_t size, int prot);
// Unmaps page by page; returns the bytes unmapped.
std::uint64_t iommu_unmap(cpu::Core& cpu, IommuDomain& domain, std::uint64_t iova, std::uint64_t size);
// iommu_unmap_fast with a gather the caller flushes later (queued) or at once.
std::uint64_t iommu_unmap_fast(cpu::Core& cpu, IommuDomain& domain, std::uint64_t iova, std::uint64_t size, bool queued);
std::optional<PhysAddr> iommu_iova_to_phys(cpu::Core& cpu, IommuDomain& domain, std::uint64_t iova);

// __dma_info_to_prot / dma_info_to_prot: the IOMMU permissions of a mapping's direction.
int dma_info_to_prot(DmaDirection dir);

// iommu_pgsize: the page size for the next piece of a mapping.
std::uint64_t iommu_pgsize(std::uint64_t pgsize_bitmap, std::uint64_t iova, PhysAddr pa, std::uint64_t size);

}  // namespace dmasim::sw
