#pragma once
// The snoop filter of a crossbar (CCI-500-like): per coherence granule, a bit mask of the ACE
// ports whose caches may hold the line. Bits are set when a fill goes to a port and cleared when
// the port is known not to hold the line any more (an invalidating snoop, a snoop that found no
// copy kept, the port's own WriteBack). Clean evictions are silent, so a set bit may be stale:
// the filter is conservative (it may snoop a port that misses, never skips one that holds it).
//
// SystemC-free. Lookups only (the map is never iterated), so it is deterministic.
#include <cstdint>
#include <unordered_map>

namespace dmasim::interconnect {

class SnoopFilter {
 public:
  // granule: the coherence granule in bytes (a power of two).
  explicit SnoopFilter(std::uint32_t granule = 64) : granule_(granule) {}

  // Ports that may hold any granule of [address, address + bytes).
  std::uint64_t mask(std::uint64_t address, std::uint64_t bytes) const {
    std::uint64_t m = 0;
    for_lines(address, bytes, [&](std::uint64_t line) {
      const auto it = lines_.find(line);
      if (it != lines_.end()) m |= it->second;
    });
    return m;
  }
  void set(std::uint64_t address, std::uint64_t bytes, unsigned port) {
    for_lines(address, bytes, [&](std::uint64_t line) { lines_[line] |= std::uint64_t{1} << port; });
  }
  // Clears the ports in `ports` (a mask) for the lines covered; drops empty entries.
  void clear(std::uint64_t address, std::uint64_t bytes, std::uint64_t ports) {
    for_lines(address, bytes, [&](std::uint64_t line) {
      const auto it = lines_.find(line);
      if (it == lines_.end()) return;
      it->second &= ~ports;
      if (it->second == 0) lines_.erase(it);
    });
  }
  std::size_t lines_tracked() const { return lines_.size(); }
  std::uint32_t granule() const { return granule_; }

 private:
  template <class F>
  void for_lines(std::uint64_t address, std::uint64_t bytes, F&& f) const {
    const std::uint64_t first = address & ~std::uint64_t{granule_ - 1};
    const std::uint64_t end = address + (bytes == 0 ? 1 : bytes);
    for (std::uint64_t l = first; l < end; l += granule_) f(l);
  }

  std::uint32_t granule_;
  std::unordered_map<std::uint64_t, std::uint64_t> lines_;  // never iterated
};

}  // namespace dmasim::interconnect
