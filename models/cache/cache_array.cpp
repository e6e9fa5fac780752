#include "models/cache/cache_array.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <utility>

namespace dmasim::cache {

namespace {

unsigned log2_exact(std::uint64_t v) { return static_cast<unsigned>(std::countr_zero(v)); }

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

MaintStat pa_stat(Maint op) {
  switch (op) {
    case Maint::Clean: return MaintStat::CleanPa;
    case Maint::Invalidate: return MaintStat::InvPa;
    case Maint::CleanInvalidate: return MaintStat::CleanInvPa;
  }
  return MaintStat::CleanPa;
}
MaintStat sw_stat(Maint op) {
  switch (op) {
    case Maint::Clean: return MaintStat::CleanSetWay;
    case Maint::Invalidate: return MaintStat::InvSetWay;
    case Maint::CleanInvalidate: return MaintStat::CleanInvSetWay;
  }
  return MaintStat::CleanSetWay;
}
MaintStat way_stat(Maint op) {
  switch (op) {
    case Maint::Clean: return MaintStat::CleanWay;
    case Maint::Invalidate: return MaintStat::InvWay;
    case Maint::CleanInvalidate: return MaintStat::CleanInvWay;
  }
  return MaintStat::CleanWay;
}

const CacheConfig& checked(const CacheConfig& c) {
  c.check();
  return c;
}

}  // namespace

CacheArray::CacheArray(const CacheConfig& config, stats::Group stats, std::uint64_t seed)
    : sets_(checked(config).sets()),
      ways_(config.ways),
      line_bits_(log2_exact(config.line_size.bytes)),
      way_bits_(static_cast<unsigned>(std::bit_width(config.ways - 1))),
      set_mask_(sets_ - 1),
      replacement_(config.replacement),
      rng_(seed),
      stats_(std::move(stats)) {
  const std::size_t lines = static_cast<std::size_t>(sets_) * ways_;
  blocks_.assign(lines, kNoBlock);
  states_.assign(lines, LineState::Invalid);
  versions_.assign(lines, 0);
  if (replacement_ == Replacement::Lru) stamps_.assign(lines, 0);
  if (replacement_ == Replacement::Plru) {
    plru_levels_ = log2_exact(ways_);
    plru_.assign(sets_, 0);
  }
}

LineInfo CacheArray::line_at(unsigned set, unsigned way) const {
  assert(set < sets_ && way < ways_);
  const std::size_t i = index(set, way);
  if (states_[i] == LineState::Invalid) return LineInfo{};
  return LineInfo{blocks_[i] << line_bits_, states_[i], versions_[i]};
}

LineInfo CacheArray::find(std::uint64_t addr) const {
  const Probe p = lookup(addr);
  return p.hit ? line_at(p.set, p.way) : LineInfo{};
}

void CacheArray::touch(unsigned set, unsigned way) {
  switch (replacement_) {
    case Replacement::Lru:
      stamps_[index(set, way)] = ++clock_;
      break;
    case Replacement::Plru: {
      // Each node on the way's path points away from it: bit 0 = victim on the left (lower ways).
      std::uint64_t bits = plru_[set];
      unsigned node = 1;
      for (unsigned level = plru_levels_; level-- > 0;) {
        const unsigned right = (way >> level) & 1u;
        if (right != 0) bits &= ~(std::uint64_t{1} << node);
        else bits |= std::uint64_t{1} << node;
        node = 2 * node + right;
      }
      plru_[set] = bits;
      break;
    }
    case Replacement::Random:
      break;
  }
}

unsigned CacheArray::lru_victim(unsigned set) const {
  const std::uint64_t* stamps = &stamps_[index(set, 0)];
  unsigned best = 0;
  for (unsigned w = 1; w < ways_; ++w)
    if (stamps[w] < stamps[best]) best = w;
  return best;
}

unsigned CacheArray::plru_victim(unsigned set) const {
  const std::uint64_t bits = plru_[set];
  unsigned node = 1;
  unsigned way = 0;
  for (unsigned level = 0; level < plru_levels_; ++level) {
    const unsigned dir = static_cast<unsigned>((bits >> node) & 1u);
    way = 2 * way + dir;
    node = 2 * node + dir;
  }
  return way;
}

std::uint64_t CacheArray::next_random() { return splitmix64(rng_); }

unsigned CacheArray::policy_victim(unsigned set) {
  switch (replacement_) {
    case Replacement::Lru:
      return lru_victim(set);
    case Replacement::Plru:
      return plru_victim(set);
    case Replacement::Random:
      return static_cast<unsigned>(next_random() % ways_);
  }
  return 0;
}

unsigned CacheArray::victim_way(std::uint64_t addr) const {
  const unsigned set = set_of(addr);
  for (unsigned w = 0; w < ways_; ++w)
    if (states_[index(set, w)] == LineState::Invalid) return w;
  switch (replacement_) {
    case Replacement::Lru: return lru_victim(set);
    case Replacement::Plru: return plru_victim(set);
    case Replacement::Random: {
      std::uint64_t copy = rng_;
      return static_cast<unsigned>(splitmix64(copy) % ways_);
    }
  }
  return 0;
}

AccessResult CacheArray::read(std::uint64_t addr) {
  const Probe p = lookup(addr);
  if (!p.hit) {
    stats_.read_misses.inc();
    return AccessResult::Miss;
  }
  stats_.read_hits.inc();
  touch(p.set, p.way);
  return AccessResult::Hit;
}

AccessResult CacheArray::write(std::uint64_t addr, std::uint64_t version) {
  const Probe p = lookup(addr);
  if (!p.hit) {
    stats_.write_misses.inc();
    return AccessResult::Miss;
  }
  touch(p.set, p.way);
  if (!is_unique(p.state)) {
    stats_.upgrades.inc();
    return AccessResult::Upgrade;
  }
  stats_.write_hits.inc();
  const std::size_t i = index(p.set, p.way);
  states_[i] = LineState::Modified;
  versions_[i] = version;
  return AccessResult::Hit;
}

LineOutcome CacheArray::fill(std::uint64_t addr, LineState state, std::uint64_t version) {
  assert(state != LineState::Invalid);
  const Probe p = lookup(addr);
  if (p.hit) {
    const std::size_t i = index(p.set, p.way);
    states_[i] = state;
    versions_[i] = version;
    touch(p.set, p.way);
    return LineOutcome{};
  }
  const unsigned set = p.set;
  unsigned way = ways_;
  for (unsigned w = 0; w < ways_; ++w) {
    if (states_[index(set, w)] == LineState::Invalid) {
      way = w;
      break;
    }
  }
  LineOutcome out;
  if (way == ways_) {
    way = policy_victim(set);
    const std::size_t v = index(set, way);
    out.line = LineInfo{blocks_[v] << line_bits_, states_[v], versions_[v]};
    out.writeback = is_dirty(states_[v]);
    stats_.evictions.inc();
    if (out.writeback) {
      stats_.dirty_evictions.inc();
      stats_.writebacks.inc();
    }
  }
  const std::size_t i = index(set, way);
  blocks_[i] = addr >> line_bits_;
  states_[i] = state;
  versions_[i] = version;
  touch(set, way);
  stats_.fills.inc();
  return out;
}

LineInfo CacheArray::set_state(std::uint64_t addr, LineState state) {
  const Probe p = lookup(addr);
  if (!p.hit) return LineInfo{};
  const std::size_t i = index(p.set, p.way);
  const LineInfo before{blocks_[i] << line_bits_, states_[i], versions_[i]};
  states_[i] = state;
  if (state == LineState::Invalid) blocks_[i] = kNoBlock;
  return before;
}

bool CacheArray::set_version(std::uint64_t addr, std::uint64_t version) {
  const Probe p = lookup(addr);
  if (!p.hit) return false;
  versions_[index(p.set, p.way)] = version;
  return true;
}

LineOutcome CacheArray::apply(Maint op, std::size_t i) {
  LineOutcome out;
  if (states_[i] == LineState::Invalid) return out;
  out.line = LineInfo{blocks_[i] << line_bits_, states_[i], versions_[i]};
  const bool dirty = is_dirty(states_[i]);
  switch (op) {
    case Maint::Clean:
      out.writeback = dirty;
      states_[i] = cleaned(states_[i]);
      break;
    case Maint::Invalidate:
      out.lost = dirty;
      states_[i] = LineState::Invalid;
      blocks_[i] = kNoBlock;
      break;
    case Maint::CleanInvalidate:
      out.writeback = dirty;
      states_[i] = LineState::Invalid;
      blocks_[i] = kNoBlock;
      break;
  }
  if (out.writeback) stats_.writebacks.inc();
  if (out.lost) stats_.lost_dirty.inc();
  return out;
}

LineOutcome CacheArray::maintain(Maint op, std::uint64_t addr) {
  stats_.maint(pa_stat(op)).inc();
  const Probe p = lookup(addr);
  if (!p.hit) return LineOutcome{};
  return apply(op, index(p.set, p.way));
}

LineOutcome CacheArray::maintain_set_way(Maint op, unsigned set, unsigned way) {
  assert(set < sets_ && way < ways_);
  stats_.maint(sw_stat(op)).inc();
  return apply(op, index(set, way));
}

std::size_t CacheArray::maintain_ways(Maint op, std::uint64_t way_mask, std::vector<LineOutcome>& out) {
  stats_.maint(way_stat(op)).inc();
  std::size_t covered = 0;
  for (unsigned w = 0; w < ways_; ++w) {
    if (((way_mask >> w) & 1u) == 0) continue;
    for (unsigned s = 0; s < sets_; ++s) {
      const LineOutcome o = apply(op, index(s, w));
      if (o.present()) ++covered;
      if (o.writeback || o.lost) out.push_back(o);
    }
  }
  return covered;
}

std::size_t CacheArray::maintain_range(Maint op, std::uint64_t base, std::uint64_t bytes,
                                       std::vector<LineOutcome>& out) {
  if (bytes == 0) return 0;
  std::size_t present = 0;
  const std::uint64_t step = std::uint64_t{1} << line_bits_;
  const std::uint64_t last = line_address(base + bytes - 1);
  for (std::uint64_t a = line_address(base);; a += step) {
    const LineOutcome o = maintain(op, a);
    if (o.present()) ++present;
    if (o.writeback || o.lost) out.push_back(o);
    if (a == last) break;
  }
  return present;
}

SetWay CacheArray::decode_set_way_operand(std::uint64_t operand) const {
  const auto v = static_cast<std::uint32_t>(operand);
  SetWay sw;
  sw.set = static_cast<unsigned>((v >> line_bits_) & set_mask_);
  sw.way = way_bits_ == 0 ? 0u : static_cast<unsigned>(v >> (32 - way_bits_));
  return sw;
}

std::uint64_t CacheArray::set_way_operand(unsigned set, unsigned way, unsigned level) const {
  std::uint64_t v = (std::uint64_t{set} << line_bits_) | (std::uint64_t{level} << 1);
  if (way_bits_ != 0) v |= std::uint64_t{way} << (32 - way_bits_);
  return v;
}

std::vector<LineInfo> CacheArray::dirty_lines(std::uint64_t base, std::uint64_t bytes) const {
  std::vector<LineInfo> out;
  if (bytes == 0) return out;
  const std::uint64_t first = line_address(base);
  const std::uint64_t last = line_address(base + bytes - 1);
  for (std::size_t i = 0; i < states_.size(); ++i) {
    if (!is_dirty(states_[i])) continue;
    const std::uint64_t a = blocks_[i] << line_bits_;
    if (a >= first && a <= last) out.push_back(LineInfo{a, states_[i], versions_[i]});
  }
  std::sort(out.begin(), out.end(), [](const LineInfo& x, const LineInfo& y) { return x.addr < y.addr; });
  return out;
}

std::vector<LineInfo> CacheArray::valid_lines() const {
  std::vector<LineInfo> out;
  for (std::size_t i = 0; i < states_.size(); ++i)
    if (states_[i] != LineState::Invalid) out.push_back(LineInfo{blocks_[i] << line_bits_, states_[i], versions_[i]});
  std::sort(out.begin(), out.end(), [](const LineInfo& x, const LineInfo& y) { return x.addr < y.addr; });
  return out;
}

std::size_t CacheArray::valid_count() const {
  return static_cast<std::size_t>(
      std::count_if(states_.begin(), states_.end(), [](LineState s) { return s != LineState::Invalid; }));
}

}  // namespace dmasim::cache
