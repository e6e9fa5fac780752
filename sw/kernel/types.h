#pragma once
// The kernel's basic vocabulary the software model shares: addresses, gfp flags, error numbers.
#include <bit>
#include <cstdint>

#include "models/common/sim_time.h"

namespace dmasim::sw {

using PhysAddr = std::uint64_t;  // phys_addr_t
using VirtAddr = std::uint64_t;  // a kernel virtual address (the CPU's view)
using Pfn = std::uint64_t;       // page frame number: PhysAddr >> 12

inline constexpr std::uint64_t PAGE_SHIFT = 12;
inline constexpr std::uint64_t PAGE_SIZE = 1ull << PAGE_SHIFT;
inline constexpr std::uint64_t PAGE_MASK = ~(PAGE_SIZE - 1);
inline constexpr std::uint64_t PAGE_ALIGN(std::uint64_t x) { return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }
// The buddy allocator's orders are 0 .. MAX_ORDER - 1 (4 MiB blocks with 4 KiB pages).
inline constexpr unsigned MAX_ORDER = 11;
// get_order: the smallest order whose block holds `size` bytes.
inline constexpr unsigned get_order(std::uint64_t size) {
  const std::uint64_t pages = PAGE_ALIGN(size) / PAGE_SIZE;
  return pages <= 1 ? 0 : static_cast<unsigned>(std::bit_width(pages - 1));
}
inline constexpr Pfn PHYS_PFN(PhysAddr pa) { return pa >> PAGE_SHIFT; }
inline constexpr PhysAddr PFN_PHYS(Pfn pfn) { return pfn << PAGE_SHIFT; }

// gfp_t, the bits that change what the allocators do.
using Gfp = std::uint32_t;
inline constexpr Gfp GFP_KERNEL = 1u << 0;  // may sleep: CMA, remap, page migration allowed
inline constexpr Gfp GFP_ATOMIC = 1u << 1;  // may not sleep: the atomic pool
inline constexpr Gfp __GFP_ZERO = 1u << 2;
inline constexpr Gfp __GFP_NOWARN = 1u << 3;
inline constexpr Gfp GFP_DMA = 1u << 4;
inline constexpr Gfp __GFP_MOVABLE = 1u << 5;
inline bool gfpflags_allow_blocking(Gfp gfp) { return (gfp & GFP_ATOMIC) == 0; }

// Error numbers, returned negated as the kernel does.
// (<cerrno> defines the plain names as macros, hence the k prefix.)
inline constexpr int kEIO = 5, kENXIO = 6, kENOMEM = 12, kEBUSY = 16, kEEXIST = 17, kEINVAL = 22, kENOSPC = 28;

}  // namespace dmasim::sw
