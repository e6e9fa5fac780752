#pragma once
// The IO address allocator of 32-bit ARM's IOMMU DMA ops (struct dma_iommu_mapping in
// arch/arm/mm/dma-mapping.c): one bit per 4 KiB page in bitmaps of one page each (32768 bits,
// 128 MiB of IOVA), the first bitmap allocated with the mapping and the others added when the
// ones before are full (extensions); first fit, aligned to 1 << min(order, 8) pages
// (CONFIG_ARM_DMA_IOMMU_ALIGNMENT). The search is bitmap_find_next_zero_area's: words scanned
// are counted so the caller can charge them as CPU work. SystemC-free.
#include <cstdint>
#include <optional>
#include <vector>

namespace dmasim::sw {

class IovaBitmap {
 public:
  static constexpr unsigned kBitsPerWord = 32;              // unsigned long on 32-bit ARM
  static constexpr std::uint64_t kBitsPerBitmap = 32768;    // one page of bitmap
  static constexpr unsigned kAlignmentOrder = 8;            // CONFIG_ARM_DMA_IOMMU_ALIGNMENT

  // base: first IOVA; size: bytes of IO space (a multiple of 128 MiB).
  IovaBitmap(std::uint64_t base, std::uint64_t size);

  // __alloc_iova: nullopt when the space is exhausted.
  std::optional<std::uint64_t> alloc(std::uint64_t size);
  // __free_iova of an earlier allocation of `size` bytes at `iova`.
  void free(std::uint64_t iova, std::uint64_t size);

  unsigned bitmaps() const { return static_cast<unsigned>(maps_.size()); }
  unsigned extensions() const { return extensions_; }
  // Words the searches and bit updates touched since the last call (and resets the count).
  std::uint64_t take_words();
  std::uint64_t pages_in_use() const { return in_use_; }

 private:
  using Map = std::vector<std::uint32_t>;
  std::optional<std::uint64_t> find_area(const Map& m, std::uint64_t nr, std::uint64_t align_mask);
  std::uint64_t next_zero(const Map& m, std::uint64_t from, std::uint64_t limit);
  std::uint64_t next_one(const Map& m, std::uint64_t from, std::uint64_t limit);
  void set(Map& m, std::uint64_t start, std::uint64_t nr, bool value);

  std::uint64_t base_;
  unsigned extensions_;  // bitmaps the space allows
  std::vector<Map> maps_;
  std::uint64_t words_ = 0;
  std::uint64_t in_use_ = 0;
};

}  // namespace dmasim::sw
