#include "sw/iommu/iova_bitmap.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "sw/kernel/types.h"

namespace dmasim::sw {

IovaBitmap::IovaBitmap(std::uint64_t base, std::uint64_t size)
    : base_(base), extensions_(static_cast<unsigned>(std::max<std::uint64_t>(1, size / PAGE_SIZE / kBitsPerBitmap))) {
  maps_.emplace_back(kBitsPerBitmap / kBitsPerWord, 0u);
}

std::uint64_t IovaBitmap::take_words() {
  const std::uint64_t w = words_;
  words_ = 0;
  return w;
}

// find_next_zero_bit / find_next_bit: a word at a time from `from`.
std::uint64_t IovaBitmap::next_zero(const Map& m, std::uint64_t from, std::uint64_t limit) {
  while (from < limit) {
    const std::uint32_t w = ~m[from / kBitsPerWord] >> (from % kBitsPerWord);
    ++words_;
    if (w != 0) return std::min(limit, from + static_cast<std::uint64_t>(std::countr_zero(w)));
    from = (from / kBitsPerWord + 1) * kBitsPerWord;
  }
  return limit;
}

std::uint64_t IovaBitmap::next_one(const Map& m, std::uint64_t from, std::uint64_t limit) {
  while (from < limit) {
    const std::uint32_t w = m[from / kBitsPerWord] >> (from % kBitsPerWord);
    ++words_;
    if (w != 0) return std::min(limit, from + static_cast<std::uint64_t>(std::countr_zero(w)));
    from = (from / kBitsPerWord + 1) * kBitsPerWord;
  }
  return limit;
}

// bitmap_find_next_zero_area: the first zero run of nr bits starting at a multiple of
// align_mask + 1.
std::optional<std::uint64_t> IovaBitmap::find_area(const Map& m, std::uint64_t nr, std::uint64_t align_mask) {
  std::uint64_t start = 0;
  for (;;) {
    std::uint64_t index = next_zero(m, start, kBitsPerBitmap);
    index = (index + align_mask) & ~align_mask;
    const std::uint64_t end = index + nr;
    if (end > kBitsPerBitmap) return std::nullopt;
    const std::uint64_t i = next_one(m, index, end);
    if (i >= end) return index;
    start = i + 1;
  }
}

void IovaBitmap::set(Map& m, std::uint64_t start, std::uint64_t nr, bool value) {
  for (std::uint64_t b = start; b < start + nr;) {
    const std::uint64_t word = b / kBitsPerWord;
    const unsigned lo = static_cast<unsigned>(b % kBitsPerWord);
    const unsigned n = static_cast<unsigned>(std::min<std::uint64_t>(kBitsPerWord - lo, start + nr - b));
    const std::uint32_t mask = (n == kBitsPerWord ? ~0u : ((1u << n) - 1)) << lo;
    if (value) m[word] |= mask;
    else m[word] &= ~mask;
    ++words_;
    b += n;
  }
}

std::optional<std::uint64_t> IovaBitmap::alloc(std::uint64_t size) {
  const std::uint64_t count = PAGE_ALIGN(size) / PAGE_SIZE;
  if (count == 0 || count > kBitsPerBitmap) return std::nullopt;
  const std::uint64_t align_mask = (1ull << std::min(get_order(size), kAlignmentOrder)) - 1;
  for (std::size_t i = 0;; ++i) {
    if (i == maps_.size()) {
      if (maps_.size() >= extensions_) return std::nullopt;  // extend_iommu_mapping: no room
      maps_.emplace_back(kBitsPerBitmap / kBitsPerWord, 0u);
    }
    if (const std::optional<std::uint64_t> start = find_area(maps_[i], count, align_mask)) {
      set(maps_[i], *start, count, true);
      in_use_ += count;
      return base_ + i * kBitsPerBitmap * PAGE_SIZE + *start * PAGE_SIZE;
    }
  }
}

void IovaBitmap::free(std::uint64_t iova, std::uint64_t size) {
  const std::uint64_t count = PAGE_ALIGN(size) / PAGE_SIZE;
  const std::uint64_t page = (iova - base_) / PAGE_SIZE;
  const std::size_t i = page / kBitsPerBitmap;
  if (iova < base_ || i >= maps_.size() || page % kBitsPerBitmap + count > kBitsPerBitmap)
    throw std::logic_error("__free_iova outside the mapping");
  set(maps_[i], page % kBitsPerBitmap, count, false);
  in_use_ -= std::min(in_use_, count);
}

}  // namespace dmasim::sw
