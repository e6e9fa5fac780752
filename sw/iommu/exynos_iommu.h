#pragma once
// The Exynos SYSMMU driver (drivers/iommu/exynos-iommu.c) as the IOMMU API's domain ops:
//
// - exynos_iommu_domain_alloc: a 16 KiB level-1 table from the page allocator, every entry a link
//   to one shared zeroed level-2 table (ZERO_LV2LINK), the table mapped TO_DEVICE for the
//   SYSMMUs' walkers (dma_map_single on the SYSMMU's own struct device: a clean).
// - map: a 1 MiB section in the level-1 table, or 64 KiB / 4 KiB pages in a 1 KiB level-2 table
//   taken from a slab cache when the 1 MiB region first gets pages (zeroed, mapped TO_DEVICE,
//   linked, and the SYSMMUs' FLPD caches flushed for the region). Every entry is written by the
//   CPU between dma_sync_single_for_cpu and _for_device on the entry (update_pte): on a
//   non-coherent walker each 4-byte write costs a clean of its line (a 64 KiB page's 16 entries,
//   one clean).
// - unmap: the entry back to a fault (or to ZERO_LV2LINK), then on every SYSMMU of every
//   attached device: CTRL_BLOCK, STATUS polled until blocked (at most 120 reads), FLUSH_ENTRY per
//   4 KiB page of the unmapped range (v2, up to 64; v5+: one), CTRL_ENABLE.
// - attach: per SYSMMU of the device: CTRL_BLOCK, CFG, PT_BASE, a full TLB flush, CTRL_ENABLE.
//
// Entry values are written to simulated physical memory (the walkers decode them) and each write
// is a CPU store through the caches (the oracle flags a walk that reads an uncleaned entry).
// flush_iotlb_all (which mainline lacks, making dma-iommu strict on Exynos) is provided as
// vendor kernels do: block, FLUSH_ALL, unblock per SYSMMU.
#include <cstdint>
#include <memory>
#include <vector>

#include "models/iommu/page_table_format.h"
#include "sw/iommu/iommu.h"

namespace dmasim::sw {

// What the driver holds for all domains: the SYSMMU's struct device (its DMA-API calls on the
// page tables), the shared zero level-2 table and the level-2 table slab cache.
class ExynosSysmmuDriver {
 public:
  static constexpr unsigned kBlockPolls = 120;  // sysmmu_block's STATUS reads before giving up

  ExynosSysmmuDriver(cpu::Core& cpu, Kernel& kernel);
  Device& dma_dev() { return dma_dev_; }
  // The entry format, fixed at probe from the SoC's SYSMMU version (as the driver's lv1/lv2
  // encoders are).
  const iommu::PteFormat& format() const { return format_; }
  PhysAddr zero_lv2_table() const { return zero_lv2_; }
  // kmem_cache_zalloc / kmem_cache_free of a 1 KiB level-2 table; nullopt when out of pages.
  std::optional<PhysAddr> lv2_alloc(cpu::Core& cpu);
  void lv2_free(PhysAddr pa);

 private:
  Kernel& kernel_;
  Device dma_dev_;
  iommu::PteFormat format_;
  PhysAddr zero_lv2_ = 0;
  std::vector<PhysAddr> free_lv2_;
};

class ExynosIommuDomain final : public IommuDomain {
 public:
  // Use exynos_iommu_domain_alloc; nullptr when the tables cannot be allocated.
  ExynosIommuDomain(Kernel& kernel, ExynosSysmmuDriver& driver, PhysAddr l1, PhysAddr counters);

  std::uint64_t pgsize_bitmap() const override;
  int map(cpu::Core& cpu, std::uint64_t iova, PhysAddr pa, std::uint64_t pgsize, int prot) override;
  std::uint64_t unmap(cpu::Core& cpu, std::uint64_t iova, std::uint64_t pgsize, bool queued) override;
  std::optional<PhysAddr> iova_to_phys(cpu::Core& cpu, std::uint64_t iova) override;
  int attach_dev(cpu::Core& cpu, Device& dev) override;
  void detach_dev(cpu::Core& cpu, Device& dev) override;
  bool flush_iotlb_all(cpu::Core& cpu) override;
  void free(cpu::Core& cpu) override;

  PhysAddr pgtable() const { return l1_; }

 private:
  const iommu::PteFormat& format() const { return driver_.format(); }
  std::uint32_t read_entry(cpu::Core& cpu, PhysAddr ent);  // a CPU load of the entry
  void update_pte(cpu::Core& cpu, PhysAddr ent, std::uint32_t value);
  void write_entries(cpu::Core& cpu, PhysAddr ent, unsigned n, std::uint32_t value);  // one sync pair
  std::uint32_t zero_lv2_link() const { return format().table(driver_.zero_lv2_table()); }
  // alloc_lv2entry: the level-2 table of iova's region, allocated and linked when absent.
  std::optional<PhysAddr> lv2_table(cpu::Core& cpu, std::uint64_t iova, int& err);
  void set_pgcnt(cpu::Core& cpu, unsigned lv1, int value);
  bool sysmmu_block(cpu::Core& cpu, const SysmmuHandle& h);
  void sysmmu_unblock(cpu::Core& cpu, const SysmmuHandle& h);
  void invalidate_entry(cpu::Core& cpu, std::uint64_t iova, std::uint64_t size);
  void invalidate_flpd(cpu::Core& cpu, std::uint64_t iova);

  ExynosSysmmuDriver& driver_;
  PhysAddr l1_;
  PhysAddr counters_;  // lv2entcnt: free entries per level-2 table (kernel memory)
  std::vector<int> pgcnt_;
  std::vector<Device*> clients_;
};

// exynos_iommu_domain_alloc (the IOMMU API's domain_alloc for the SoC's SYSMMUs).
IommuDomain* exynos_iommu_domain_alloc(cpu::Core& cpu, Kernel& kernel);

}  // namespace dmasim::sw
