#pragma once
// What the kernel software model sees of the SoC it runs on: the cores it executes on, the MMU's
// view of memory (the kernel address space), physical memory's values (page tables the SYSMMU
// walkers decode), where DRAM and the kernel's virtual areas are, the outer cache's register
// block, and the DMA masters (register blocks, interrupt lines, SYSMMUs, port kind).
//
// sw/ talks to hardware only through this: platform/ implements it for an assembled SoC
// (platform/soc_machine.h), and every cost of the software model comes from the cores' software
// interface (loads, stores, copies, maintenance, barriers, MMIO) on the timed models.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/common/interrupt_line.h"
#include "models/common/memory/physical_memory.h"
#include "models/cpu/address_space.h"
#include "models/cpu/core.h"
#include "models/iommu/page_table_format.h"
#include "models/iommu/sysmmu_registers.h"

namespace dmasim::sw {

// Physical memory and the kernel's virtual areas (the platform's `kernel:` section).
struct MemoryLayout {
  std::uint64_t dram_base = 0;
  std::uint64_t dram_size = 0;
  std::uint64_t linear_va = 0;  // PAGE_OFFSET: the linear-map address of dram_base
  std::uint64_t lowmem = 0;     // DRAM bytes in the linear map, from dram_base
  std::uint64_t vmalloc_va = 0;
  std::uint64_t vmalloc_size = 0;
};

// One SYSMMU in front of a device port.
struct SysmmuHandle {
  std::uint64_t regs_va = 0;  // ioremap address of its register block
  iommu::SysmmuVersion version = iommu::SysmmuVersion::V2;
  iommu::SysmmuRegisters::Layout layout{};
  InterruptLine* irq = nullptr;
};

// A DMA master as a driver finds it (its platform device).
struct DeviceHandle {
  std::string name;
  std::uint64_t regs_va = 0;          // ioremap address of the engine's register block
  InterruptLine* irq = nullptr;       // completion interrupt
  std::vector<SysmmuHandle> sysmmus;  // empty: no SYSMMU; two for a device with a write port
  bool ace_lite = false;              // on an IO-coherent (ACE-Lite) port: can be dma_coherent
};

class Machine {
 public:
  virtual ~Machine() = default;

  virtual unsigned core_count() const = 0;
  virtual cpu::Core& core(unsigned i) = 0;
  virtual cpu::AddressSpace& address_space() = 0;
  virtual PhysicalMemory& memory() = 0;
  virtual MemoryLayout layout() const = 0;
  // The ioremap address of the PL310-style outer cache in front of core i, if it has one.
  virtual std::optional<std::uint64_t> outer_cache_regs(unsigned core) const = 0;
  virtual unsigned outer_cache_line(unsigned core) const = 0;  // 0 without an outer cache
  virtual unsigned dcache_line(unsigned core) const = 0;       // L1D line size (CTR_EL0.DminLine)
  // Runs `program` as a software thread on core i when the simulation starts.
  virtual void start(unsigned core, cpu::Core::Program program, std::string name) = 0;
  // The platform's DMA masters, in platform order.
  virtual const std::vector<DeviceHandle>& devices() const = 0;
  const DeviceHandle* device(const std::string& name) const {
    for (const DeviceHandle& d : devices())
      if (d.name == name) return &d;
    return nullptr;
  }
};

}  // namespace dmasim::sw
