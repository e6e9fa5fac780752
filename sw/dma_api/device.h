#pragma once
// struct device as the DMA-mapping code sees it (include/linux/device.h): the masks, whether the
// device is IO-coherent, the dma_map_ops it uses, its SYSMMU domain, its CMA area and declared
// coherent memory, and the hardware a driver programs (sw::DeviceHandle).
#include <cstdint>
#include <optional>
#include <string>

#include "sw/dma_api/types.h"
#include "models/cpu/core.h"
#include "sw/kernel/machine.h"
#include "sw/kernel/types.h"

namespace dmasim::sw {

class Kernel;
class DmaMapOps;
class Cma;
class IommuDomain;
class DmaCoherentMem;

inline constexpr std::uint64_t DMA_BIT_MASK(unsigned n) { return n >= 64 ? ~0ull : (1ull << n) - 1; }

struct Device {
  Device(Kernel& k, std::string n) : kernel(&k), name(std::move(n)) {}

  Kernel* kernel;
  std::string name;
  DeviceHandle hw;  // registers, interrupt, SYSMMUs, port kind (empty for a device without hardware)

  std::uint64_t dma_mask = DMA_BIT_MASK(32);
  std::uint64_t coherent_dma_mask = DMA_BIT_MASK(32);
  std::uint64_t bus_dma_limit = 0;  // 0: none
  bool dma_coherent = false;        // IO-coherent: its port snoops the CPU caches; no maintenance
  DmaMapOps* dma_ops = nullptr;     // null: dma-direct (non-coherent or coherent per dma_coherent)
  IommuDomain* iommu_domain = nullptr;
  Cma* cma_area = nullptr;          // null: the default area (kernel.cma_areas[0], if any)
  DmaCoherentMem* dma_mem = nullptr;  // dma_declare_coherent_memory
  bool force_bounce = false;          // swiotlb=force: every streaming mapping bounces
  std::uint64_t max_segment_size = 64 * 1024;  // dma_get_max_seg_size (64 KiB without dma_parms)
};

// dma_set_mask & co. (kernel/dma/mapping.c): 0 or -kEIO when the mask is not supported: on
// dma-direct, a mask under 32 bits that does not cover the last page of DRAM (see device.cpp).
int dma_set_mask(Device& dev, std::uint64_t mask);
int dma_set_coherent_mask(Device& dev, std::uint64_t mask);
int dma_set_mask_and_coherent(Device& dev, std::uint64_t mask);

// kernel/dma/contiguous.c. dev_get_cma_area: the device's CMA area, else the default one (null
// without CMA). dma_alloc_from_contiguous: count pages from it, aligned to
// 2^min(order, CONFIG_CMA_ALIGNMENT) pages; nullopt on failure or without CMA.
inline constexpr unsigned CONFIG_CMA_ALIGNMENT = 8;
Cma* dev_get_cma_area(const Device& dev);
std::optional<Pfn> dma_alloc_from_contiguous(cpu::Core& cpu, const Device& dev, std::uint64_t count, unsigned order,
                                             bool no_warn);
// The CMA area holding pa (null when none does): where contiguous pages go back.
Cma* cma_area_of(const Kernel& kernel, PhysAddr pa);

}  // namespace dmasim::sw
