#pragma once
// dma-debug (kernel/dma/debug.c): a record of every live mapping and allocation per device, and
// the checks the kernel makes on each DMA-API call, with its messages (REFERENCE.md section 3),
// plus two it lacks: a CPU accessing a buffer the device owns, and a device accessing a buffer it
// does not own (or that is not mapped for it). Each violation is counted by kind and reported in
// violations.txt; no check changes what the API does.
//
// The API front end (sw/dma_api/dma_mapping.cpp) calls the debug_dma_* hooks with the kernel's
// arguments; drivers call cpu_access / device_access around their CPU and device work.
#include <cstdint>
#include <string>
#include <vector>

#include "sw/dma_api/types.h"

namespace dmasim::sw {

struct Device;
class Kernel;

enum class DebugEntryType : std::uint8_t { Single, Page, Sg, Coherent };

struct DebugViolation {
  std::string device;
  std::string kind;     // a stable key for stats: "unmap_not_mapped", "sync_wrong_direction", ...
  std::string message;  // the kernel's message, with its details
  Picoseconds at = 0;   // simulated time
};

class DmaDebug {
 public:
  virtual ~DmaDebug() = default;

  // attrs: the mapping's DMA_ATTR_* (DMA_ATTR_SKIP_CPU_SYNC exempts it from the overlap report).
  virtual void debug_dma_map_page(Device& dev, PhysAddr phys, VirtAddr va, std::uint64_t size, DmaDirection dir,
                                  DmaAddr dma_addr, DebugEntryType type, DmaAttrs attrs) = 0;
  virtual void debug_dma_mapping_error(Device& dev, DmaAddr dma_addr) = 0;
  virtual void debug_dma_unmap_page(Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir,
                                    DebugEntryType type) = 0;
  virtual void debug_dma_map_sg(Device& dev, const SgTable& sg, int mapped_ents, DmaDirection dir,
                                DmaAttrs attrs) = 0;
  virtual void debug_dma_unmap_sg(Device& dev, const SgTable& sg, DmaDirection dir) = 0;
  virtual void debug_dma_alloc_coherent(Device& dev, std::uint64_t size, DmaAddr dma_addr, VirtAddr virt,
                                        PhysAddr phys) = 0;
  virtual void debug_dma_free_coherent(Device& dev, std::uint64_t size, VirtAddr virt, DmaAddr addr) = 0;
  virtual void debug_dma_sync_single_for_cpu(Device& dev, DmaAddr dma_handle, std::uint64_t size,
                                             DmaDirection dir) = 0;
  virtual void debug_dma_sync_single_for_device(Device& dev, DmaAddr dma_handle, std::uint64_t size,
                                                DmaDirection dir) = 0;
  virtual void debug_dma_sync_sg_for_cpu(Device& dev, const SgTable& sg, DmaDirection dir) = 0;
  virtual void debug_dma_sync_sg_for_device(Device& dev, const SgTable& sg, DmaDirection dir) = 0;
  // Driver unbound: every entry still held is a leak ("has pending DMA allocations while released").
  virtual void dma_debug_device_release(Device& dev) = 0;

  // Checks the kernel lacks. cpu_access: the CPU touches [phys, phys+size) (through any alias);
  // flagged when a streaming mapping of those bytes is owned by a device (mapped or synced for
  // device, not yet synced for cpu or unmapped). device_access: a device job on [addr, addr+size)
  // of its DMA address space; flagged when no mapping or allocation of that device covers it, or
  // the covering streaming mapping is currently owned by the CPU, or the direction forbids it.
  virtual void cpu_access(const std::string& who, PhysAddr phys, std::uint64_t size, bool write) = 0;
  virtual void device_access(Device& dev, DmaAddr addr, std::uint64_t size, bool write) = 0;

  virtual const std::vector<DebugViolation>& violations() const = 0;
  virtual std::uint64_t violation_count() const = 0;
};

}  // namespace dmasim::sw
