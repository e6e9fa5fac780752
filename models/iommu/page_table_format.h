#pragma once
// The Exynos SYSMMU page-table format (REFERENCE.md section 4; docs/iommu.md): a two-level
// 32-bit table. Level 1 has 4096 four-byte entries (16 KiB), one per 1 MiB of IO virtual
// address space: a fault entry, a link to a level-2 table, a 1 MiB section, or a 16 MiB
// supersection (16 replicated entries; v2 format only). A level-2 table has 256 entries (1 KiB):
// a fault entry, a 64 KiB large page (16 replicated entries) or a 4 KiB small page.
//
// From v5 every physical address in an entry is stored shifted right by 4 bits (36-bit physical
// addresses in a 32-bit entry), and the access bits moved: v2 has "enable" and "read-only" bits
// (no write-only permission), v5+ a two-bit read/write field. SystemC-free.
#include <cstdint>
#include <string_view>

namespace dmasim::iommu {

enum class SysmmuVersion : std::uint8_t { V2, V5, V7 };
std::string_view to_string(SysmmuVersion v);

// Access permission of a mapping; bit 0 read, bit 1 write.
enum class Access : std::uint8_t { None = 0, Read = 1, Write = 2, ReadWrite = 3 };
constexpr bool allows(Access granted, bool write) {
  return (static_cast<unsigned>(granted) & (write ? 2u : 1u)) != 0;
}

inline constexpr std::uint64_t kSmallPage = 4096;
inline constexpr std::uint64_t kLargePage = 64 * 1024;
inline constexpr std::uint64_t kSection = 1024 * 1024;
inline constexpr std::uint64_t kSupersection = 16 * 1024 * 1024;
inline constexpr unsigned kLv1Entries = 4096;
inline constexpr unsigned kLv2Entries = 256;
inline constexpr std::uint64_t kLv1TableBytes = kLv1Entries * 4;  // 16 KiB, 16 KiB aligned
inline constexpr std::uint64_t kLv2TableBytes = kLv2Entries * 4;  // 1 KiB, 1 KiB aligned

constexpr unsigned lv1_index(std::uint64_t iova) { return static_cast<unsigned>((iova >> 20) & (kLv1Entries - 1)); }
constexpr unsigned lv2_index(std::uint64_t iova) { return static_cast<unsigned>((iova >> 12) & (kLv2Entries - 1)); }

// One decoded entry. `base` is the physical address of the page / section (or of the level-2
// table for a link); `size` the bytes it maps (0 for a fault or a link).
struct Descriptor {
  enum class Kind : std::uint8_t { Fault, Table, Section, Supersection, LargePage, SmallPage };
  Kind kind = Kind::Fault;
  std::uint64_t base = 0;
  std::uint64_t size = 0;
  Access access = Access::None;

  bool is_page() const { return size != 0; }  // maps memory (not a fault, not a link)
};
std::string_view to_string(Descriptor::Kind k);

class PteFormat {
 public:
  explicit PteFormat(SysmmuVersion v);

  SysmmuVersion version() const { return version_; }
  unsigned shift() const { return shift_; }  // 0 (v2) or 4 (v5+)
  // Largest physical address an entry can hold: 4 GiB (v2) or 64 GiB (v5+).
  std::uint64_t pa_limit() const { return std::uint64_t{1} << (32 + shift_); }
  bool has_supersections() const { return shift_ == 0; }

  // Encoders assert alignment and range (a programming error of the table writer).
  std::uint32_t section(std::uint64_t pa, Access a) const;
  std::uint32_t supersection(std::uint64_t pa, Access a) const;  // v2 only
  std::uint32_t table(std::uint64_t lv2_pa) const;
  std::uint32_t large_page(std::uint64_t pa, Access a) const;
  std::uint32_t small_page(std::uint64_t pa, Access a) const;
  static constexpr std::uint32_t fault() { return 0; }

  Descriptor decode_lv1(std::uint32_t entry) const;
  Descriptor decode_lv2(std::uint32_t entry) const;

 private:
  std::uint32_t lv1_access_bits(Access a) const;
  std::uint32_t lv2_access_bits(Access a) const;
  Access lv1_access(std::uint32_t e) const;
  Access lv2_access(std::uint32_t e) const;

  SysmmuVersion version_;
  unsigned shift_;
};

}  // namespace dmasim::iommu
