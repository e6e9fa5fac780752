#pragma once
// The kernel address space as the MMU sees it: virtual ranges mapped to physical ranges with a
// memory type (the attribute lookup of the CPU model; no page-table walk timing, no TLB). Free of
// SystemC; the core model (later) calls translate() for every access.
//
// Mappings are page-granular (4 KiB): va, pa and size are multiples of kPageSize. A section or
// large mapping is simply a longer range. Virtual ranges never overlap (map() refuses), but any
// number of virtual ranges may cover the same physical bytes: that is how Linux on ARM ends up
// with the cacheable linear-map alias of a DMA buffer next to a non-cacheable remap of it (the
// ARM aliasing problem, "mismatched memory attributes" in the ARM ARM). aliases() lists who maps
// a physical range; conflicting_aliases() lists every pair of aliases with different memory types
// over the same physical bytes, and format_report() turns that into text a scenario prints.
//
// translate() is a simulated outcome: an unmapped address gives a fault result, never an
// exception. Programming errors of the software model using this class (overlapping map(),
// unaligned ranges, unmapping what is not mapped) throw MappingError.
//
// Deterministic: ordered containers only; every report is sorted by address.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dmasim {
enum class MemType : std::uint8_t;  // models/common/tlm/mem_ext.h
}

namespace dmasim::cpu {

inline constexpr std::uint64_t kPageSize = 4096;

// The memory type of a page as the CPU sees it. MemType (the bus-side attribute every
// transaction carries) has one value for Device and Strongly-ordered; the core keeps them apart
// because the kernel does (pgprot_noncached() is Strongly-ordered on ARMv7, and coherent DMA
// memory is Strongly-ordered when the kernel profile sets dma_mem_bufferable: false):
//   NormalWriteBack     -> MemType::NormalWriteBack     (linear map, kmalloc, streaming buffers)
//   NormalNonCacheable  -> MemType::NormalNonCacheable  (coherent and write-combine DMA memory)
//   Device              -> MemType::Device              (MMIO: ioremap; writes may be posted)
//   StronglyOrdered     -> MemType::Device              (ARMv7 SO: each access completes at the
//                                                        target before the next one starts)
// Neither Device nor Strongly-ordered accesses are cached, merged, prefetched or forwarded.
enum class MemAttr : std::uint8_t { NormalWriteBack, NormalNonCacheable, Device, StronglyOrdered };

MemType to_mem_type(MemAttr attr);
std::string_view to_string(MemAttr attr);  // "normal-wb", "normal-nc", "device", "strongly-ordered"
inline bool is_normal(MemAttr a) { return a == MemAttr::NormalWriteBack || a == MemAttr::NormalNonCacheable; }
inline bool is_cacheable(MemAttr a) { return a == MemAttr::NormalWriteBack; }

class MappingError : public std::logic_error {
 public:
  explicit MappingError(const std::string& message) : std::logic_error(message) {}
};

struct Mapping {
  std::uint64_t va = 0;
  std::uint64_t pa = 0;
  std::uint64_t size = 0;  // bytes, a multiple of kPageSize
  MemAttr attr = MemAttr::NormalWriteBack;
  std::string name;  // "linear map", "dma coherent remap", "ioremap sysmmu" ...
  std::uint64_t va_end() const { return va + size; }
  std::uint64_t pa_end() const { return pa + size; }
};

enum class Fault : std::uint8_t { None, Translation };

// The outcome of one lookup: a physical address and type, or a translation fault.
struct Translation {
  Fault fault = Fault::Translation;
  std::uint64_t va = 0;
  std::uint64_t pa = 0;
  MemAttr attr = MemAttr::NormalWriteBack;
  // Bytes from va to the end of the mapping: an access of n bytes is inside it when n <= this.
  std::uint64_t bytes_to_end = 0;
  bool ok() const { return fault == Fault::None; }
};

// One virtual range covering (part of) a physical range asked about.
struct Alias {
  std::uint64_t va = 0;    // virtual address of pa below
  std::uint64_t pa = 0;    // first physical byte of the overlap
  std::uint64_t size = 0;  // bytes of the overlap
  MemAttr attr = MemAttr::NormalWriteBack;
  std::string name;
  friend bool operator==(const Alias&, const Alias&) = default;
};

// Two aliases of the same physical bytes with different memory types. `a` is the mapping with
// the lower virtual address; pa/size is the physical overlap.
struct AliasConflict {
  std::uint64_t pa = 0;
  std::uint64_t size = 0;
  Alias a;
  Alias b;
};

class AddressSpace {
 public:
  // Maps [va, va+size) to [pa, pa+size). Throws MappingError when the virtual range overlaps an
  // existing mapping, is not page-aligned, is empty or wraps around.
  void map(std::uint64_t va, std::uint64_t pa, std::uint64_t size, MemAttr attr, std::string name);
  // Removes the pages [va, va+size); a mapping partly inside is cut, keeping its other pages (and
  // its name). Every page of the range must be mapped (MappingError otherwise, nothing changed).
  void unmap(std::uint64_t va, std::uint64_t size);
  // Changes the memory type of the pages [va, va+size) (what the CMA path of dma_alloc_attrs
  // does to the linear map: rewrite PTEs to the DMA pgprot); mappings are split at the edges.
  // Every page must be mapped (MappingError otherwise, nothing changed).
  void set_attr(std::uint64_t va, std::uint64_t size, MemAttr attr);

  // The hot path: a one-entry last-hit cache in front of an ordered-map lookup.
  Translation translate(std::uint64_t va) const;

  // Every mapping covering any byte of [pa, pa+size), sorted by virtual address; a mapping
  // appears once with its overlap with the range.
  std::vector<Alias> aliases(std::uint64_t pa, std::uint64_t size) const;
  // Every pair of mappings that cover the same physical bytes with different memory types,
  // sorted by physical address, then by the virtual addresses of the pair. Same-type aliases are
  // legal (and common: several cacheable views of a page) and are not reported.
  std::vector<AliasConflict> conflicting_aliases() const;
  // "PA 0x...-0x... (N bytes): 'name' VA 0x... normal-wb vs 'name' VA 0x... normal-nc", one line
  // per conflict, or an empty string.
  static std::string format_report(const std::vector<AliasConflict>& conflicts);

  // Mappings in virtual address order.
  std::vector<Mapping> mappings() const;
  std::size_t size() const { return by_va_.size(); }
  std::uint64_t lookups() const { return lookups_; }
  std::uint64_t last_hit_misses() const { return last_hit_misses_; }

 private:
  static void check_range(std::uint64_t va, std::uint64_t size, const char* what);
  // Throws unless every page of [va, va+size) is mapped.
  void check_covered(std::uint64_t va, std::uint64_t size, const char* what) const;
  // Splits the mapping holding va (if any, and va is inside it) so that one starts at va.
  void split_at(std::uint64_t va);
  void forget_last_hit() const { last_va_ = last_end_ = 0; }

  std::map<std::uint64_t, Mapping> by_va_;  // key: va

  // Last-hit cache: [last_va_, last_end_) maps to pa = va + last_delta_.
  mutable std::uint64_t last_va_ = 0;  // empty when last_va_ == last_end_
  mutable std::uint64_t last_end_ = 0;
  mutable std::uint64_t last_delta_ = 0;
  mutable MemAttr last_attr_ = MemAttr::NormalWriteBack;
  mutable std::uint64_t lookups_ = 0;
  mutable std::uint64_t last_hit_misses_ = 0;
};

}  // namespace dmasim::cpu
