// DelayLine: fixed latencies, annotated responses that overtake, pop-all-ready, next ready time.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "models/interconnect/delay_line.h"

namespace dmasim::interconnect {
namespace {

std::vector<int> drain(DelayLine<int>& d, std::uint64_t now) {
  std::vector<int> out;
  d.pop_ready(now, [&](int v) { out.push_back(v); });
  return out;
}

TEST(DelayLine, EmptyLineHasNoReadyTime) {
  DelayLine<int> d;
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(d.next_ready(), DelayLine<int>::kNever);
  EXPECT_FALSE(d.has_ready(1000));
  EXPECT_TRUE(drain(d, 1000).empty());
}

TEST(DelayLine, FixedLatencyKeepsArrivalOrder) {
  DelayLine<int> d;
  for (int i = 0; i < 5; ++i) d.push_after(static_cast<std::uint64_t>(i), 3, i);  // ready at 3..7
  EXPECT_EQ(d.size(), 5u);
  EXPECT_EQ(d.next_ready(), 3u);
  EXPECT_TRUE(drain(d, 2).empty());
  EXPECT_EQ(drain(d, 3), (std::vector<int>{0}));
  EXPECT_EQ(d.next_ready(), 4u);
  EXPECT_EQ(drain(d, 6), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(drain(d, 100), (std::vector<int>{4}));
  EXPECT_EQ(d.reordered(), 0u);
  EXPECT_TRUE(d.empty());
}

TEST(DelayLine, LaterArrivalReadyEarlierGoesFirst) {
  // Responses with timing annotations: A arrives at 10 with +50, B at 12 with +8, C at 13 +50.
  DelayLine<char> d;
  d.push(60, 'A');
  d.push(20, 'B');
  d.push(63, 'C');
  d.push(60, 'D');  // same ready time as A, arrived later: after A, before C
  EXPECT_EQ(d.reordered(), 2u);
  EXPECT_EQ(d.next_ready(), 20u);
  std::vector<std::pair<std::uint64_t, char>> out;
  d.pop_ready(1000, [&](std::uint64_t t, char c) { out.emplace_back(t, c); });
  EXPECT_EQ(out, (std::vector<std::pair<std::uint64_t, char>>{{20, 'B'}, {60, 'A'}, {60, 'D'}, {63, 'C'}}));
}

TEST(DelayLine, EqualReadyTimesKeepArrivalOrder) {
  DelayLine<int> d;
  for (int i = 0; i < 4; ++i) d.push(7, i);
  EXPECT_EQ(d.reordered(), 0u);
  EXPECT_EQ(drain(d, 7), (std::vector<int>{0, 1, 2, 3}));
}

TEST(DelayLine, MatchesAStableSortOfRandomArrivals) {
  // Reference: stable sort by ready time of everything pushed, drained at increasing times.
  DelayLine<int> d;
  std::vector<std::pair<std::uint64_t, int>> ref;
  std::vector<int> got;
  std::uint64_t x = 7, now = 0;
  for (int i = 0; i < 3000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    now += (x >> 60);  // 0..15
    // Mostly a fixed latency, sometimes a short annotation that overtakes.
    const std::uint64_t ready = now + ((x >> 20) % 8 == 0 ? (x >> 30) % 5 : 20);
    d.push(ready, i);
    ref.emplace_back(ready, i);
    d.pop_ready(now, [&](int v) { got.push_back(v); });
    ASSERT_TRUE(d.empty() || d.next_ready() > now);
  }
  d.pop_ready(DelayLine<int>::kNever, [&](int v) { got.push_back(v); });
  std::stable_sort(ref.begin(), ref.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<int> expect;
  for (const auto& r : ref) expect.push_back(r.second);
  EXPECT_EQ(got, expect);
  EXPECT_GT(d.reordered(), 0u);
}

TEST(DelayLine, CallbackMayPushAndMoveOnlyItemsWork) {
  DelayLine<std::unique_ptr<int>> d;
  d.push(5, std::make_unique<int>(1));
  d.push(9, std::make_unique<int>(2));
  std::vector<int> seen;
  // Handling item 1 at time 5 forwards a new item ready at 5 + 0 (handed out in the same call)
  // and one at 12 (not yet).
  const std::size_t n = d.pop_ready(10, [&](std::unique_ptr<int> p) {
    seen.push_back(*p);
    if (*p == 1) {
      d.push(5, std::make_unique<int>(10));
      d.push(12, std::make_unique<int>(11));
    }
  });
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(seen, (std::vector<int>{1, 10, 2}));
  EXPECT_EQ(d.next_ready(), 12u);
  EXPECT_EQ(*d.front(), 11);
  EXPECT_EQ(d.front_ready(), 12u);
  EXPECT_EQ(*d.pop_front(), 11);
  EXPECT_TRUE(d.empty());
}

}  // namespace
}  // namespace dmasim::interconnect
