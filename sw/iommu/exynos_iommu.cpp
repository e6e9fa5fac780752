#include "sw/iommu/exynos_iommu.h"

#include <algorithm>
#include <array>

#include "models/iommu/sysmmu_registers.h"
#include "sw/dma_api/dma_mapping.h"
#include "sw/mm/page_alloc.h"

namespace dmasim::sw {

namespace {

using iommu::Descriptor;
using iommu::SysmmuRegisters;
constexpr std::uint64_t SPAGE_SIZE = iommu::kSmallPage, LPAGE_SIZE = iommu::kLargePage, SECT_SIZE = iommu::kSection;
constexpr std::uint64_t LV1TABLE_SIZE = iommu::kLv1TableBytes, LV2TABLE_SIZE = iommu::kLv2TableBytes;
constexpr unsigned NUM_LV2ENTRIES = iommu::kLv2Entries;
constexpr unsigned SPAGES_PER_LPAGE = LPAGE_SIZE / SPAGE_SIZE;
constexpr std::uint32_t kCfg = 0;                   // __sysmmu_init_config: default QoS, LRU replacement
constexpr std::uint64_t kSlabAllocCycles = 40;      // kmem_cache_alloc / free fast path
constexpr std::uint64_t kPtBaseCfgCycles = 20;      // the driver's bookkeeping around the register writes

iommu::Access to_access(int prot) {
  const bool r = (prot & IOMMU_READ) != 0, w = (prot & IOMMU_WRITE) != 0;
  return r && w ? iommu::Access::ReadWrite : w ? iommu::Access::Write : r ? iommu::Access::Read : iommu::Access::None;
}

iommu::SysmmuVersion soc_sysmmu_version(const Machine& m) {
  for (const DeviceHandle& d : m.devices())
    if (!d.sysmmus.empty()) return d.sysmmus.front().version;
  return iommu::SysmmuVersion::V2;
}

// Zeroes [pa, pa + bytes) as the CPU does (stores through the linear map) and in the values the
// walkers read.
void zero_kernel_memory(cpu::Core& cpu, Kernel& kernel, PhysAddr pa, std::uint64_t bytes) {
  static const std::array<std::uint8_t, PAGE_SIZE> zeros{};
  for (std::uint64_t off = 0; off < bytes; off += PAGE_SIZE)
    kernel.machine().memory().write(pa + off, std::span<const std::uint8_t>(zeros.data(), std::min(PAGE_SIZE, bytes - off)));
  CostScope scope(kernel, cpu, CostKind::Copy, "memset", {{"bytes", bytes}});
  cpu.write_range(kernel.phys_to_virt(pa), bytes);
}

}  // namespace

// ---- the driver ------------------------------------------------------------------------------

ExynosSysmmuDriver::ExynosSysmmuDriver(cpu::Core& cpu, Kernel& kernel)
    : kernel_(kernel), dma_dev_(kernel, "exynos-sysmmu"), format_(soc_sysmmu_version(kernel.machine())) {
  // exynos_iommu_init: the zero level-2 table every unmapped level-1 entry links to, cleaned
  // for the walkers.
  if (const std::optional<PhysAddr> pa = lv2_alloc(cpu)) {
    zero_lv2_ = *pa;
    dma_map_single_attrs(cpu, dma_dev_, kernel.phys_to_virt(zero_lv2_), LV2TABLE_SIZE, DmaDirection::ToDevice, 0);
  }
}

std::optional<PhysAddr> ExynosSysmmuDriver::lv2_alloc(cpu::Core& cpu) {
  cpu.compute(kSlabAllocCycles);
  if (free_lv2_.empty()) {
    if (kernel_.page_allocator == nullptr) return std::nullopt;
    const std::optional<Pfn> pfn = kernel_.page_allocator->alloc_pages(cpu, GFP_ATOMIC, 0);
    if (!pfn) return std::nullopt;
    for (std::uint64_t i = PAGE_SIZE / LV2TABLE_SIZE; i-- > 0;) free_lv2_.push_back(PFN_PHYS(*pfn) + i * LV2TABLE_SIZE);
  }
  const PhysAddr pa = free_lv2_.back();
  free_lv2_.pop_back();
  zero_kernel_memory(cpu, kernel_, pa, LV2TABLE_SIZE);
  return pa;
}

void ExynosSysmmuDriver::lv2_free(PhysAddr pa) { free_lv2_.push_back(pa); }

IommuDomain* exynos_iommu_domain_alloc(cpu::Core& cpu, Kernel& kernel) {
  if (kernel.sysmmu_driver == nullptr)
    kernel.sysmmu_driver = kernel.keep(std::make_unique<ExynosSysmmuDriver>(cpu, kernel));
  ExynosSysmmuDriver& driver = *kernel.sysmmu_driver;
  if (kernel.page_allocator == nullptr || driver.zero_lv2_table() == 0) return nullptr;
  // The level-1 table (order 2, 16 KiB aligned as the buddy allocator aligns blocks) and the
  // per-region free-entry counters (order 1).
  const std::optional<Pfn> l1 = kernel.page_allocator->alloc_pages(cpu, GFP_KERNEL, 2);
  if (!l1) return nullptr;
  const std::optional<Pfn> counters = kernel.page_allocator->alloc_pages(cpu, GFP_KERNEL, 1);
  if (!counters) {
    kernel.page_allocator->free_pages(cpu, *l1, 2);
    return nullptr;
  }
  const PhysAddr l1_pa = PFN_PHYS(*l1);
  zero_kernel_memory(cpu, kernel, PFN_PHYS(*counters), 2 * PAGE_SIZE);
  // Every entry links to the zero level-2 table: 4096 word stores, then one clean of the table.
  const std::uint32_t zero_link = driver.format().table(driver.zero_lv2_table());
  for (unsigned i = 0; i < iommu::kLv1Entries; ++i) kernel.machine().memory().write32(l1_pa + 4 * i, zero_link);
  cpu.write_range(kernel.phys_to_virt(l1_pa), LV1TABLE_SIZE, 4);
  dma_map_single_attrs(cpu, driver.dma_dev(), kernel.phys_to_virt(l1_pa), LV1TABLE_SIZE, DmaDirection::ToDevice, 0);
  return kernel.keep(std::make_unique<ExynosIommuDomain>(kernel, driver, l1_pa, PFN_PHYS(*counters)));
}

// ---- the domain ------------------------------------------------------------------------------

ExynosIommuDomain::ExynosIommuDomain(Kernel& kernel, ExynosSysmmuDriver& driver, PhysAddr l1, PhysAddr counters)
    : IommuDomain(kernel), driver_(driver), l1_(l1), counters_(counters), pgcnt_(iommu::kLv1Entries, 0) {}

std::uint64_t ExynosIommuDomain::pgsize_bitmap() const {
  const std::uint64_t max_page = kernel().profile().iommu.max_page.bytes;
  return (SECT_SIZE | LPAGE_SIZE | SPAGE_SIZE) & ((max_page << 1) - 1);
}

std::uint32_t ExynosIommuDomain::read_entry(cpu::Core& cpu, PhysAddr ent) {
  cpu.load(kernel().phys_to_virt(ent), 4);
  return kernel().machine().memory().read32(ent);
}

void ExynosIommuDomain::write_entries(cpu::Core& cpu, PhysAddr ent, unsigned n, std::uint32_t value) {
  Device& dma_dev = driver_.dma_dev();
  dma_sync_single_for_cpu(cpu, dma_dev, ent, 4ull * n, DmaDirection::ToDevice);
  for (unsigned i = 0; i < n; ++i) {
    kernel().machine().memory().write32(ent + 4ull * i, value);
    cpu.store(kernel().phys_to_virt(ent + 4ull * i), 4);
  }
  dma_sync_single_for_device(cpu, dma_dev, ent, 4ull * n, DmaDirection::ToDevice);
}

void ExynosIommuDomain::update_pte(cpu::Core& cpu, PhysAddr ent, std::uint32_t value) { write_entries(cpu, ent, 1, value); }

void ExynosIommuDomain::set_pgcnt(cpu::Core& cpu, unsigned lv1, int value) {
  pgcnt_[lv1] = value;
  cpu.store(kernel().phys_to_virt(counters_ + 2ull * lv1), 2);
}

std::optional<PhysAddr> ExynosIommuDomain::lv2_table(cpu::Core& cpu, std::uint64_t iova, int& err) {
  const unsigned idx = iommu::lv1_index(iova);
  const PhysAddr sent = l1_ + 4ull * idx;
  const std::uint32_t e = read_entry(cpu, sent);
  const Descriptor d = format().decode_lv1(e);
  if (d.kind == Descriptor::Kind::Section || d.kind == Descriptor::Kind::Supersection) {
    err = -kEEXIST;  // -EADDRINUSE: a section maps the region
    return std::nullopt;
  }
  if (d.kind == Descriptor::Kind::Table && e != zero_lv2_link()) return d.base;
  const std::optional<PhysAddr> pent = driver_.lv2_alloc(cpu);
  if (!pent) {
    err = -kENOMEM;
    return std::nullopt;
  }
  update_pte(cpu, sent, format().table(*pent));
  set_pgcnt(cpu, idx, NUM_LV2ENTRIES);
  dma_map_single_attrs(cpu, driver_.dma_dev(), kernel().phys_to_virt(*pent), LV2TABLE_SIZE, DmaDirection::ToDevice, 0);
  // The FLPD caches may hold the zero link for this region (a speculative walk): flush it.
  invalidate_flpd(cpu, iova);
  return *pent;
}

int ExynosIommuDomain::map(cpu::Core& cpu, std::uint64_t iova, PhysAddr pa, std::uint64_t pgsize, int prot) {
  const iommu::Access access = to_access(prot);
  if (pgsize == SECT_SIZE) {  // lv1set_section
    const unsigned idx = iommu::lv1_index(iova);
    const PhysAddr sent = l1_ + 4ull * idx;
    const std::uint32_t e = read_entry(cpu, sent);
    const Descriptor d = format().decode_lv1(e);
    if (d.kind == Descriptor::Kind::Section || d.kind == Descriptor::Kind::Supersection) return -kEEXIST;
    const bool was_zero = e == zero_lv2_link();
    if (d.kind == Descriptor::Kind::Table && !was_zero) {
      if (pgcnt_[idx] != static_cast<int>(NUM_LV2ENTRIES)) return -kEEXIST;
      dma_unmap_single_attrs(cpu, driver_.dma_dev(), d.base, LV2TABLE_SIZE, DmaDirection::ToDevice, 0);
      driver_.lv2_free(d.base);
      cpu.compute(kSlabAllocCycles);
      set_pgcnt(cpu, idx, 0);
    }
    update_pte(cpu, sent, format().section(pa, access));
    if (was_zero) invalidate_flpd(cpu, iova);
    return 0;
  }
  int err = 0;
  const std::optional<PhysAddr> lv2 = lv2_table(cpu, iova, err);
  if (!lv2) return err;
  const unsigned idx = iommu::lv1_index(iova);
  const PhysAddr pent = *lv2 + 4ull * iommu::lv2_index(iova);
  if (pgsize == SPAGE_SIZE) {  // lv2set_page, small page
    if (format().decode_lv2(read_entry(cpu, pent)).kind != Descriptor::Kind::Fault) return -kEEXIST;
    update_pte(cpu, pent, format().small_page(pa, access));
    set_pgcnt(cpu, idx, pgcnt_[idx] - 1);
    return 0;
  }
  // A large page: 16 replicated entries, all of which must be free.
  for (unsigned i = 0; i < SPAGES_PER_LPAGE; ++i)
    if (format().decode_lv2(read_entry(cpu, pent + 4ull * i)).kind != Descriptor::Kind::Fault) return -kEEXIST;
  write_entries(cpu, pent, SPAGES_PER_LPAGE, format().large_page(pa, access));
  set_pgcnt(cpu, idx, pgcnt_[idx] - static_cast<int>(SPAGES_PER_LPAGE));
  return 0;
}

std::uint64_t ExynosIommuDomain::unmap(cpu::Core& cpu, std::uint64_t iova, std::uint64_t pgsize, bool queued) {
  const unsigned idx = iommu::lv1_index(iova);
  const PhysAddr sent = l1_ + 4ull * idx;
  const std::uint32_t e = read_entry(cpu, sent);
  const Descriptor d = format().decode_lv1(e);
  std::uint64_t size = SPAGE_SIZE;
  if (d.kind == Descriptor::Kind::Section) {
    if (pgsize < SECT_SIZE) return 0;  // a partial unmap of a section is refused
    update_pte(cpu, sent, zero_lv2_link());
    size = SECT_SIZE;
  } else if (d.kind == Descriptor::Kind::Table) {
    const PhysAddr pent = d.base + 4ull * iommu::lv2_index(iova);
    const Descriptor p = format().decode_lv2(read_entry(cpu, pent));
    if (p.kind == Descriptor::Kind::SmallPage) {
      update_pte(cpu, pent, iommu::PteFormat::fault());
      set_pgcnt(cpu, idx, pgcnt_[idx] + 1);
    } else if (p.kind == Descriptor::Kind::LargePage) {
      if (pgsize < LPAGE_SIZE) return 0;
      const PhysAddr first = d.base + 4ull * (iommu::lv2_index(iova) & ~(SPAGES_PER_LPAGE - 1));
      write_entries(cpu, first, SPAGES_PER_LPAGE, iommu::PteFormat::fault());
      set_pgcnt(cpu, idx, pgcnt_[idx] + static_cast<int>(SPAGES_PER_LPAGE));
      size = LPAGE_SIZE;
    }
    // A fault entry: nothing to clear; the kernel still invalidates one page.
  }
  if (!queued) invalidate_entry(cpu, iova, size);
  return size;
}

std::optional<PhysAddr> ExynosIommuDomain::iova_to_phys(cpu::Core& cpu, std::uint64_t iova) {
  const Descriptor d = format().decode_lv1(read_entry(cpu, l1_ + 4ull * iommu::lv1_index(iova)));
  if (d.kind == Descriptor::Kind::Section) return d.base + (iova & (SECT_SIZE - 1));
  if (d.kind != Descriptor::Kind::Table) return std::nullopt;
  const Descriptor p = format().decode_lv2(read_entry(cpu, d.base + 4ull * iommu::lv2_index(iova)));
  if (!p.is_page()) return std::nullopt;
  return p.base + (iova & (p.size - 1));
}

// ---- the SYSMMUs' registers ------------------------------------------------------------------

bool ExynosIommuDomain::sysmmu_block(cpu::Core& cpu, const SysmmuHandle& h) {
  cpu.mmio_write(h.regs_va + SysmmuRegisters::kCtrl, SysmmuRegisters::kCtrlBlock);
  for (unsigned i = 0; i < ExynosSysmmuDriver::kBlockPolls; ++i)
    if ((cpu.mmio_read(h.regs_va + SysmmuRegisters::kStatus) & 1) != 0) return true;
  sysmmu_unblock(cpu, h);
  kernel().count_failure("sysmmu_block");
  return false;
}

void ExynosIommuDomain::sysmmu_unblock(cpu::Core& cpu, const SysmmuHandle& h) {
  cpu.mmio_write(h.regs_va + SysmmuRegisters::kCtrl, SysmmuRegisters::kCtrlEnable);
}

void ExynosIommuDomain::invalidate_entry(cpu::Core& cpu, std::uint64_t iova, std::uint64_t size) {
  CostScope scope(kernel(), cpu, CostKind::Iommu, "sysmmu_tlb_invalidate_entry", {{"iova", iova}, {"size", size}});
  for (Device* dev : clients_) {
    for (const SysmmuHandle& h : dev->hw.sysmmus) {
      // v2's TLB is set-associative over 4 KiB pages: a 64 KiB page may sit in any of 16 sets,
      // a section in any of 64; v5+ flush one entry.
      const std::uint64_t num_inv = h.version == iommu::SysmmuVersion::V2 ? std::min<std::uint64_t>(size / SPAGE_SIZE, 64) : 1;
      if (!sysmmu_block(cpu, h)) continue;
      std::uint64_t a = iova & ~(SPAGE_SIZE - 1);
      for (std::uint64_t i = 0; i < num_inv; ++i, a += SPAGE_SIZE)
        cpu.mmio_write(h.regs_va + h.layout.flush_entry, static_cast<std::uint32_t>(a | 1));
      sysmmu_unblock(cpu, h);
    }
  }
}

void ExynosIommuDomain::invalidate_flpd(cpu::Core& cpu, std::uint64_t iova) {
  for (Device* dev : clients_) {
    for (const SysmmuHandle& h : dev->hw.sysmmus) {
      if (!sysmmu_block(cpu, h)) continue;
      if (h.version == iommu::SysmmuVersion::V2)
        cpu.mmio_write(h.regs_va + h.layout.flush_entry, static_cast<std::uint32_t>((iova & ~(SPAGE_SIZE - 1)) | 1));
      else
        cpu.mmio_write(h.regs_va + h.layout.flush_all, 1);
      sysmmu_unblock(cpu, h);
    }
  }
}

bool ExynosIommuDomain::flush_iotlb_all(cpu::Core& cpu) {
  CostScope scope(kernel(), cpu, CostKind::Iommu, "flush_iotlb_all");
  for (Device* dev : clients_) {
    for (const SysmmuHandle& h : dev->hw.sysmmus) {
      if (!sysmmu_block(cpu, h)) continue;
      cpu.mmio_write(h.regs_va + h.layout.flush_all, 1);
      sysmmu_unblock(cpu, h);
    }
  }
  return true;
}

int ExynosIommuDomain::attach_dev(cpu::Core& cpu, Device& dev) {
  if (dev.hw.sysmmus.empty()) return -kENXIO;
  for (const SysmmuHandle& h : dev.hw.sysmmus) {  // __sysmmu_enable
    cpu.compute(kPtBaseCfgCycles);
    cpu.mmio_write(h.regs_va + SysmmuRegisters::kCtrl, SysmmuRegisters::kCtrlBlock);
    cpu.mmio_write(h.regs_va + SysmmuRegisters::kCfg, kCfg);
    const std::uint64_t pt = h.version == iommu::SysmmuVersion::V2 ? l1_ : l1_ >> 12;
    cpu.mmio_write(h.regs_va + h.layout.pt_base, static_cast<std::uint32_t>(pt));
    cpu.mmio_write(h.regs_va + h.layout.flush_all, 1);
    cpu.mmio_write(h.regs_va + SysmmuRegisters::kCtrl, SysmmuRegisters::kCtrlEnable);
  }
  clients_.push_back(&dev);
  return 0;
}

void ExynosIommuDomain::detach_dev(cpu::Core& cpu, Device& dev) {
  const auto it = std::find(clients_.begin(), clients_.end(), &dev);
  if (it == clients_.end()) return;
  clients_.erase(it);
  for (const SysmmuHandle& h : dev.hw.sysmmus) cpu.mmio_write(h.regs_va + SysmmuRegisters::kCtrl, SysmmuRegisters::kCtrlDisable);
}

void ExynosIommuDomain::free(cpu::Core& cpu) {
  for (Device* dev : std::vector<Device*>(clients_)) detach_dev(cpu, *dev);
  // exynos_iommu_domain_free: every level-1 entry read; each level-2 table unmapped and freed.
  for (unsigned i = 0; i < iommu::kLv1Entries; ++i) {
    const std::uint32_t e = read_entry(cpu, l1_ + 4ull * i);
    const Descriptor d = format().decode_lv1(e);
    if (d.kind != Descriptor::Kind::Table || e == zero_lv2_link()) continue;
    dma_unmap_single_attrs(cpu, driver_.dma_dev(), d.base, LV2TABLE_SIZE, DmaDirection::ToDevice, 0);
    driver_.lv2_free(d.base);
    cpu.compute(kSlabAllocCycles);
  }
  dma_unmap_single_attrs(cpu, driver_.dma_dev(), l1_, LV1TABLE_SIZE, DmaDirection::ToDevice, 0);
  kernel().page_allocator->free_pages(cpu, PHYS_PFN(l1_), 2);
  kernel().page_allocator->free_pages(cpu, PHYS_PFN(counters_), 1);
}

}  // namespace dmasim::sw
