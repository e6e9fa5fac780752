// Replacement against independent expectations: LRU miss counts, victims and write-backs equal a
// brute-force list-per-set LRU simulator written here (no shared code with the engine); tree
// PLRU against a hand-traced sequence; random replacement deterministic for a seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <list>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "models/cache/cache_array.h"
#include "models/common/stats/registry.h"

namespace dmasim::cache {
namespace {

struct Access {
  std::uint64_t addr;
  bool write;
};

// The reference: one std::list per set, most recently used first, dirty bit per line. Set index
// by division and modulo, the textbook way.
class ReferenceLru {
 public:
  ReferenceLru(std::uint64_t size, unsigned ways, unsigned line)
      : ways_(ways), line_(line), sets_(size / (std::uint64_t{ways} * line)), lists_(sets_) {}

  struct Result {
    bool hit = false;
    bool evicted = false;
    std::uint64_t victim = 0;
    bool victim_dirty = false;
  };

  Result access(std::uint64_t addr, bool write) {
    const std::uint64_t block = addr / line_;
    auto& l = lists_[block % sets_];
    Result r;
    for (auto it = l.begin(); it != l.end(); ++it) {
      if (it->block == block) {
        Entry e = *it;
        e.dirty = e.dirty || write;
        l.erase(it);
        l.push_front(e);
        r.hit = true;
        return r;
      }
    }
    if (l.size() == ways_) {
      r.evicted = true;
      r.victim = l.back().block * line_;
      r.victim_dirty = l.back().dirty;
      l.pop_back();
    }
    l.push_front(Entry{block, write});
    return r;
  }

 private:
  struct Entry {
    std::uint64_t block;
    bool dirty;
  };
  unsigned ways_;
  unsigned line_;
  std::uint64_t sets_;
  std::vector<std::list<Entry>> lists_;
};

struct Geometry {
  std::uint64_t size;
  unsigned ways;
  unsigned line;
};

std::string name_of(const Geometry& g) {
  return std::to_string(g.size / 1024) + "KiB_" + std::to_string(g.ways) + "way_" + std::to_string(g.line) + "B";
}

void PrintTo(const Geometry& g, std::ostream* os) { *os << name_of(g); }

CacheConfig config_of(const Geometry& g, Replacement r = Replacement::Lru) {
  CacheConfig c;
  c.size = ByteSize{g.size};
  c.ways = g.ways;
  c.line_size = ByteSize{g.line};
  c.replacement = r;
  return c;
}

struct Totals {
  std::uint64_t misses = 0;
  std::uint64_t writebacks = 0;
};

// Drives the engine as a write-back write-allocate cache would be driven by its wrapper, and
// compares every access with the reference. Returns the reference's totals.
Totals run_and_compare(const Geometry& g, const std::vector<Access>& seq, const std::string& what,
                       Replacement replacement = Replacement::Lru) {
  stats::Registry reg;
  CacheArray cache(config_of(g, replacement), stats::Group(reg, "c"));
  ReferenceLru ref(g.size, g.ways, g.line);
  Totals t;
  std::uint64_t version = 0;
  for (std::size_t i = 0; i < seq.size(); ++i) {
    const Access& a = seq[i];
    const ReferenceLru::Result want = ref.access(a.addr, a.write);
    ++version;
    const AccessResult got = a.write ? cache.write(a.addr, version) : cache.read(a.addr);
    EXPECT_NE(got, AccessResult::Upgrade);
    const bool hit = got == AccessResult::Hit;
    if (hit != want.hit) {
      ADD_FAILURE() << what << ": access " << i << " addr 0x" << std::hex << a.addr << std::dec << " engine "
                    << (hit ? "hit" : "miss") << ", reference " << (want.hit ? "hit" : "miss");
      return t;
    }
    if (hit) continue;
    ++t.misses;
    const LineOutcome v = cache.fill(a.addr, a.write ? LineState::Modified : LineState::Exclusive, version);
    if (v.present() != want.evicted || (want.evicted && (v.line.addr != want.victim || v.writeback != want.victim_dirty))) {
      ADD_FAILURE() << what << ": access " << i << " victim 0x" << std::hex << v.line.addr << " (present "
                    << v.present() << ", writeback " << v.writeback << "), reference 0x" << want.victim
                    << " (evicted " << want.evicted << ", dirty " << want.victim_dirty << ")";
      return t;
    }
    if (want.victim_dirty) ++t.writebacks;
  }
  const auto& s = cache.stats();
  EXPECT_EQ(s.read_misses.value() + s.write_misses.value(), t.misses) << what;
  EXPECT_EQ(s.read_hits.value() + s.write_hits.value(), seq.size() - t.misses) << what;
  EXPECT_EQ(s.writebacks.value(), t.writebacks) << what;
  EXPECT_EQ(s.dirty_evictions.value(), t.writebacks) << what;
  return t;
}

std::vector<Access> random_sequence(std::uint64_t span, std::size_t n, unsigned seed, double write_fraction) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::uint64_t> addr(0, span - 1);
  std::bernoulli_distribution wr(write_fraction);
  std::vector<Access> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back({0x8000'0000 + addr(rng), wr(rng)});
  return out;
}

// Hot/cold mix: most accesses to a region a little smaller than the cache, so hits and misses
// both happen often.
std::vector<Access> hot_cold_sequence(std::uint64_t size, std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::uint64_t> hot(0, size - size / 8 - 1);
  std::uniform_int_distribution<std::uint64_t> cold(0, 16 * size);
  std::bernoulli_distribution pick_hot(0.85), wr(0.25);
  std::vector<Access> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back({pick_hot(rng) ? hot(rng) : cold(rng), wr(rng)});
  return out;
}

std::vector<Access> strided(std::uint64_t base, std::uint64_t stride, std::size_t count, unsigned rounds,
                            bool writes) {
  std::vector<Access> out;
  for (unsigned r = 0; r < rounds; ++r)
    for (std::size_t i = 0; i < count; ++i) out.push_back({base + i * stride, writes && (i % 2 == 0)});
  return out;
}

class LruAgainstReference : public ::testing::TestWithParam<Geometry> {};

TEST_P(LruAgainstReference, RandomSequences) {
  const Geometry g = GetParam();
  run_and_compare(g, random_sequence(4 * g.size, 40000, 1, 0.3), "random 4x");
  run_and_compare(g, random_sequence(g.size + g.size / 2, 40000, 2, 0.5), "random 1.5x");
  run_and_compare(g, hot_cold_sequence(g.size, 40000, 3), "hot/cold");
}

TEST_P(LruAgainstReference, StridedSequences) {
  const Geometry g = GetParam();
  const std::uint64_t sets = g.size / (std::uint64_t{g.ways} * g.line);
  run_and_compare(g, strided(0x1000'0000, g.line, 2 * g.size / g.line, 3, true), "stride 1 line over 2x");
  run_and_compare(g, strided(0x1000'0000 + 4, 3 * g.line, g.size / g.line, 4, true), "stride 3 lines");
  run_and_compare(g, strided(0x1000'0000, g.line / 2, 2 * g.size / g.line, 2, false), "stride half line");
  // All addresses in one set.
  run_and_compare(g, strided(0x1000'0000, sets * g.line, 2 * g.ways, 3, true), "set stride");
}

TEST_P(LruAgainstReference, CyclicWorkingSetsAroundTheAssociativity) {
  const Geometry g = GetParam();
  const std::uint64_t sets = g.size / (std::uint64_t{g.ways} * g.line);
  const unsigned rounds = 10;
  for (unsigned k : {g.ways - 1, g.ways, g.ways + 1}) {
    if (k == 0) continue;
    // k lines of one set, cycled.
    const Totals one = run_and_compare(g, strided(0x4000'0000, sets * g.line, k, rounds, false),
                                       "cyclic " + std::to_string(k) + " lines in one set");
    // Analytic: up to `ways` lines fit (compulsory misses only); one more and LRU misses always.
    EXPECT_EQ(one.misses, k <= g.ways ? k : std::uint64_t{k} * rounds) << "k=" << k;
    // k lines in every set: a working set of k x sets lines, cycled in address order.
    const Totals all = run_and_compare(g, strided(0x4000'0000, g.line, k * sets, rounds, true),
                                       "cyclic " + std::to_string(k) + " x sets lines");
    EXPECT_EQ(all.misses, k <= g.ways ? k * sets : std::uint64_t{k} * sets * rounds) << "k=" << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Geometries, LruAgainstReference,
                         ::testing::Values(Geometry{1024, 1, 32}, Geometry{4096, 2, 64}, Geometry{32768, 4, 32},
                                           Geometry{8192, 8, 64}, Geometry{65536, 16, 32},
                                           Geometry{2048, 32, 64}, Geometry{49152, 12, 64},
                                           Geometry{1 << 20, 16, 32}),
                         [](const ::testing::TestParamInfo<Geometry>& p) { return name_of(p.param); });

// With two ways, tree PLRU is exact LRU.
TEST(Plru, TwoWayPlruIsLru) {
  const Geometry g{4096, 2, 64};
  run_and_compare(g, random_sequence(4 * g.size, 20000, 7, 0.3), "plru 2-way random", Replacement::Plru);
  run_and_compare(g, hot_cold_sequence(g.size, 20000, 8), "plru 2-way hot/cold", Replacement::Plru);
}

// A 4-way, one-set cache (128 B of 32 B lines). Tree: root node picks ways {0,1} or {2,3}, node 2
// picks 0/1, node 3 picks 2/3; each access points the nodes on its path away from it; the victim
// follows the pointers. Traced by hand:
//   fill A,B,C,D   -> ways 0,1,2,3 (invalid ways first); after D: root->left, n2->way0, n3->way2
//   read A (way 0) -> root->right, n2->way1
//   fill E         -> right, n3 -> way 2: evicts C (true LRU would evict B)
//   fill F         -> root->left (E touched way 2), n2->way1: evicts B
//   fill G         -> root->right (F touched way 1), n3->way3 (E touched way 2): evicts D
//   read A (way 0) -> root->right, n2->way1
//   fill H         -> right, n3->way2 (G touched way 3): evicts E
//   fill I         -> root->left (H touched way 2), n2->way1 (A read): evicts F
TEST(Plru, HandTracedFourWaySequence) {
  stats::Registry reg;
  CacheConfig c;
  c.size = ByteSize{128};
  c.ways = 4;
  c.line_size = ByteSize{32};
  c.replacement = Replacement::Plru;
  CacheArray cache(c, stats::Group(reg, "c"));
  ASSERT_EQ(cache.sets(), 1u);
  auto line = [](char name) { return 0x1000u + 32u * static_cast<unsigned>(name - 'A'); };
  auto fill = [&](char name) { return cache.fill(line(name), LineState::Exclusive, 0); };

  for (char n : {'A', 'B', 'C', 'D'}) EXPECT_FALSE(fill(n).present());
  for (unsigned w = 0; w < 4; ++w) EXPECT_EQ(cache.line_at(0, w).addr, line(static_cast<char>('A' + w)));
  EXPECT_EQ(cache.read(line('A')), AccessResult::Hit);

  const std::vector<std::pair<char, char>> trace = {{'E', 'C'}, {'F', 'B'}, {'G', 'D'}};
  for (auto [in, out] : trace) {
    EXPECT_EQ(cache.victim_way(line(in)), cache.lookup(line(out)).way) << in;
    const LineOutcome v = fill(in);
    EXPECT_TRUE(v.present());
    EXPECT_EQ(v.line.addr, line(out)) << "filling " << in;
  }
  EXPECT_EQ(cache.read(line('A')), AccessResult::Hit);
  EXPECT_EQ(fill('H').line.addr, line('E'));
  EXPECT_EQ(fill('I').line.addr, line('F'));
  // Final contents by way: A (0), I (1), H (2), G (3).
  EXPECT_EQ(cache.line_at(0, 0).addr, line('A'));
  EXPECT_EQ(cache.line_at(0, 1).addr, line('I'));
  EXPECT_EQ(cache.line_at(0, 2).addr, line('H'));
  EXPECT_EQ(cache.line_at(0, 3).addr, line('G'));
}

// Whatever the sequence, PLRU never evicts the line used last.
TEST(Plru, NeverEvictsTheMostRecentlyUsedLine) {
  stats::Registry reg;
  CacheConfig c;
  c.size = ByteSize{16 * 64 * 4};
  c.ways = 16;
  c.line_size = ByteSize{64};
  c.replacement = Replacement::Plru;
  CacheArray cache(c, stats::Group(reg, "c"));
  std::vector<std::uint64_t> last_used(cache.sets(), ~std::uint64_t{0});
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<std::uint64_t> addr(0, 1 << 16);
  for (int i = 0; i < 50000; ++i) {
    const std::uint64_t a = cache.line_address(addr(rng));
    const unsigned set = cache.set_of(a);
    if (cache.read(a) == AccessResult::Miss) {
      const LineOutcome v = cache.fill(a, LineState::Shared, 0);
      if (v.present()) {
        ASSERT_NE(v.line.addr, last_used[set]);
      }
    }
    last_used[set] = a;
  }
}

std::vector<std::uint64_t> random_victims(std::uint64_t seed, unsigned ways, int fills) {
  stats::Registry reg;
  CacheConfig c;
  c.size = ByteSize{std::uint64_t{ways} * 64};
  c.ways = ways;
  c.line_size = ByteSize{64};
  c.replacement = Replacement::Random;
  CacheArray cache(c, stats::Group(reg, "c"), seed);
  std::vector<std::uint64_t> ways_chosen;
  for (int i = 0; i < fills; ++i) {
    const std::uint64_t a = 0x10000 + 64u * static_cast<unsigned>(i);
    const unsigned predicted = cache.victim_way(a);
    const bool had_invalid = cache.valid_count() < ways;
    cache.fill(a, LineState::Exclusive, 0);
    const Probe p = cache.lookup(a);
    EXPECT_EQ(p.way, predicted);
    if (had_invalid) {
      EXPECT_EQ(p.way, static_cast<unsigned>(i)) << "invalid ways are filled first, lowest first";
    } else {
      ways_chosen.push_back(p.way);
    }
  }
  return ways_chosen;
}

TEST(RandomReplacement, DeterministicForASeed) {
  const auto a = random_victims(42, 8, 4000);
  const auto b = random_victims(42, 8, 4000);
  const auto c = random_victims(43, 8, 4000);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(RandomReplacement, ChoosesEveryWayAboutEqually) {
  const auto v = random_victims(5, 8, 16008);
  ASSERT_EQ(v.size(), 16000u);
  std::vector<int> count(8, 0);
  for (auto w : v) ++count[w];
  for (int n : count) {
    EXPECT_GT(n, 1700);
    EXPECT_LT(n, 2300);
  }
}

TEST(Replacement, VictimWayPredictsTheFillForLru) {
  stats::Registry reg;
  CacheConfig c;
  c.size = ByteSize{4096};
  c.ways = 4;
  c.line_size = ByteSize{32};
  CacheArray cache(c, stats::Group(reg, "c"));
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<std::uint64_t> addr(0, 1 << 15);
  for (int i = 0; i < 5000; ++i) {
    const std::uint64_t a = addr(rng);
    if (cache.read(a) != AccessResult::Miss) continue;
    const unsigned predicted = cache.victim_way(a);
    cache.fill(a, LineState::Exclusive, 0);
    ASSERT_EQ(cache.lookup(a).way, predicted);
  }
}

}  // namespace
}  // namespace dmasim::cache
