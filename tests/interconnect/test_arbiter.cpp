// Arbiters: round-robin fairness, QoS order with rotation among equals, starvation promotion,
// determinism. Expectations are written out grant by grant.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "models/interconnect/arbiter.h"

namespace dmasim::interconnect {
namespace {

std::vector<unsigned> grants(Arbiter& a, std::uint64_t mask, int n) {
  std::vector<unsigned> out;
  for (int i = 0; i < n; ++i) out.push_back(a.pick(mask, static_cast<std::uint64_t>(i)));
  return out;
}

TEST(RoundRobinArbiter, RotatesAmongRequestingPorts) {
  RoundRobinArbiter a(4);
  EXPECT_EQ(grants(a, 0b1111, 6), (std::vector<unsigned>{0, 1, 2, 3, 0, 1}));
  // Next in turn is 2; with ports 0 and 3 pending, 3 comes first, then 0.
  EXPECT_EQ(grants(a, 0b1001, 4), (std::vector<unsigned>{3, 0, 3, 0}));
  // A single requester is always granted.
  EXPECT_EQ(grants(a, 0b0100, 3), (std::vector<unsigned>{2, 2, 2}));
  // After granting 2, port 1 waits for 3 and 0 only.
  EXPECT_EQ(grants(a, 0b1011, 3), (std::vector<unsigned>{3, 0, 1}));
}

TEST(RoundRobinArbiter, EveryPendingPortServedWithinNGrants) {
  // 8 ports with a changing pending set (pseudo-random, but port 5 always pending): check that
  // between two grants to a continuously requesting port there are at most N - 1 other grants.
  constexpr unsigned kPorts = 8;
  RoundRobinArbiter a(kPorts);
  std::uint64_t x = 99;
  std::array<int, kPorts> waited{};  // grants since the port was last served, while pending
  for (int round = 0; round < 10000; ++round) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    std::uint64_t mask = (x >> 33) & 0xff;
    mask |= 1u << 5;
    // Ports pending in this round keep pending until served (model of a request queue).
    const unsigned g = a.pick(mask, 0);
    ASSERT_TRUE(mask & (std::uint64_t{1} << g));
    for (unsigned p = 0; p < kPorts; ++p) {
      if (p == g) waited[p] = 0;
      else if (mask & (std::uint64_t{1} << p)) ++waited[p];
    }
    ASSERT_LE(waited[5], int(kPorts) - 1) << "round " << round;
  }
}

TEST(RoundRobinArbiter, ContinuouslyRequestingPortsGetEqualShares) {
  RoundRobinArbiter a(5);
  std::map<unsigned, int> count;
  for (int i = 0; i < 500; ++i) ++count[a.pick(0b10110, 0)];
  EXPECT_EQ(count[1], 167);
  EXPECT_EQ(count[2], 167);
  EXPECT_EQ(count[4], 166);
}

TEST(RoundRobinArbiter, CandidateListFormIgnoresQos) {
  RoundRobinArbiter a(3);
  const std::array pending{Candidate{2, 15, 0}, Candidate{1, 0, 0}};
  EXPECT_EQ(a.pick(pending, 0), 1u);
  EXPECT_EQ(a.pick(pending, 0), 2u);
  EXPECT_EQ(a.pick(pending, 0), 1u);
}

TEST(QosArbiter, HighestQosWinsAndEqualsRotate) {
  auto a = make_arbiter(ArbitrationPolicy::Qos, {1, 8, 8, 3});
  ASSERT_EQ(a->policy(), ArbitrationPolicy::Qos);
  // Ports 1 and 2 share the top value: they alternate, 0 and 3 never win while they request.
  EXPECT_EQ(grants(*a, 0b1111, 5), (std::vector<unsigned>{1, 2, 1, 2, 1}));
  // Without them, 3 (qos 3) beats 0 (qos 1) every time.
  EXPECT_EQ(grants(*a, 0b1001, 3), (std::vector<unsigned>{3, 3, 3}));
  EXPECT_EQ(grants(*a, 0b0001, 1), (std::vector<unsigned>{0}));
}

TEST(QosArbiter, PerRequestQosOverridesThePortValue) {
  QosArbiter a({0, 0, 0}, 0);
  // AxQOS of each request, not the port's configured value, decides.
  EXPECT_EQ(a.pick(std::array{Candidate{0, 2, 0}, Candidate{1, 9, 0}, Candidate{2, 4, 0}}, 0), 1u);
  EXPECT_EQ(a.pick(std::array{Candidate{0, 2, 0}, Candidate{2, 4, 0}}, 0), 2u);
  // Equal values: rotation continues after the last grant (2), so 0 before 1.
  EXPECT_EQ(a.pick(std::array{Candidate{1, 5, 0}, Candidate{0, 5, 0}}, 0), 0u);
  EXPECT_EQ(a.pick(std::array{Candidate{1, 5, 0}, Candidate{0, 5, 0}}, 0), 1u);
}

TEST(QosArbiter, StarvationLimitPromotesAnOldRequest) {
  // Port 0 (qos 0) waits since t=0; port 1 (qos 15) always has a fresh request.
  QosArbiter a({0, 15}, 10);
  std::vector<unsigned> g;
  for (std::uint64_t now = 0; now < 14; ++now)
    g.push_back(a.pick(std::array{Candidate{0, 0, 0}, Candidate{1, 15, now}}, now));
  // Waiting 10 cycles (now - 0 >= 10) first happens at now = 10.
  std::vector<unsigned> expect(10, 1u);
  expect.insert(expect.end(), {0, 0, 0, 0});
  EXPECT_EQ(g, expect);
  EXPECT_EQ(a.promotions(), 4u);
}

TEST(QosArbiter, OldestPromotedRequestFirst) {
  QosArbiter a({0, 0, 0}, 5);
  // All three starving; port 2 has waited longest, then 0, then 1.
  const std::array pending{Candidate{0, 0, 3}, Candidate{1, 7, 4}, Candidate{2, 0, 1}};
  EXPECT_EQ(a.pick(pending, 100), 2u);
  EXPECT_EQ(a.pick(std::array{pending[0], pending[1]}, 100), 0u);
  // Promoted beats any QoS value; not yet starving (waited 4 < 5) does not.
  EXPECT_EQ(a.pick(std::array{Candidate{0, 0, 95}, Candidate{1, 15, 99}}, 100), 0u);
  EXPECT_EQ(a.pick(std::array{Candidate{0, 0, 96}, Candidate{1, 15, 99}}, 100), 1u);
}

TEST(QosArbiter, NoLimitMeansNoPromotion) {
  QosArbiter a({0, 1}, 0);
  for (std::uint64_t now = 0; now < 1000; now += 100)
    EXPECT_EQ(a.pick(std::array{Candidate{0, 0, 0}, Candidate{1, 1, now}}, now), 1u);
  EXPECT_EQ(a.promotions(), 0u);
}

TEST(Arbiter, SameCallsGiveSameGrants) {
  for (const auto policy : {ArbitrationPolicy::RoundRobin, ArbitrationPolicy::Qos}) {
    auto a = make_arbiter(policy, {0, 2, 2, 1, 0, 2}, 7);
    auto b = make_arbiter(policy, {0, 2, 2, 1, 0, 2}, 7);
    std::uint64_t x = 5;
    for (int i = 0; i < 2000; ++i) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      const std::uint64_t mask = ((x >> 40) & 0x3f) | 1;
      ASSERT_EQ(a->pick(mask, static_cast<std::uint64_t>(i)), b->pick(mask, static_cast<std::uint64_t>(i)));
    }
  }
}

TEST(Arbiter, SixtyFourPortsInAMask) {
  RoundRobinArbiter a(64);
  EXPECT_EQ(a.pick(std::uint64_t{1} << 63, 0), 63u);
  EXPECT_EQ(a.pick((std::uint64_t{1} << 63) | 1u, 0), 0u);
  EXPECT_EQ(a.pick((std::uint64_t{1} << 63) | 1u, 0), 63u);
}

}  // namespace
}  // namespace dmasim::interconnect
