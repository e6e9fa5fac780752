#pragma once
// One DMA buffer as a driver holds it under a mapping strategy: allocated (dma_alloc_attrs for
// coherent / writecombine, kernel pages otherwise), handed to the device and taken back with the
// calls that strategy makes, freed. The driver code reads like a kernel driver's:
//
//   DmaBuffer buf(cpu, dev, Strategy::Streaming, frame_bytes, DmaDirection::FromDevice);
//   buf.for_device(cpu);   // dma_map_single_attrs (first time) or dma_sync_single_for_device
//   ... device writes buf.dma() ...
//   buf.for_cpu(cpu);      // dma_sync_single_for_cpu
//   cpu.read_range(buf.cpu_va(), frame_bytes);
//
// A failed allocation or mapping is a simulated outcome: ok() is false, the driver reports it.
#include <cstdint>
#include <string>

#include "models/cpu/core.h"
#include "sw/dma_api/device.h"
#include "sw/dma_api/dma_map_ops.h"
#include "sw/dma_api/types.h"
#include "sw/drivers/strategy.h"

namespace dmasim::sw {

class DmaBuffer {
 public:
  // `skip_cpu_sync`: the mapping is made with DMA_ATTR_SKIP_CPU_SYNC (a buffer shared with
  // another device that already did the maintenance). `offset`: the buffer starts that many
  // bytes into its first page (an unaligned kmalloc buffer; streaming strategies only).
  DmaBuffer(cpu::Core& cpu, Device& dev, Strategy strategy, std::uint64_t size, DmaDirection dir,
            bool skip_cpu_sync = false, std::uint64_t offset = 0);
  ~DmaBuffer();
  DmaBuffer(const DmaBuffer&) = delete;
  DmaBuffer& operator=(const DmaBuffer&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  VirtAddr cpu_va() const { return cpu_va_; }
  PhysAddr phys() const { return phys_; }  // streaming: the kernel pages; dma-alloc: 0 when not lowmem
  DmaAddr dma() const { return dma_; }     // valid while the device owns it (streaming) or always (dma-alloc)
  std::uint64_t size() const { return size_; }
  Strategy strategy() const { return strategy_; }
  bool device_owns() const { return device_owns_; }

  // Gives the buffer to the device: map it (first time, or after an unmap) or sync it for the
  // device; for dma-alloc buffers a write barrier (wmb) so the CPU's writes have left the
  // write buffer.
  void for_device(cpu::Core& cpu);
  // Takes it back for the CPU: dma_sync_single_for_cpu (keep_mapped) or dma_unmap_single_attrs.
  void for_cpu(cpu::Core& cpu, bool keep_mapped = true);
  // Unmaps (if mapped) and frees.
  void release(cpu::Core& cpu);

 private:
  Device& dev_;
  Strategy strategy_;
  std::uint64_t size_;
  DmaDirection dir_;
  DmaAttrs map_attrs_;
  bool ok_ = false;
  std::string error_;
  VirtAddr cpu_va_ = 0;
  PhysAddr phys_ = 0;
  DmaAddr dma_ = DMA_MAPPING_ERROR;
  DmaAllocation alloc_;
  std::uint64_t offset_ = 0;
  unsigned order_ = 0;   // streaming: pages from alloc_pages of this order
  bool mapped_ = false;  // streaming: a live mapping
  bool device_owns_ = false;
  bool released_ = false;
};

}  // namespace dmasim::sw
