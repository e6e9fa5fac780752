#pragma once
// The DMA-mapping API's vocabulary, with the kernel's names (include/linux/dma-mapping.h,
// include/linux/dma-direction.h): directions, attributes, DMA addresses and the error value.
#include <cstdint>
#include <string_view>
#include <vector>

#include "sw/kernel/types.h"

namespace dmasim::sw {

using DmaAddr = std::uint64_t;   // dma_addr_t: what the device puts on the bus (IOVA behind a SYSMMU)

inline constexpr DmaAddr DMA_MAPPING_ERROR = ~DmaAddr{0};

enum class DmaDirection : std::uint8_t { Bidirectional = 0, ToDevice = 1, FromDevice = 2, None = 3 };
inline std::string_view to_string(DmaDirection d) {
  switch (d) {
    case DmaDirection::Bidirectional: return "DMA_BIDIRECTIONAL";
    case DmaDirection::ToDevice: return "DMA_TO_DEVICE";
    case DmaDirection::FromDevice: return "DMA_FROM_DEVICE";
    case DmaDirection::None: return "DMA_NONE";
  }
  return "?";
}

// unsigned long attrs
using DmaAttrs = std::uint32_t;
inline constexpr DmaAttrs DMA_ATTR_WEAK_ORDERING = 1u << 1;
inline constexpr DmaAttrs DMA_ATTR_WRITE_COMBINE = 1u << 2;
inline constexpr DmaAttrs DMA_ATTR_NO_KERNEL_MAPPING = 1u << 4;
inline constexpr DmaAttrs DMA_ATTR_SKIP_CPU_SYNC = 1u << 5;
inline constexpr DmaAttrs DMA_ATTR_FORCE_CONTIGUOUS = 1u << 6;
inline constexpr DmaAttrs DMA_ATTR_ALLOC_SINGLE_PAGES = 1u << 7;
inline constexpr DmaAttrs DMA_ATTR_NO_WARN = 1u << 8;
inline constexpr DmaAttrs DMA_ATTR_PRIVILEGED = 1u << 9;

// struct scatterlist: a physical chunk, and after dma_map_sg its bus address and length (an
// IOMMU mapping may merge the whole list into one bus range: dma_length of the first entry).
struct Scatterlist {
  PhysAddr page_link = 0;  // physical address of the page
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  DmaAddr dma_address = 0;
  std::uint32_t dma_length = 0;
  PhysAddr phys() const { return page_link + offset; }
};
using SgTable = std::vector<Scatterlist>;  // struct sg_table: nents = size()

}  // namespace dmasim::sw
