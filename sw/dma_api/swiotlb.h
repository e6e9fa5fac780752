#pragma once
// The swiotlb bounce pool (kernel/dma/swiotlb.c): 2 KiB slots (IO_TLB_SHIFT 11) in a contiguous
// low-memory pool, a mapping taking at most IO_TLB_SEGSIZE (128) consecutive slots. A map always
// copies the original buffer into its slots (even for DMA_FROM_DEVICE, so that a device writing
// less than the whole buffer leaves the original bytes); an unmap or sync_for_cpu copies back
// for FROM_DEVICE and BIDIRECTIONAL. The copies are CPU copies through the cacheable linear map;
// the bounce slots get the streaming cache maintenance of the direction.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/common/stats/registry.h"
#include "models/cpu/core.h"
#include "sw/dma_api/types.h"

namespace dmasim::sw {

class Kernel;
struct Device;

class Swiotlb {
 public:
  static constexpr unsigned IO_TLB_SHIFT = 11;
  static constexpr std::uint64_t IO_TLB_SIZE = 1u << IO_TLB_SHIFT;
  static constexpr unsigned IO_TLB_SEGSIZE = 128;
  static constexpr std::uint64_t kSlotScanCycles = 4;  // per slot looked at by the search

  Swiotlb(Kernel& kernel, PhysAddr base, std::uint64_t size);

  // The bounce address, or DMA_MAPPING_ERROR when no run of slots is free ("swiotlb buffer is full").
  PhysAddr swiotlb_tbl_map_single(cpu::Core& cpu, Device& dev, PhysAddr orig, std::uint64_t size, DmaDirection dir,
                                  DmaAttrs attrs);
  void swiotlb_tbl_unmap_single(cpu::Core& cpu, Device& dev, PhysAddr tlb, std::uint64_t size, DmaDirection dir,
                                DmaAttrs attrs);
  void swiotlb_sync_single_for_cpu(cpu::Core& cpu, Device& dev, PhysAddr tlb, std::uint64_t size, DmaDirection dir);
  void swiotlb_sync_single_for_device(cpu::Core& cpu, Device& dev, PhysAddr tlb, std::uint64_t size, DmaDirection dir);
  bool is_swiotlb_buffer(PhysAddr pa) const { return pa >= base_ && pa < base_ + nslabs_ * IO_TLB_SIZE; }
  const std::vector<std::string>& messages() const { return messages_; }
  std::uint64_t used_slots() const { return used_; }

 private:
  enum class Copy { ToBounce, FromBounce };
  void bounce(cpu::Core& cpu, PhysAddr tlb, std::uint64_t size, Copy dir);
  std::uint64_t slot(PhysAddr tlb) const { return (tlb - base_) >> IO_TLB_SHIFT; }

  Kernel& kernel_;
  PhysAddr base_;
  std::uint64_t nslabs_;
  std::vector<PhysAddr> orig_;         // per slot: the original address it bounces (0: free)
  std::vector<std::uint32_t> nslots_;  // per first slot of a mapping: its slot count
  std::uint64_t index_ = 0;            // where the next search starts (the kernel's rotating index)
  std::uint64_t used_ = 0;
  std::vector<std::string> messages_;
  stats::Counter* maps_;
  stats::Counter* full_;
  stats::Counter* bytes_bounced_;
};

}  // namespace dmasim::sw
