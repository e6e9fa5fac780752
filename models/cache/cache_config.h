#pragma once
// The configuration of one cache (an L1D, a cluster L2, a PL310-style outer cache), read from
// YAML through the schema layer.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "models/common/config/problem.h"
#include "models/common/config/schema.h"

namespace dmasim::cache {

enum class Replacement { Lru, Plru, Random };
// How this cache's contents relate to the caches above it (closer to the core). A property the
// hierarchy acts on (back-invalidation on an inclusive eviction, victim fills for exclusive);
// the array itself behaves the same for all three.
enum class Inclusion { Inclusive, Exclusive, NonInclusive };
enum class WritePolicy { WriteBackAllocate };
// The coherence protocol of the cache's lines: MOESI, or MESI (no Owned state: a snooped dirty
// line is handed back dirty and becomes Shared).
enum class Protocol { Mesi, Moesi };
enum class PrefetchKind { None, NextLine, Stride };

// The hardware prefetcher (the SystemC wrapper's): next-line or per-page stride detection, within
// a 4 KiB page, on cacheable demand misses and on the first demand hit of a prefetched line.
struct PrefetchConfig {
  PrefetchKind kind = PrefetchKind::None;
  unsigned degree = 2;   // lines fetched ahead per trigger
  unsigned streams = 8;  // stride: pages tracked at once

  static void describe(cfg::Fields<PrefetchConfig>& f);
};

struct CacheConfig {
  ByteSize size{32 * 1024};
  unsigned ways = 4;
  ByteSize line_size{64};
  unsigned hit_latency = 4;  // cycles of this cache's clock domain
  unsigned mshrs = 4;
  unsigned mshr_targets = 4;  // requests one MSHR can hold (merged misses to the line)
  unsigned write_buffer = 4;  // write/eviction buffer entries (lines)
  Replacement replacement = Replacement::Lru;
  Inclusion inclusion = Inclusion::NonInclusive;
  WritePolicy write_policy = WritePolicy::WriteBackAllocate;
  Protocol protocol = Protocol::Moesi;
  unsigned snoop_latency = 6;  // cycles to answer a snoop (plus the caches above when forwarded up)
  unsigned level = 1;          // 1 = L1; set/way operands name level - 1 in bits [3:1]
  bool outer = false;          // PL310-style outer cache: register block, not on the CP15 maintenance path
  PrefetchConfig prefetch;

  static void describe(cfg::Fields<CacheConfig>& f);
  void validate(cfg::Validator& v) const;

  // The first inconsistency, if any: the key it concerns and a message. validate() reports it
  // at the key's YAML position; check() throws it as a UserError for configs built in C++.
  using Problem = cfg::Problem;
  std::optional<Problem> problem() const;
  void check() const;

  unsigned lines() const { return static_cast<unsigned>(size.bytes / line_size.bytes); }
  unsigned sets() const { return lines() / ways; }
};

}  // namespace dmasim::cache

namespace dmasim::cfg {

template <>
struct EnumNames<cache::Replacement> {
  static constexpr std::array<std::pair<cache::Replacement, std::string_view>, 3> names{{
      {cache::Replacement::Lru, "lru"},
      {cache::Replacement::Plru, "plru"},
      {cache::Replacement::Random, "random"},
  }};
};

template <>
struct EnumNames<cache::Inclusion> {
  static constexpr std::array<std::pair<cache::Inclusion, std::string_view>, 3> names{{
      {cache::Inclusion::Inclusive, "inclusive"},
      {cache::Inclusion::Exclusive, "exclusive"},
      {cache::Inclusion::NonInclusive, "non-inclusive"},
  }};
};

template <>
struct EnumNames<cache::WritePolicy> {
  static constexpr std::array<std::pair<cache::WritePolicy, std::string_view>, 1> names{{
      {cache::WritePolicy::WriteBackAllocate, "write-back"},
  }};
};

template <>
struct EnumNames<cache::Protocol> {
  static constexpr std::array<std::pair<cache::Protocol, std::string_view>, 2> names{{
      {cache::Protocol::Mesi, "mesi"},
      {cache::Protocol::Moesi, "moesi"},
  }};
};

template <>
struct EnumNames<cache::PrefetchKind> {
  static constexpr std::array<std::pair<cache::PrefetchKind, std::string_view>, 3> names{{
      {cache::PrefetchKind::None, "none"},
      {cache::PrefetchKind::NextLine, "next-line"},
      {cache::PrefetchKind::Stride, "stride"},
  }};
};

}  // namespace dmasim::cfg
