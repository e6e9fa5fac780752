#pragma once
// The mapping strategies a driver can take (docs/compare.md), and how a driver's probe prepares
// its struct device for one: the device's dma_coherent flag (io-coherent: an ACE-Lite port), its
// dma_map_ops (iommu: attached to a SYSMMU domain), swiotlb forcing (bounce).
//
//   strategy      buffer memory (CPU view)              cache work                    device path
//   coherent      dma_alloc_coherent: Normal-NC / SO     none                          non-coherent port
//   writecombine  dma_alloc_wc: Normal-NC, bufferable    none (write buffer drain)     non-coherent port
//   streaming     kernel pages, cacheable                dma_map / sync per direction  non-coherent port
//   iommu         as streaming, the device sees IOVAs    + IOVA, PTE writes, TLB flush through the SYSMMU
//   io-coherent   kernel pages, cacheable                none (dev->dma_coherent)      ACE-Lite, snooping
//   bounce        kernel pages, copied to swiotlb slots  as streaming, on the slots    non-coherent port
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "models/common/config/schema.h"

namespace dmasim::sw {

enum class Strategy : std::uint8_t { Coherent, WriteCombine, Streaming, Iommu, IoCoherent, Bounce };
inline constexpr std::array<Strategy, 6> kAllStrategies = {Strategy::Coherent, Strategy::WriteCombine,
                                                            Strategy::Streaming, Strategy::Iommu,
                                                            Strategy::IoCoherent, Strategy::Bounce};

// Whether the buffer is a DMA allocation (coherent, writecombine) rather than kernel pages the
// driver maps (streaming and its variants).
inline bool uses_dma_alloc(Strategy s) { return s == Strategy::Coherent || s == Strategy::WriteCombine; }

}  // namespace dmasim::sw

namespace dmasim::cfg {
template <>
struct EnumNames<sw::Strategy> {
  static constexpr std::array<std::pair<sw::Strategy, std::string_view>, 6> names{{
      {sw::Strategy::Coherent, "coherent"},
      {sw::Strategy::WriteCombine, "writecombine"},
      {sw::Strategy::Streaming, "streaming"},
      {sw::Strategy::Iommu, "iommu"},
      {sw::Strategy::IoCoherent, "io-coherent"},
      {sw::Strategy::Bounce, "bounce"},
  }};
};
}  // namespace dmasim::cfg
