// ClockDomain conversions, checked on hand-computed edges and against their defining properties
// on random times.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include <systemc>

#include "models/common/clock_domain.h"

namespace dmasim {
namespace {

TEST(ClockDomain, Ddr4_2400EdgesByHand) {
  const ClockDomain ddr{"ddr4-2400", 833};
  EXPECT_EQ(ddr.cycles_at(0), 0u);
  EXPECT_EQ(ddr.cycles_at(832), 0u);
  EXPECT_EQ(ddr.cycles_at(833), 1u);  // an edge belongs to the cycle it starts
  EXPECT_EQ(ddr.cycles_at(1665), 1u);
  EXPECT_EQ(ddr.cycles_at(1666), 2u);
  EXPECT_EQ(ddr.cycle_start(0), 0u);
  EXPECT_EQ(ddr.cycle_start(3), 2499u);
  EXPECT_EQ(ddr.next_edge(0), 0u);
  EXPECT_EQ(ddr.next_edge(1), 833u);
  EXPECT_EQ(ddr.next_edge(833), 833u);
  EXPECT_EQ(ddr.next_edge(834), 1666u);
  EXPECT_DOUBLE_EQ(ddr.frequency_hz(), 1e12 / 833.0);
}

TEST(ClockDomain, FrequencyOfRoundPeriods) {
  EXPECT_EQ((ClockDomain{"cpu", 500}).frequency_hz(), 2e9);
  EXPECT_EQ((ClockDomain{"bus", 1000}).frequency_hz(), 1e9);
  EXPECT_EQ((ClockDomain{"slow", 1'000'000}).frequency_hz(), 1e6);
}

TEST(ClockDomain, ConversionPropertiesOnRandomTimes) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<Picoseconds> time(0, Picoseconds{1} << 50);
  for (const Picoseconds period : {1u, 7u, 416u, 833u, 1000u, 3003u}) {
    const ClockDomain d{"d", period};
    for (int i = 0; i < 10000; ++i) {
      const Picoseconds t = time(rng);
      const std::uint64_t c = d.cycles_at(t);
      ASSERT_LE(d.cycle_start(c), t);
      ASSERT_GT(d.cycle_start(c + 1), t);
      const Picoseconds edge = d.next_edge(t);
      ASSERT_GE(edge, t);
      ASSERT_LT(edge - t, period);
      ASSERT_EQ(edge % period, 0u);
      ASSERT_EQ(d.next_edge(edge), edge);
    }
  }
}

TEST(ClockDomain, TimeOfIsExactInPicoseconds) {
  const ClockDomain ddr{"ddr", 833};
  EXPECT_EQ(ddr.time_of(0), sc_core::SC_ZERO_TIME);
  EXPECT_EQ(ddr.time_of(1000).value(), 833000u);
  EXPECT_EQ((ClockDomain{"bus", 1000}).time_of(5), sc_core::sc_time(5, sc_core::SC_NS));
  // (2^45 + 1) cycles of 833 ps is an odd number of picoseconds beyond 2^53, which a detour
  // through double could not represent.
  const std::uint64_t cycles = (std::uint64_t{1} << 45) + 1;
  const std::uint64_t expected = cycles * 833;
  ASSERT_GT(expected, std::uint64_t{1} << 53);
  ASSERT_NE(static_cast<std::uint64_t>(static_cast<double>(expected)), expected);
  EXPECT_EQ(ddr.time_of(cycles).value(), expected);
  EXPECT_EQ(ddr.time_of(cycles + 1).value(), expected + 833);
}

}  // namespace
}  // namespace dmasim
