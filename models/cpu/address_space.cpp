#include "models/cpu/address_space.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "models/common/tlm/mem_ext.h"

namespace dmasim::cpu {

MemType to_mem_type(MemAttr attr) {
  switch (attr) {
    case MemAttr::NormalWriteBack: return MemType::NormalWriteBack;
    case MemAttr::NormalNonCacheable: return MemType::NormalNonCacheable;
    case MemAttr::Device:
    case MemAttr::StronglyOrdered: return MemType::Device;
  }
  return MemType::Device;
}

std::string_view to_string(MemAttr attr) {
  switch (attr) {
    case MemAttr::NormalWriteBack: return "normal-wb";
    case MemAttr::NormalNonCacheable: return "normal-nc";
    case MemAttr::Device: return "device";
    case MemAttr::StronglyOrdered: return "strongly-ordered";
  }
  return "?";
}

void AddressSpace::check_range(std::uint64_t va, std::uint64_t size, const char* what) {
  if (size == 0) throw MappingError(fmt::format("{}: empty range at VA {:#x}", what, va));
  if (va % kPageSize != 0 || size % kPageSize != 0)
    throw MappingError(fmt::format("{}: VA {:#x} size {:#x} is not 4 KiB page-aligned", what, va, size));
  if (va + size < va) throw MappingError(fmt::format("{}: VA {:#x} size {:#x} wraps around", what, va, size));
}

void AddressSpace::map(std::uint64_t va, std::uint64_t pa, std::uint64_t size, MemAttr attr, std::string name) {
  check_range(va, size, "map");
  if (pa % kPageSize != 0) throw MappingError(fmt::format("map '{}': PA {:#x} is not page-aligned", name, pa));
  if (pa + size < pa) throw MappingError(fmt::format("map '{}': PA {:#x} size {:#x} wraps around", name, pa, size));
  // The first mapping ending after va is the only candidate for an overlap besides those
  // starting inside [va, va+size).
  auto next = by_va_.lower_bound(va);
  if (next != by_va_.begin()) {
    const Mapping& prev = std::prev(next)->second;
    if (prev.va_end() > va)
      throw MappingError(fmt::format("map '{}' VA {:#x}-{:#x}: overlaps '{}' VA {:#x}-{:#x}", name, va, va + size,
                                     prev.name, prev.va, prev.va_end()));
  }
  if (next != by_va_.end() && next->second.va < va + size)
    throw MappingError(fmt::format("map '{}' VA {:#x}-{:#x}: overlaps '{}' VA {:#x}-{:#x}", name, va, va + size,
                                   next->second.name, next->second.va, next->second.va_end()));
  by_va_.emplace(va, Mapping{va, pa, size, attr, std::move(name)});
  forget_last_hit();
}

void AddressSpace::check_covered(std::uint64_t va, std::uint64_t size, const char* what) const {
  check_range(va, size, what);
  std::uint64_t at = va;
  const std::uint64_t end = va + size;
  auto it = by_va_.upper_bound(at);
  if (it != by_va_.begin()) --it;
  while (at < end) {
    if (it == by_va_.end() || it->second.va > at || it->second.va_end() <= at)
      throw MappingError(fmt::format("{}: VA {:#x} (in {:#x}-{:#x}) is not mapped", what, at, va, end));
    at = it->second.va_end();
    ++it;
  }
}

void AddressSpace::split_at(std::uint64_t va) {
  auto it = by_va_.upper_bound(va);
  if (it == by_va_.begin()) return;
  --it;
  Mapping& m = it->second;
  if (m.va == va || m.va_end() <= va) return;
  Mapping tail{va, m.pa + (va - m.va), m.va_end() - va, m.attr, m.name};
  m.size = va - m.va;
  by_va_.emplace_hint(std::next(it), va, std::move(tail));
}

void AddressSpace::unmap(std::uint64_t va, std::uint64_t size) {
  check_covered(va, size, "unmap");
  split_at(va);
  split_at(va + size);
  by_va_.erase(by_va_.lower_bound(va), by_va_.lower_bound(va + size));
  forget_last_hit();
}

void AddressSpace::set_attr(std::uint64_t va, std::uint64_t size, MemAttr attr) {
  check_covered(va, size, "set_attr");
  split_at(va);
  split_at(va + size);
  for (auto it = by_va_.lower_bound(va); it != by_va_.end() && it->first < va + size; ++it) it->second.attr = attr;
  forget_last_hit();
}

Translation AddressSpace::translate(std::uint64_t va) const {
  ++lookups_;
  if (va - last_va_ < last_end_ - last_va_)  // va in [last_va_, last_end_)
    return Translation{Fault::None, va, va + last_delta_, last_attr_, last_end_ - va};
  ++last_hit_misses_;
  auto it = by_va_.upper_bound(va);
  if (it == by_va_.begin()) return Translation{Fault::Translation, va, 0, MemAttr::NormalWriteBack, 0};
  const Mapping& m = std::prev(it)->second;
  if (va >= m.va_end()) return Translation{Fault::Translation, va, 0, MemAttr::NormalWriteBack, 0};
  last_va_ = m.va;
  last_end_ = m.va_end();
  last_delta_ = m.pa - m.va;
  last_attr_ = m.attr;
  return Translation{Fault::None, va, va + last_delta_, m.attr, m.va_end() - va};
}

std::vector<Alias> AddressSpace::aliases(std::uint64_t pa, std::uint64_t size) const {
  std::vector<Alias> out;
  const std::uint64_t end = pa + size;
  for (const auto& [va, m] : by_va_) {
    const std::uint64_t lo = std::max(pa, m.pa);
    const std::uint64_t hi = std::min(end, m.pa_end());
    if (lo < hi) out.push_back(Alias{m.va + (lo - m.pa), lo, hi - lo, m.attr, m.name});
  }
  return out;
}

std::vector<AliasConflict> AddressSpace::conflicting_aliases() const {
  // Sweep over the mappings sorted by physical start; `active` holds those whose physical range
  // may still overlap the next ones.
  std::vector<const Mapping*> sorted;
  sorted.reserve(by_va_.size());
  for (const auto& entry : by_va_) sorted.push_back(&entry.second);
  std::sort(sorted.begin(), sorted.end(),
            [](const Mapping* x, const Mapping* y) { return std::tie(x->pa, x->va) < std::tie(y->pa, y->va); });
  std::vector<AliasConflict> out;
  std::vector<const Mapping*> active;
  for (const Mapping* m : sorted) {
    std::erase_if(active, [m](const Mapping* a) { return a->pa_end() <= m->pa; });
    for (const Mapping* a : active) {
      if (a->attr == m->attr) continue;
      const std::uint64_t lo = m->pa;  // a starts at or before m
      const std::uint64_t hi = std::min(a->pa_end(), m->pa_end());
      const Mapping* first = a->va < m->va ? a : m;
      const Mapping* second = a->va < m->va ? m : a;
      out.push_back(AliasConflict{lo, hi - lo,
                                  Alias{first->va + (lo - first->pa), lo, hi - lo, first->attr, first->name},
                                  Alias{second->va + (lo - second->pa), lo, hi - lo, second->attr, second->name}});
    }
    active.push_back(m);
  }
  std::sort(out.begin(), out.end(), [](const AliasConflict& x, const AliasConflict& y) {
    return std::tie(x.pa, x.a.va, x.b.va, x.size) < std::tie(y.pa, y.a.va, y.b.va, y.size);
  });
  return out;
}

std::string AddressSpace::format_report(const std::vector<AliasConflict>& conflicts) {
  std::string out;
  for (const AliasConflict& c : conflicts)
    out += fmt::format("PA {:#x}-{:#x} ({} bytes): '{}' VA {:#x} {} vs '{}' VA {:#x} {}\n", c.pa, c.pa + c.size,
                       c.size, c.a.name, c.a.va, to_string(c.a.attr), c.b.name, c.b.va, to_string(c.b.attr));
  return out;
}

std::vector<Mapping> AddressSpace::mappings() const {
  std::vector<Mapping> out;
  out.reserve(by_va_.size());
  for (const auto& entry : by_va_) out.push_back(entry.second);
  return out;
}

}  // namespace dmasim::cpu
