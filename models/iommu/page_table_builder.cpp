#include "models/iommu/page_table_builder.h"

#include <fmt/format.h>

#include "models/common/error.h"

namespace dmasim::iommu {

PageTableBuilder::PageTableBuilder(PhysicalMemory& memory, SysmmuVersion version, std::uint64_t lv1_pa,
                                   std::uint64_t lv2_pool, std::uint64_t pool_bytes)
    : memory_(memory), format_(version), lv1_(lv1_pa), pool_next_(lv2_pool), pool_end_(lv2_pool + pool_bytes) {
  if (lv1_pa % kLv1TableBytes != 0 || lv2_pool % kLv2TableBytes != 0)
    throw UserError(fmt::format("page tables: the level-1 table ({:#x}) must be 16 KiB aligned and the level-2 pool "
                                "({:#x}) 1 KiB aligned",
                                lv1_pa, lv2_pool));
}

void PageTableBuilder::put(std::uint64_t pa, std::uint32_t value) {
  memory_.write32(pa, value);
  writes_.push_back(Write{pa, value});
}

std::uint64_t PageTableBuilder::lv2_table(std::uint64_t iova) {
  const std::uint64_t slot = lv1_ + lv1_index(iova) * 4u;
  const Descriptor d = format_.decode_lv1(memory_.read32(slot));
  if (d.kind == Descriptor::Kind::Table) return d.base;
  if (d.is_page())
    throw UserError(fmt::format("page tables: IO virtual address {:#x} is already mapped by a section", iova));
  if (pool_next_ + kLv2TableBytes > pool_end_)
    throw UserError("page tables: the level-2 table pool is exhausted");
  const std::uint64_t table = pool_next_;
  pool_next_ += kLv2TableBytes;
  for (unsigned i = 0; i < kLv2Entries; ++i) memory_.write32(table + i * 4u, PteFormat::fault());  // zeroed table
  put(slot, format_.table(table));
  return table;
}

void PageTableBuilder::map(std::uint64_t iova, std::uint64_t pa, std::uint64_t bytes, std::uint64_t page_size,
                           Access access) {
  if (page_size != kSmallPage && page_size != kLargePage && page_size != kSection)
    throw UserError(fmt::format("page tables: page size {} is not 4 KiB, 64 KiB or 1 MiB", page_size));
  if (iova % page_size || pa % page_size || bytes % page_size)
    throw UserError(fmt::format("page tables: {:#x} -> {:#x} ({} bytes) is not aligned to its {}-byte pages", iova,
                                pa, bytes, page_size));
  for (std::uint64_t off = 0; off < bytes; off += page_size) {
    const std::uint64_t v = iova + off, p = pa + off;
    if (page_size == kSection) {
      put(lv1_ + lv1_index(v) * 4u, format_.section(p, access));
      continue;
    }
    const std::uint64_t table = lv2_table(v);
    if (page_size == kSmallPage) {
      put(table + lv2_index(v) * 4u, format_.small_page(p, access));
      continue;
    }
    for (unsigned k = 0; k < kLargePage / kSmallPage; ++k)  // 16 replicated entries
      put(table + (lv2_index(v) + k) * 4u, format_.large_page(p, access));
  }
}

void PageTableBuilder::unmap(std::uint64_t iova, std::uint64_t bytes) {
  for (std::uint64_t v = iova & ~(kSmallPage - 1); v < iova + bytes; v += kSmallPage) {
    const std::uint64_t slot = lv1_ + lv1_index(v) * 4u;
    const Descriptor d = format_.decode_lv1(memory_.read32(slot));
    if (d.kind == Descriptor::Kind::Table) {
      put(d.base + lv2_index(v) * 4u, PteFormat::fault());
    } else if (d.is_page() && v % kSection == 0 && v + kSection <= iova + bytes) {
      put(slot, PteFormat::fault());
      v += kSection - kSmallPage;
    }
  }
}

}  // namespace dmasim::iommu
