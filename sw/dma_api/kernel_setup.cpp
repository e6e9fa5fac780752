#include "sw/dma_api/kernel_setup.h"

#include <fmt/format.h>

#include <random>

#include "sw/dma_api/atomic_pool.h"
#include "sw/dma_api/direct.h"
#include "sw/dma_api/swiotlb.h"
#include "sw/kernel/vmalloc.h"
#include "sw/mm/buddy_allocator.h"
#include "sw/mm/cma_area.h"

namespace dmasim::sw {

void CmaAreaConfig::describe(cfg::Fields<CmaAreaConfig>& f) {
  f("name", &CmaAreaConfig::name, "the area's name (messages, statistics)");
  f("size", &CmaAreaConfig::size, "bytes, a multiple of 4 MiB (the pageblock)");
}

void PopulationConfig::describe(cfg::Fields<PopulationConfig>& f) {
  f("anon", &PopulationConfig::anon, "fraction of pages holding anonymous (movable) memory").range(0, 1);
  f("page_cache_clean", &PopulationConfig::page_cache_clean, "fraction holding clean page cache (dropped by CMA)").range(0, 1);
  f("page_cache_dirty", &PopulationConfig::page_cache_dirty, "fraction holding dirty page cache (migrated by CMA)").range(0, 1);
  f("pinned", &PopulationConfig::pinned, "fraction holding pinned pages (cannot be migrated)").range(0, 1);
  f("kernel", &PopulationConfig::kernel, "fraction holding unmovable kernel allocations (never in CMA)").range(0, 1);
  f("pinned_in_cma_every", &PopulationConfig::pinned_in_cma_every,
    "one pinned page every N pages of each CMA area (0: none)");
}

void KernelMemoryConfig::describe(cfg::Fields<KernelMemoryConfig>& f) {
  f("reserved", &KernelMemoryConfig::reserved, "lowmem from the DRAM base never handed out (kernel image, tables)");
  f("cma", &KernelMemoryConfig::cma, "CMA areas, placed from the top of lowmem down; the first is the default area");
  f("population", &KernelMemoryConfig::population, "pages in use at boot, by kind");
  f("swiotlb", &KernelMemoryConfig::swiotlb, "the swiotlb bounce pool (0: none)");
  f("atomic_pool", &KernelMemoryConfig::atomic_pool, "the atomic DMA pool (0: none)");
}

struct KernelSetup::Parts {
  std::unique_ptr<BuddyAllocator> buddy;
  std::vector<std::unique_ptr<CmaArea>> cma;
  std::unique_ptr<Swiotlb> swiotlb;
  std::unique_ptr<AtomicPool> atomic_pool;
  std::unique_ptr<DirectOps> direct;
};

KernelSetup::KernelSetup(Kernel& kernel, const KernelMemoryConfig& c, std::uint64_t seed)
    : p_(std::make_unique<Parts>()) {
  const MemoryLayout l = kernel.machine().layout();
  const PhysAddr lowmem_end = l.dram_base + l.lowmem;
  PhysAddr low = l.dram_base + PAGE_ALIGN(c.reserved.bytes);
  // memblock: the swiotlb pool low in memory, the CMA areas from the top down.
  PhysAddr swiotlb_base = 0;
  if (c.swiotlb.bytes != 0) {
    swiotlb_base = low;
    low += PAGE_ALIGN(c.swiotlb.bytes);
  }
  constexpr std::uint64_t kPageblock = PAGE_SIZE << BuddyAllocator::pageblock_order;
  PhysAddr high = lowmem_end & ~(kPageblock - 1);
  std::vector<std::pair<PhysAddr, std::uint64_t>> areas;
  for (const CmaAreaConfig& a : c.cma) {
    const std::uint64_t size = (a.size.bytes + kPageblock - 1) & ~(kPageblock - 1);
    if (high < low + size) throw std::invalid_argument(fmt::format("CMA area '{}' ({} bytes) does not fit lowmem", a.name, size));
    high -= size;
    areas.emplace_back(high, size);
  }
  p_->buddy = std::make_unique<BuddyAllocator>(kernel, PHYS_PFN(l.dram_base), PHYS_PFN(lowmem_end));
  p_->buddy->free_range_boot(PHYS_PFN(low), PHYS_PFN(high), MigrateType::Movable);
  for (std::size_t i = 0; i < areas.size(); ++i)
    p_->cma.push_back(std::make_unique<CmaArea>(kernel, *p_->buddy, c.cma[i].name, areas[i].first, areas[i].second));
  kernel.page_allocator = p_->buddy.get();
  kernel.cma_areas.clear();
  for (auto& a : p_->cma) kernel.cma_areas.push_back(a.get());

  if (c.swiotlb.bytes != 0) {
    p_->swiotlb = std::make_unique<Swiotlb>(kernel, swiotlb_base, c.swiotlb.bytes);
    kernel.swiotlb = p_->swiotlb.get();
  }
  p_->direct = std::make_unique<DirectOps>(kernel);
  kernel.direct = p_->direct.get();
  if (c.atomic_pool.bytes != 0) {
    unsigned order = 0;
    while ((PAGE_SIZE << order) < c.atomic_pool.bytes) ++order;
    const std::optional<Pfn> pfn = p_->buddy->alloc_pages_boot(GFP_KERNEL, order);
    if (!pfn) throw std::invalid_argument("no memory for the atomic pool");
    const std::optional<VirtAddr> va = kernel.vmalloc().vmap_contiguous(PFN_PHYS(*pfn), PAGE_SIZE << order,
                                                                         p_->direct->dma_pgprot(0), "atomic pool");
    if (!va) throw std::invalid_argument("no vmalloc space for the atomic pool");
    p_->atomic_pool = std::make_unique<AtomicPool>(kernel, PFN_PHYS(*pfn), *va, PAGE_SIZE << order);
    kernel.atomic_pool = p_->atomic_pool.get();
  }

  // The boot population, page by page from the seed.
  const PopulationConfig& pop = c.population;
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 0x6d6d);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto in_cma = [&](Pfn p) {
    for (auto& [base, size] : areas)
      if (PFN_PHYS(p) >= base && PFN_PHYS(p) < base + size) return true;
    return false;
  };
  if (pop.anon + pop.page_cache_clean + pop.page_cache_dirty + pop.pinned + pop.kernel > 0) {
    for (Pfn p = PHYS_PFN(low); p < PHYS_PFN(lowmem_end); ++p) {
      if (!p_->buddy->is_free(p)) continue;
      double x = u(rng);
      PageUse use = PageUse::Free;
      if ((x -= pop.anon) < 0) use = PageUse::Anon;
      else if ((x -= pop.page_cache_clean) < 0) use = PageUse::PageCacheClean;
      else if ((x -= pop.page_cache_dirty) < 0) use = PageUse::PageCacheDirty;
      else if ((x -= pop.pinned) < 0) use = PageUse::Pinned;
      else if ((x -= pop.kernel) < 0 && !in_cma(p)) use = PageUse::Kernel;
      if (use != PageUse::Free) p_->buddy->take_range(p, p + 1, use);
    }
  }
  if (pop.pinned_in_cma_every != 0)
    for (auto& [base, size] : areas) {
      for (Pfn p = PHYS_PFN(base) + pop.pinned_in_cma_every / 2; p < PHYS_PFN(base + size); p += pop.pinned_in_cma_every) {
        if (p_->buddy->is_free(p))
          p_->buddy->take_range(p, p + 1, PageUse::Pinned);
        else
          p_->buddy->set_use(p, PageUse::Pinned);
      }
    }
}

KernelSetup::~KernelSetup() = default;

std::vector<std::string> KernelSetup::messages() const {
  std::vector<std::string> out;
  for (const auto& a : p_->cma) out.insert(out.end(), a->messages().begin(), a->messages().end());
  if (p_->swiotlb) out.insert(out.end(), p_->swiotlb->messages().begin(), p_->swiotlb->messages().end());
  if (p_->atomic_pool) out.insert(out.end(), p_->atomic_pool->messages().begin(), p_->atomic_pool->messages().end());
  return out;
}

}  // namespace dmasim::sw
