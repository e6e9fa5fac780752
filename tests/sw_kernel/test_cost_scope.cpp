// CostScope's time accounting: cost() charges each kind's outermost scope whole, self_cost()
// charges each instant to the innermost open scope only, so the self times partition the time
// spent in scopes. Expectations are computed from the core's clock around each compute().
#include <gtest/gtest.h>

#include "sw/kernel/kernel.h"
#include "tests/support/elaboration.h"
#include "tests/support/sw_harness.h"

namespace dmasim::sw {
namespace {

using test::SwHarness;

TEST(CostScope, SelfTimeGoesToTheInnermostScopeAndPartitionsTheOutermost) {
  SKIP_IF_ELABORATED();
  SwHarness h("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  Kernel& k = h.kernel();
  Picoseconds t[8] = {};
  h.run([&](cpu::Core& c) {
    t[0] = c.now();
    {
      CostScope api(k, c, CostKind::DmaApi, "dma_map_sg_attrs");
      c.compute(100);
      t[1] = c.now();
      {
        CostScope iommu(k, c, CostKind::Iommu, "iommu_map");
        c.compute(200);
        t[2] = c.now();
        {
          CostScope maint(k, c, CostKind::Maintenance, "clean");
          {
            CostScope again(k, c, CostKind::Maintenance, "clean_line");  // nested same kind: counted once
            c.compute(50);
          }
          t[3] = c.now();
        }
        c.compute(30);
        t[4] = c.now();
      }
      c.compute(10);
      t[5] = c.now();
    }
    c.compute(1000);  // outside every scope: charged to nothing
  });
  ASSERT_EQ(t[1] - t[0], 100 * (t[5] - t[4]) / 10);  // the core runs compute() at one cycle per period

  EXPECT_EQ(k.cost(CostKind::DmaApi), t[5] - t[0]);
  EXPECT_EQ(k.cost(CostKind::Iommu), t[4] - t[1]);
  EXPECT_EQ(k.cost(CostKind::Maintenance), t[3] - t[2]);

  EXPECT_EQ(k.self_cost(CostKind::DmaApi), (t[1] - t[0]) + (t[5] - t[4]));
  EXPECT_EQ(k.self_cost(CostKind::Iommu), (t[2] - t[1]) + (t[4] - t[3]));
  EXPECT_EQ(k.self_cost(CostKind::Maintenance), t[3] - t[2]);
  EXPECT_EQ(k.self_cost(CostKind::Copy), 0u);
  Picoseconds sum = 0;
  for (CostKind kind : {CostKind::DmaApi, CostKind::Maintenance, CostKind::Copy, CostKind::Iommu, CostKind::Allocator})
    sum += k.self_cost(kind);
  EXPECT_EQ(sum, k.cost(CostKind::DmaApi));
}

}  // namespace
}  // namespace dmasim::sw
