#pragma once
// Writes SYSMMU page tables into PhysicalMemory the way exynos_iommu_map() lays them out: a level-1
// table whose unused entries are faults, level-2 tables taken from a pool as a 1 MiB region
// first gets pages, 64 KiB pages as 16 replicated entries. Every entry written is also listed
// (writes()) so a caller can replay the stores through a CPU model with their cost and cache
// effects; the values in memory are what the walker decodes either way. SystemC-free.
#include <cstdint>
#include <utility>
#include <vector>

#include "models/common/memory/physical_memory.h"
#include "models/iommu/page_table_format.h"

namespace dmasim::iommu {

class PageTableBuilder {
 public:
  struct Write {
    std::uint64_t pa;
    std::uint32_t value;
  };

  // lv1_pa: 16 KiB aligned; level-2 tables come from [lv2_pool, lv2_pool + pool_bytes), 1 KiB each.
  PageTableBuilder(PhysicalMemory& memory, SysmmuVersion version, std::uint64_t lv1_pa, std::uint64_t lv2_pool,
                   std::uint64_t pool_bytes);

  // Maps [iova, iova + bytes) to [pa, pa + bytes) with pages of `page_size` (4 KiB, 64 KiB or
  // 1 MiB; all three addresses and bytes aligned to it). Throws UserError when the level-2 pool
  // is exhausted or the range is already mapped with a section.
  void map(std::uint64_t iova, std::uint64_t pa, std::uint64_t bytes, std::uint64_t page_size, Access access);
  // Writes fault entries over [iova, iova + bytes) (4 KiB granularity; a section entry is
  // cleared when the range covers it whole).
  void unmap(std::uint64_t iova, std::uint64_t bytes);

  std::uint64_t lv1() const { return lv1_; }
  const std::vector<Write>& writes() const { return writes_; }
  void clear_writes() { writes_.clear(); }
  const PteFormat& format() const { return format_; }

 private:
  void put(std::uint64_t pa, std::uint32_t value);
  std::uint64_t lv2_table(std::uint64_t iova);  // allocates one when the region has none

  PhysicalMemory& memory_;
  PteFormat format_;
  std::uint64_t lv1_;
  std::uint64_t pool_next_, pool_end_;
  std::vector<Write> writes_;
};

}  // namespace dmasim::iommu
