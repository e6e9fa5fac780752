// The kernel profiles' DMA cache maintenance, counted instruction by instruction against the
// sequences of arch/arm/mm/cache-v7.S, the L2C-310 driver and arch/arm64/mm/cache.S.
#include <gtest/gtest.h>

#include "sw/kernel/cache_maint.h"
#include "tests/support/elaboration.h"
#include "tests/support/sw_harness.h"

namespace dmasim::sw {
namespace {

using test::SwHarness;

struct Counts {
  std::uint64_t cvac, ivac, civac, dsb, pl310_clean, pl310_inv, pl310_clean_inv, pl310_sync;
};

Counts counts(SwHarness& h, const std::string& cache) {
  const std::string c = "soc.a9.cpu0.";
  const std::string o = "soc.a9." + cache + ".maintenance.";
  (void)o;
  return Counts{h.count(c + "maintenance.dc_cvac"), h.count(c + "maintenance.dc_ivac"),
                h.count(c + "maintenance.dc_civac"), h.count(c + "barriers.dsb"),
                h.count(o + "clean_pa"), h.count(o + "inv_pa"), h.count(o + "clean_inv_pa"), h.count("soc.a9." + cache + ".registers.cache_sync")};
}

TEST(CacheMaint, Armv7Pl310CleanIsOneL1CleanAndOnePl310WritePerLineThenSync) {
  SKIP_IF_ELABORATED();
  SwHarness h("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  const PhysAddr pa = h.scratch_pa();
  const VirtAddr va = h.kernel().phys_to_virt(pa);
  h.run([&](cpu::Core& c) { h.kernel().cache().sync_for_device(c, va, pa, 8192, DmaDirection::ToDevice); });
  const Counts n = counts(h, "pl310");
  EXPECT_EQ(n.cvac, 8192u / 32);
  EXPECT_EQ(n.ivac + n.civac, 0u);
  EXPECT_EQ(n.pl310_clean, 8192u / 32);
  EXPECT_EQ(n.pl310_sync, 1u);
  EXPECT_GT(h.kernel().cost(CostKind::Maintenance), 0u);
}

}  // namespace
}  // namespace dmasim::sw
