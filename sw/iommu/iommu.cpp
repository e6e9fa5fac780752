#include "sw/iommu/iommu.h"

#include <bit>

#include "sw/iommu/exynos_iommu.h"

namespace dmasim::sw {

namespace {
constexpr std::uint64_t kPgsizeCycles = 12;  // iommu_pgsize: a few bit operations per piece
}

std::uint64_t iommu_pgsize(std::uint64_t pgsize_bitmap, std::uint64_t iova, PhysAddr pa, std::uint64_t size) {
  std::uint64_t candidates = pgsize_bitmap;
  // Pages no larger than the size left...
  candidates &= size >= (1ull << 63) ? ~0ull : (std::bit_floor(size) << 1) - 1;
  // ...and aligned like both addresses.
  const std::uint64_t addr_merge = iova | pa;
  if (addr_merge != 0) candidates &= (addr_merge & -addr_merge) * 2 - 1;
  return candidates == 0 ? 0 : std::bit_floor(candidates);
}

int dma_info_to_prot(DmaDirection dir) {
  switch (dir) {
    case DmaDirection::ToDevice: return IOMMU_READ;
    case DmaDirection::FromDevice: return IOMMU_WRITE;
    default: return IOMMU_READ | IOMMU_WRITE;
  }
}

IommuDomain* iommu_domain_alloc(cpu::Core& cpu, Kernel& kernel) {
  CostScope scope(kernel, cpu, CostKind::Iommu, "iommu_domain_alloc");
  return exynos_iommu_domain_alloc(cpu, kernel);
}

void iommu_domain_free(cpu::Core& cpu, IommuDomain& domain) {
  CostScope scope(domain.kernel(), cpu, CostKind::Iommu, "iommu_domain_free");
  domain.free(cpu);
}

int iommu_attach_device(cpu::Core& cpu, IommuDomain& domain, Device& dev) {
  CostScope scope(domain.kernel(), cpu, CostKind::Iommu, "iommu_attach_device");
  const int ret = domain.attach_dev(cpu, dev);
  if (ret == 0) dev.iommu_domain = &domain;
  return ret;
}

void iommu_detach_device(cpu::Core& cpu, IommuDomain& domain, Device& dev) {
  CostScope scope(domain.kernel(), cpu, CostKind::Iommu, "iommu_detach_device");
  domain.detach_dev(cpu, dev);
  dev.iommu_domain = nullptr;
}

int iommu_map(cpu::Core& cpu, IommuDomain& domain, std::uint64_t iova, PhysAddr pa, std::uint64_t size, int prot) {
  CostScope scope(domain.kernel(), cpu, CostKind::Iommu, "iommu_map", {{"iova", iova}, {"size", size}});
  const std::uint64_t min_page = domain.pgsize_bitmap() & -domain.pgsize_bitmap();
  if (((iova | pa | size) & (min_page - 1)) != 0) return -kEINVAL;
  std::uint64_t mapped = 0;
  while (mapped < size) {
    cpu.compute(kPgsizeCycles);
    const std::uint64_t pgsize = iommu_pgsize(domain.pgsize_bitmap(), iova + mapped, pa + mapped, size - mapped);
    const int ret = domain.map(cpu, iova + mapped, pa + mapped, pgsize, prot);
    if (ret != 0) {
      if (mapped != 0) iommu_unmap(cpu, domain, iova, mapped);
      return ret;
    }
    mapped += pgsize;
  }
  return 0;
}

std::uint64_t iommu_unmap(cpu::Core& cpu, IommuDomain& domain, std::uint64_t iova, std::uint64_t size) {
  return iommu_unmap_fast(cpu, domain, iova, size, false);
}

std::uint64_t iommu_unmap_fast(cpu::Core& cpu, IommuDomain& domain, std::uint64_t iova, std::uint64_t size, bool queued) {
  CostScope scope(domain.kernel(), cpu, CostKind::Iommu, "iommu_unmap", {{"iova", iova}, {"size", size}});
  std::uint64_t unmapped = 0;
  while (unmapped < size) {
    cpu.compute(kPgsizeCycles);
    const std::uint64_t pgsize = iommu_pgsize(domain.pgsize_bitmap(), iova + unmapped, 0, size - unmapped);
    const std::uint64_t n = domain.unmap(cpu, iova + unmapped, pgsize, queued);
    if (n == 0) break;
    unmapped += n;
  }
  return unmapped;
}

std::optional<PhysAddr> iommu_iova_to_phys(cpu::Core& cpu, IommuDomain& domain, std::uint64_t iova) {
  return domain.iova_to_phys(cpu, iova);
}

}  // namespace dmasim::sw
