#pragma once
// The kernel profile: which architecture's DMA cache maintenance the software model performs
// (REFERENCE.md section 1), and the configuration options that change it.
//
//   armv7-pl310    32-bit ARM with an L2C-310 outer cache (Exynos4412): L1 by MVA, then the
//                  outer cache by PA through its registers, one line per write in 4 KiB blocks,
//                  then CACHE_SYNC; wmb() = DSB + CACHE_SYNC.
//   armv7          32-bit ARM without an outer cache (Cortex-A15 class, Exynos5422).
//   arm64-pre-5.19 arm64 before commit c50f11c6196f: a FROM_DEVICE map invalidates.
//   arm64          arm64 from 5.19: every map cleans; unmap / sync_for_cpu invalidates.
#include <array>
#include <string_view>
#include <utility>

#include "models/common/config/schema.h"
#include "models/common/config/units.h"

namespace dmasim::sw {

enum class KernelArch : std::uint8_t { Armv7Pl310, Armv7, Arm64Pre519, Arm64 };

// iommu.strict= on the kernel command line: unmap invalidates the IOTLB before returning
// (strict), or queues the IOVA and invalidates everything later (lazy, dma-iommu only).
enum class IommuFlush : std::uint8_t { Strict, Lazy };

// How devices behind a SYSMMU get their IO address space (the iommu strategy's options).
struct IommuPolicy {
  IommuFlush flush = IommuFlush::Strict;
  // The largest page an IOMMU mapping may use (the page-size policy): 4 KiB, 64 KiB or 1 MiB.
  ByteSize max_page{1ull << 20};
  // arm_iommu_create_mapping(base, size) on 32-bit ARM; dma-iommu's IOVA window on arm64.
  std::uint64_t iova_base = 0x20000000;
  ByteSize iova_size{1ull << 30};

  static void describe(cfg::Fields<IommuPolicy>& f);
  void validate(cfg::Validator& v) const;
};

struct KernelProfile {
  KernelArch arch = KernelArch::Armv7Pl310;
  // CONFIG_ARM_DMA_MEM_BUFFERABLE: coherent DMA memory is Normal non-cacheable (bufferable);
  // off, it is Strongly-ordered (ARMv6-era kernels).
  bool dma_mem_bufferable = true;
  // Kernel before 6.0: dma_alloc_attrs(NO_KERNEL_MAPPING) still zeroes and flushes the buffer.
  bool pre_6_0 = true;
  bool dma_debug = true;  // CONFIG_DMA_API_DEBUG (on by default in scenarios)
  IommuPolicy iommu{};

  bool is_arm64() const { return arch == KernelArch::Arm64Pre519 || arch == KernelArch::Arm64; }
  bool has_outer_cache() const { return arch == KernelArch::Armv7Pl310; }

  static void describe(cfg::Fields<KernelProfile>& f);
};

}  // namespace dmasim::sw

namespace dmasim::cfg {
template <>
struct EnumNames<sw::KernelArch> {
  static constexpr std::array<std::pair<sw::KernelArch, std::string_view>, 4> names{{
      {sw::KernelArch::Armv7Pl310, "armv7-pl310"},
      {sw::KernelArch::Armv7, "armv7"},
      {sw::KernelArch::Arm64Pre519, "arm64-pre-5.19"},
      {sw::KernelArch::Arm64, "arm64"},
  }};
};
template <>
struct EnumNames<sw::IommuFlush> {
  static constexpr std::array<std::pair<sw::IommuFlush, std::string_view>, 2> names{{
      {sw::IommuFlush::Strict, "strict"},
      {sw::IommuFlush::Lazy, "lazy"},
  }};
};
}  // namespace dmasim::cfg
