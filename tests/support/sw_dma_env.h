#pragma once
// A shipped platform with the kernel's memory pieces set up (KernelSetup: buddy allocator, CMA,
// swiotlb, atomic pool, dma-direct), optionally dma-debug, and one device without hardware, for
// tests of the DMA-mapping API and dma-debug. Also reads the cache maintenance counters of core
// 0 (and its PL310, if any) as one snapshot, so a test can take the difference around a call.
//
//   DmaEnv e("exynos4412", {.arch = KernelArch::Armv7Pl310});
//   e.h.run([&](cpu::Core& c) { auto before = e.maint(); ...; auto d = e.maint() - before; });
#include <cstdint>
#include <memory>
#include <string>

#include "models/common/sim_now.h"
#include "sw/dma_api/device.h"
#include "sw/dma_api/kernel_setup.h"
#include "sw/dma_debug/dma_debug_tracker.h"
#include "sw/kernel/vmalloc.h"
#include "tests/support/sw_harness.h"

namespace dmasim::test {

struct Maint {
  std::uint64_t cvac = 0, ivac = 0, civac = 0, dsb = 0;           // core 0
  std::uint64_t l2_clean = 0, l2_inv = 0, l2_clean_inv = 0, l2_sync = 0;  // PL310 by-PA writes
  std::uint64_t l1_total() const { return cvac + ivac + civac; }
  std::uint64_t l2_total() const { return l2_clean + l2_inv + l2_clean_inv + l2_sync; }
  Maint operator-(const Maint& o) const {
    return Maint{cvac - o.cvac,         ivac - o.ivac,     civac - o.civac,           dsb - o.dsb,
                 l2_clean - o.l2_clean, l2_inv - o.l2_inv, l2_clean_inv - o.l2_clean_inv, l2_sync - o.l2_sync};
  }
};

// Stat-name prefixes of each shipped platform's core 0 (its first cluster) and outer cache.
inline std::string cluster_of(const std::string& platform) {
  if (platform == "exynos4412") return "a9";
  if (platform == "exynos5422") return "a15";
  return "big";  // modern
}

inline sw::KernelMemoryConfig small_memory() {
  sw::KernelMemoryConfig m;  // 16 MiB reserved, one 64 MiB CMA area, 64 MiB swiotlb, 256 KiB atomic pool
  return m;
}

class DmaEnv {
 public:
  DmaEnv(const std::string& platform, const sw::KernelProfile& profile, const sw::KernelMemoryConfig& memory = small_memory(),
         bool with_debug = false)
      : h(platform, profile), setup(h.kernel(), memory, 1), dev(h.kernel(), "dev"), cluster_(cluster_of(platform)) {
    if (with_debug) {
      sw::Kernel& k = h.kernel();
      debug = std::make_unique<sw::DmaDebugTracker>(
          k.stats().group("dma_debug"), [&k](sw::VirtAddr va) { return k.vmalloc().contains(va); },
          [] { return sim_now(); });
      debug->install(k);
    }
  }

  sw::Kernel& kernel() { return h.kernel(); }
  const sw::MemoryLayout layout() { return h.machine().layout(); }
  // A page-aligned buffer in lowmem away from everything KernelSetup places (the swiotlb pool
  // sits 16 MiB above the DRAM base, the CMA area at the top of lowmem): DRAM base + 256 MiB.
  sw::PhysAddr buffer_pa(std::uint64_t offset = 0) { return layout().dram_base + (256ull << 20) + offset; }
  sw::VirtAddr buffer_va(std::uint64_t offset = 0) { return kernel().phys_to_virt(buffer_pa(offset)); }

  Maint maint() const {
    const std::string c = "soc." + cluster_ + ".cpu0.";
    const std::string o = "soc." + cluster_ + ".pl310.";
    return Maint{h.count(c + "maintenance.dc_cvac"),  h.count(c + "maintenance.dc_ivac"),
                 h.count(c + "maintenance.dc_civac"), h.count(c + "barriers.dsb"),
                 h.count(o + "maintenance.clean_pa"), h.count(o + "maintenance.inv_pa"),
                 h.count(o + "maintenance.clean_inv_pa"), h.count(o + "registers.cache_sync")};
  }

  SwHarness h;
  sw::KernelSetup setup;
  std::unique_ptr<sw::DmaDebugTracker> debug;
  sw::Device dev;

 private:
  std::string cluster_;
};

}  // namespace dmasim::test
