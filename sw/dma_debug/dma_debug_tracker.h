#pragma once
// dma-debug's bookkeeping and checks (sw/dma_debug/dma_debug.h): every live mapping and
// allocation per device, checked on each call as kernel/dma/debug.c does, with its messages,
// plus ownership (device or CPU) of each streaming mapping for the two checks the kernel lacks.
// Violations are counted by kind under sw.dma_debug and kept with their simulated time.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/common/stats/registry.h"
#include "sw/dma_debug/dma_debug.h"
#include "sw/kernel/kernel.h"

namespace dmasim::sw {

class DmaDebugTracker final : public DmaDebug, public FreedPagesCheck {
 public:
  static constexpr unsigned kCachelineShift = 6;  // the kernel's L1_CACHE_SHIFT for the overlap tracking
  // Overlaps one cacheline's tracking counts (ACTIVE_CACHELINE_MAX_OVERLAP: the radix tree's tag bits).
  static constexpr unsigned kMaxOverlap = 7;

  // `is_vmalloc`: whether a kernel virtual address is in the vmalloc area (maps from there are
  // flagged); `now`: the simulated time for reports.
  DmaDebugTracker(stats::Group stats, std::function<bool(VirtAddr)> is_vmalloc, std::function<Picoseconds()> now);
  // Makes this the kernel's dma-debug: the DMA-API calls report to it (Kernel::debug) and the page
  // allocators tell it about freed pages (Kernel::freed_pages_check).
  void install(Kernel& k) {
    k.debug = this;
    k.freed_pages_check = this;
  }

  void debug_dma_map_page(Device& dev, PhysAddr phys, VirtAddr va, std::uint64_t size, DmaDirection dir,
                          DmaAddr dma_addr, DebugEntryType type, DmaAttrs attrs) override;
  void debug_dma_mapping_error(Device& dev, DmaAddr dma_addr) override;
  void debug_dma_unmap_page(Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir,
                            DebugEntryType type) override;
  void debug_dma_map_sg(Device& dev, const SgTable& sg, int mapped_ents, DmaDirection dir, DmaAttrs attrs) override;
  void debug_dma_unmap_sg(Device& dev, const SgTable& sg, DmaDirection dir) override;
  void debug_dma_alloc_coherent(Device& dev, std::uint64_t size, DmaAddr dma_addr, VirtAddr virt,
                                PhysAddr phys) override;
  void debug_dma_free_coherent(Device& dev, std::uint64_t size, VirtAddr virt, DmaAddr addr) override;
  void debug_dma_sync_single_for_cpu(Device& dev, DmaAddr dma_handle, std::uint64_t size, DmaDirection dir) override;
  void debug_dma_sync_single_for_device(Device& dev, DmaAddr dma_handle, std::uint64_t size,
                                        DmaDirection dir) override;
  void debug_dma_sync_sg_for_cpu(Device& dev, const SgTable& sg, DmaDirection dir) override;
  void debug_dma_sync_sg_for_device(Device& dev, const SgTable& sg, DmaDirection dir) override;
  void dma_debug_device_release(Device& dev) override;
  void cpu_access(const std::string& who, PhysAddr phys, std::uint64_t size, bool write) override;
  // FreedPagesCheck: pages freed while a live mapping (streaming or coherent) still covers them.
  void pages_freed(PhysAddr phys, std::uint64_t bytes) override;
  void device_access(Device& dev, DmaAddr addr, std::uint64_t size, bool write) override;

  const std::vector<DebugViolation>& violations() const override { return violations_; }
  std::uint64_t violation_count() const override { return total_->value(); }
  // violations.txt's dma-debug section: one line per violation ("" when none).
  std::string report() const;

 private:
  struct Entry {
    DebugEntryType type = DebugEntryType::Single;
    DmaAddr dma = 0;
    std::uint64_t size = 0;
    DmaDirection dir = DmaDirection::Bidirectional;
    PhysAddr phys = 0;
    VirtAddr va = 0;
    int sg_nents = 0;
    bool map_err_checked = false;
    bool device_owns = true;
    bool coherent_dev = false;
    DmaAttrs attrs = 0;
  };
  using Key = std::pair<std::string, DmaAddr>;  // device, DMA address

  void report(const std::string& dev, const std::string& kind, const std::string& message);
  void sync(Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir, bool for_cpu);
  // check_unmap, for unmaps and dma_free_coherent (virt: the CPU address a coherent free passes).
  void unmap(Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir, DebugEntryType type, int nents,
             VirtAddr virt);
  // The active-cacheline tracking: one key per mapping, its first cacheline.
  void add_cacheline(const std::string& dev, const Entry& e);
  void remove_cacheline(const Entry& e);

  stats::Group stats_;
  std::function<bool(VirtAddr)> is_vmalloc_;
  std::function<Picoseconds()> now_;
  std::map<Key, Entry> entries_;
  std::map<std::uint64_t, unsigned> active_lines_;  // first cacheline -> live mappings starting there
  bool overlap_limit_warned_ = false;                // the kernel's WARN_ONCE
  std::vector<DebugViolation> violations_;
  std::map<std::string, stats::Counter*> by_kind_;
  stats::Counter* total_;
};

}  // namespace dmasim::sw
