// swiotlb bouncing (kernel/dma/swiotlb.c) for a device forced to bounce: the map copies the
// buffer into 2 KiB slots of the pool, and a mapping longer than one segment (IO_TLB_SEGSIZE 128
// slots x 2 KiB = 256 KiB) cannot be placed: DMA_MAPPING_ERROR, "swiotlb buffer is full".
#include <gtest/gtest.h>

#include "sw/dma_api/dma_mapping.h"
#include "sw/dma_api/swiotlb.h"
#include "tests/support/elaboration.h"
#include "tests/support/sw_dma_env.h"

namespace dmasim::sw {
namespace {

using test::DmaEnv;

// KernelSetup puts the pool right after the reserved memory: [DRAM base + 16 MiB, + 64 MiB).
PhysAddr pool_base(DmaEnv& e) { return e.layout().dram_base + (16ull << 20); }
constexpr std::uint64_t kPoolSize = 64ull << 20;

TEST(Swiotlb, ForcedBounceMapToDeviceCopiesSizeBytesIntoThePool) {
  SKIP_IF_ELABORATED();
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  e.dev.force_bounce = true;
  constexpr std::uint64_t kSize = 10000;
  DmaAddr addr = 0;
  Picoseconds copy_after_map = 0, copy_after_unmap = 0;
  e.h.run([&](cpu::Core& c) {
    addr = dma_map_single_attrs(c, e.dev, e.buffer_va(), kSize, DmaDirection::ToDevice, 0);
    copy_after_map = e.kernel().cost(CostKind::Copy);
    dma_unmap_single_attrs(c, e.dev, addr, kSize, DmaDirection::ToDevice, 0);
    copy_after_unmap = e.kernel().cost(CostKind::Copy);
  });
  EXPECT_NE(addr, e.buffer_pa());
  EXPECT_GE(addr, pool_base(e));
  EXPECT_LT(addr + kSize, pool_base(e) + kPoolSize);
  EXPECT_EQ(addr % Swiotlb::IO_TLB_SIZE, 0u);  // a mapping starts on a slot
  EXPECT_EQ(e.h.count("sw.swiotlb.bytes_bounced"), kSize);  // TO_DEVICE: copied in once, never back
  EXPECT_EQ(e.h.count("sw.swiotlb.maps"), 1u);
  EXPECT_GT(copy_after_map, 0u);
  EXPECT_EQ(copy_after_unmap, copy_after_map);
  EXPECT_EQ(e.kernel().swiotlb->used_slots(), 0u);  // the unmap gave the 5 slots back
}

TEST(Swiotlb, ForcedBounceFromDeviceCopiesInAtMapAndBackAtUnmap) {
  SKIP_IF_ELABORATED();
  // Since the info-leak fix the map copies the original into the slots whatever the direction;
  // the unmap of a FROM_DEVICE mapping copies the slots back: 2 x size bytes.
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  e.dev.force_bounce = true;
  constexpr std::uint64_t kSize = 4096;
  std::uint64_t slots_while_mapped = 0;
  e.h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e.dev, e.buffer_va(), kSize, DmaDirection::FromDevice, 0);
    slots_while_mapped = e.kernel().swiotlb->used_slots();
    dma_unmap_single_attrs(c, e.dev, a, kSize, DmaDirection::FromDevice, 0);
  });
  EXPECT_EQ(slots_while_mapped, kSize / Swiotlb::IO_TLB_SIZE);
  EXPECT_EQ(e.h.count("sw.swiotlb.bytes_bounced"), 2 * kSize);
}

TEST(Swiotlb, ForcedBounceMapOver256KiBFailsWithMappingError) {
  SKIP_IF_ELABORATED();
  DmaEnv e("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310});
  e.dev.force_bounce = true;
  constexpr std::uint64_t kMax = Swiotlb::IO_TLB_SEGSIZE * Swiotlb::IO_TLB_SIZE;
  ASSERT_EQ(kMax, 256u * 1024);
  DmaAddr ok = 0, too_big = 0;
  int err_ok = 1, err_too_big = 0;
  e.h.run([&](cpu::Core& c) {
    ok = dma_map_single_attrs(c, e.dev, e.buffer_va(), kMax, DmaDirection::ToDevice, 0);
    err_ok = dma_mapping_error(e.dev, ok);
    too_big = dma_map_single_attrs(c, e.dev, e.buffer_va(1 << 20), kMax + PAGE_SIZE, DmaDirection::ToDevice, 0);
    err_too_big = dma_mapping_error(e.dev, too_big);
  });
  EXPECT_NE(ok, DMA_MAPPING_ERROR);  // exactly one segment still fits
  EXPECT_EQ(err_ok, 0);
  EXPECT_EQ(too_big, DMA_MAPPING_ERROR);
  EXPECT_EQ(err_too_big, -kENOMEM);
  EXPECT_EQ(e.h.count("sw.failures.dma_map_single_attrs"), 1u);
  EXPECT_EQ(e.h.count("sw.failures_total"), 1u);
  EXPECT_EQ(e.h.count("sw.swiotlb.full"), 1u);
  EXPECT_EQ(e.h.count("sw.swiotlb.bytes_bounced"), kMax);  // nothing copied for the failed one
  const auto messages = e.setup.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("swiotlb buffer is full (sz: 266240 bytes)"), std::string::npos) << messages[0];
}

}  // namespace
}  // namespace dmasim::sw
