#pragma once
// The kernel the software model runs: one per scenario. It ties the machine (the SoC as software
// sees it), the kernel profile, the statistics and the trace recorder to the pieces of the memory
// management and DMA code (page allocator, CMA areas, vmalloc area, swiotlb pool, atomic pool,
// dma-debug), which the scenario assembles (sw/dma_api/kernel_setup.h) and which reach each other
// through it, as kernel code reaches its globals.
//
// Every function of the model that costs time takes the calling CPU (cpu::Core&) as its first
// argument and runs on that core's software thread.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/common/stats/registry.h"
#include "models/common/trace/recorder.h"
#include "sw/kernel/machine.h"
#include "sw/kernel/profile.h"
#include "sw/kernel/types.h"

namespace dmasim::sw {

class CacheMaint;
class VmallocArea;
class PageAllocator;
class Cma;
class Swiotlb;
class AtomicPool;
class DmaDebug;
class DmaMapOps;
class ExynosSysmmuDriver;

// Where a CPU's time inside the kernel model goes (the compare table's columns).
enum class CostKind : std::uint8_t {
  DmaApi,       // inside any DMA-API call (outermost call only): map_unmap_ns
  Maintenance,  // cache maintenance instructions, barriers and outer-cache operations
  Copy,         // CPU copies the kernel makes (swiotlb bounce, page migration, zeroing)
  Iommu,        // iommu_map / iommu_unmap / IOTLB invalidation
  Allocator,    // page allocator, CMA, IOVA allocators (compute charged for the work done)
  Count
};
std::string_view to_string(CostKind k);  // "dma_api", "maintenance", "copy", "iommu", "allocator"

// Told when pages go back to the page allocator (free_pages, cma_release): dma-debug's check
// that no live DMA mapping still covers them (a check the kernel does not make). Declared here
// because the allocators below dma-debug call it.
class FreedPagesCheck {
 public:
  virtual ~FreedPagesCheck() = default;
  virtual void pages_freed(PhysAddr phys, std::uint64_t bytes) = 0;
};

class Kernel {
 public:
  Kernel(Machine& machine, const KernelProfile& profile, stats::Group stats, trace::Recorder* trace = nullptr);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  Machine& machine() { return machine_; }
  const KernelProfile& profile() const { return profile_; }
  const stats::Group& stats() const { return stats_; }
  trace::Recorder* trace() const { return trace_ != nullptr && trace_->enabled() ? trace_ : nullptr; }
  // The Perfetto track of core i (created on first use).
  trace::TrackId core_track(unsigned core);
  unsigned core_index(const cpu::Core& core) const;  // its index in the machine

  CacheMaint& cache() { return *cache_; }
  VmallocArea& vmalloc() { return *vmalloc_; }

  // Pieces the scenario assembles; null until set (a kernel without CMA has no areas).
  PageAllocator* page_allocator = nullptr;
  std::vector<Cma*> cma_areas;  // [0] is the default area (dev_get_cma_area without a per-device one)
  Swiotlb* swiotlb = nullptr;
  AtomicPool* atomic_pool = nullptr;
  DmaDebug* debug = nullptr;
  FreedPagesCheck* freed_pages_check = nullptr;  // set with debug (DmaDebugTracker::install)
  ExynosSysmmuDriver* sysmmu_driver = nullptr;  // probed on first use (sw/iommu/exynos_iommu.h)
  DmaMapOps* direct = nullptr;  // dma-direct: the ops of a device without its own
  DmaMapOps& direct_ops() const;

  // Keeps an object alive as long as the kernel (regions a call declares, pools).
  template <class T>
  T* keep(std::unique_ptr<T> p) {
    T* raw = p.get();
    owned_.push_back(std::shared_ptr<void>(std::move(p)));
    return raw;
  }

  // A failure the kernel would report (no memory, no IOVA space...): counted by the call's name
  // under sw.failures.
  void count_failure(std::string_view call);

  // The linear map: lowmem physical <-> kernel virtual (__va / __pa). Both throw
  // std::logic_error outside lowmem (a software-model bug, not a user error).
  VirtAddr phys_to_virt(PhysAddr pa) const;
  PhysAddr virt_to_phys(VirtAddr va) const;
  bool is_lowmem(PhysAddr pa, std::uint64_t size = 1) const;
  // Any mapped kernel address -> physical (the MMU's answer); nullopt when unmapped.
  std::optional<PhysAddr> translate(VirtAddr va) const;

  // Time accounting (see CostScope). ns of core time per kind, summed over cores.
  void add_cost(CostKind kind, unsigned core, Picoseconds ps);
  Picoseconds cost(CostKind kind) const;
  Picoseconds cost(CostKind kind, unsigned core) const;
  // Self time: the core time during which `kind` was the innermost open scope. The five kinds'
  // self times are disjoint (they partition the time spent in any scope), which is what a
  // stacked bar of where CPU time goes needs; cost() counts a maintenance loop inside an
  // iommu_map in both maintenance and iommu.
  Picoseconds self_cost(CostKind kind) const;

 private:
  friend class CostScope;
  struct CoreState {
    std::array<unsigned, static_cast<std::size_t>(CostKind::Count)> depth{};
    std::array<Picoseconds, static_cast<std::size_t>(CostKind::Count)> ps{};
    std::vector<CostKind> open;  // the open scopes, innermost last
    Picoseconds self_mark = 0;   // when the innermost open scope last started counting
    trace::TrackId track = trace::kNoTrack;
  };

  Machine& machine_;
  KernelProfile profile_;
  stats::Group stats_;
  trace::Recorder* trace_;
  MemoryLayout layout_;
  std::unique_ptr<CacheMaint> cache_;
  std::unique_ptr<VmallocArea> vmalloc_;
  std::vector<CoreState> cores_;
  // Charges the time since the last scope boundary to the innermost open scope.
  void charge_self(CoreState& c, Picoseconds now);

  std::array<stats::Counter*, static_cast<std::size_t>(CostKind::Count)> cost_ps_{};
  std::array<stats::Counter*, static_cast<std::size_t>(CostKind::Count)> self_ps_{};
  stats::Counter* failures_;
  std::vector<std::shared_ptr<void>> owned_;
  std::map<std::string, stats::Counter*, std::less<>> failure_counters_;
};

// Charges the core time between construction and destruction to `kind` (only the outermost
// scope of each kind on a core counts, so nested calls are not counted twice) and, with a
// trace, draws a slice named `name` on the core's track, nested in the enclosing scope's slice.
//   CostScope s(kernel, cpu, CostKind::DmaApi, "dma_map_single_attrs", {{"size", size}});
class CostScope {
 public:
  CostScope(Kernel& kernel, cpu::Core& cpu, CostKind kind, std::string_view name,
            std::initializer_list<trace::Arg> args = {});
  ~CostScope();
  CostScope(const CostScope&) = delete;
  CostScope& operator=(const CostScope&) = delete;

 private:
  Kernel& kernel_;
  cpu::Core& cpu_;
  CostKind kind_;
  unsigned core_;
  Picoseconds start_;
  bool outermost_;
  bool traced_;
};

}  // namespace dmasim::sw
