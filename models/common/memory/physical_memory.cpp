#include "models/common/memory/physical_memory.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace dmasim {

const PhysicalMemory::Page* PhysicalMemory::find(std::uint64_t pa) const {
  const auto it = pages_.find(pa / kPage);
  return it == pages_.end() ? nullptr : it->second.get();
}

PhysicalMemory::Page& PhysicalMemory::touch(std::uint64_t pa) {
  auto& p = pages_[pa / kPage];
  if (!p) p = std::make_unique<Page>(Page{});
  return *p;
}

std::uint32_t PhysicalMemory::read32(std::uint64_t pa) const {
  assert(pa % 4 == 0);
  std::array<std::uint8_t, 4> b{};
  read(pa, b);
  return std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
}

void PhysicalMemory::write32(std::uint64_t pa, std::uint32_t value) {
  assert(pa % 4 == 0);
  const std::array<std::uint8_t, 4> b{static_cast<std::uint8_t>(value), static_cast<std::uint8_t>(value >> 8),
                                      static_cast<std::uint8_t>(value >> 16), static_cast<std::uint8_t>(value >> 24)};
  write(pa, b);
}

void PhysicalMemory::read(std::uint64_t pa, std::span<std::uint8_t> out) const {
  while (!out.empty()) {
    const std::size_t off = pa % kPage;
    const std::size_t n = std::min<std::size_t>(out.size(), kPage - off);
    if (const Page* p = find(pa)) std::memcpy(out.data(), p->data() + off, n);
    else std::memset(out.data(), 0, n);
    out = out.subspan(n);
    pa += n;
  }
}

void PhysicalMemory::write(std::uint64_t pa, std::span<const std::uint8_t> in) {
  while (!in.empty()) {
    const std::size_t off = pa % kPage;
    const std::size_t n = std::min<std::size_t>(in.size(), kPage - off);
    std::memcpy(touch(pa).data() + off, in.data(), n);
    in = in.subspan(n);
    pa += n;
  }
}

}  // namespace dmasim
