#pragma once
// The values held in physical memory, for the few models that act on data rather than only move
// it: a SYSMMU walker decoding page-table entries, a driver reading a descriptor ring. Timing and
// coherence are the timed models' and the oracle's business; this is the functional (backdoor)
// view of what the newest write put there, as a debugger would see it. A read of a stale copy
// is still a stale read: the oracle reports it (docs/oracle.md), while the value used is the
// newest one.
//
// Sparse: 4 KiB pages allocated on first write, zero elsewhere. Little-endian 32-bit accessors,
// as the page-table entries are. SystemC-free.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>

namespace dmasim {

class PhysicalMemory {
 public:
  static constexpr std::uint64_t kPage = 4096;

  std::uint32_t read32(std::uint64_t pa) const;  // pa 4-byte aligned
  void write32(std::uint64_t pa, std::uint32_t value);
  void read(std::uint64_t pa, std::span<std::uint8_t> out) const;
  void write(std::uint64_t pa, std::span<const std::uint8_t> in);
  std::size_t pages() const { return pages_.size(); }

 private:
  using Page = std::array<std::uint8_t, kPage>;
  const Page* find(std::uint64_t pa) const;
  Page& touch(std::uint64_t pa);

  std::unordered_map<std::uint64_t, std::unique_ptr<Page>> pages_;  // by page number; never iterated
};

}  // namespace dmasim
