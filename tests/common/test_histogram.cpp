// Histogram against an independent reference: every sample kept in a sorted std::vector, with
// percentiles by the nearest-rank definition computed in integer arithmetic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "models/common/stats/histogram.h"

namespace dmasim::stats {
namespace {

// Nearest rank for p = num/den percent: the sample at rank ceil(num * n / (100 * den)), at least 1.
std::uint64_t reference_percentile(const std::vector<std::uint64_t>& sorted, std::uint64_t num,
                                   std::uint64_t den = 1) {
  const std::uint64_t n = sorted.size();
  std::uint64_t rank = (num * n + 100 * den - 1) / (100 * den);
  rank = std::max<std::uint64_t>(rank, 1);
  return sorted[rank - 1];
}

Histogram fill(const std::vector<std::uint64_t>& values) {
  Histogram h;
  for (const std::uint64_t v : values) h.sample(v);
  return h;
}

TEST(Histogram, EmptyHistogramReportsZerosAndNaNMean) {
  const Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.sum(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_TRUE(std::isnan(h.mean()));
}

TEST(Histogram, HandComputedNearestRank) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.sample(v);
  EXPECT_EQ(h.percentile(0), 1u);
  EXPECT_EQ(h.percentile(1), 1u);
  EXPECT_EQ(h.percentile(50), 50u);
  EXPECT_EQ(h.percentile(50.5), 51u);
  EXPECT_EQ(h.percentile(90), 90u);
  EXPECT_EQ(h.percentile(99), 99u);
  EXPECT_EQ(h.percentile(100), 100u);
  EXPECT_EQ(h.sum(), 5050u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(Histogram, ExactBelow1024OnRandomData) {
  std::mt19937_64 rng(1234);
  for (const std::size_t n : {1u, 2u, 7u, 100u, 1001u, 50000u}) {
    std::uniform_int_distribution<std::uint64_t> dist(0, 1023);
    std::vector<std::uint64_t> values(n);
    for (auto& v : values) v = dist(rng);
    const Histogram h = fill(values);
    std::sort(values.begin(), values.end());

    for (std::uint64_t p = 0; p <= 100; ++p) {
      EXPECT_EQ(h.percentile(static_cast<double>(p)), reference_percentile(values, p))
          << "n=" << n << " p=" << p;
    }
    EXPECT_EQ(h.percentile(99.9), reference_percentile(values, 999, 10)) << "n=" << n;
    EXPECT_EQ(h.percentile(0.1), reference_percentile(values, 1, 10)) << "n=" << n;
    EXPECT_EQ(h.count(), n);
    EXPECT_EQ(h.min(), values.front());
    EXPECT_EQ(h.max(), values.back());
  }
}

TEST(Histogram, WithinBucketErrorAbove1024) {
  std::mt19937_64 rng(42);
  // Log-uniform over the whole 64-bit range, so every power of two gets samples.
  std::uniform_real_distribution<double> exponent(0.0, 63.99);
  std::vector<std::uint64_t> values(200000);
  for (auto& v : values) {
    v = static_cast<std::uint64_t>(std::exp2(exponent(rng)));
  }
  values.push_back(UINT64_MAX);
  values.push_back(1024);
  const Histogram h = fill(values);
  std::sort(values.begin(), values.end());

  for (std::uint64_t tenths = 0; tenths <= 1000; ++tenths) {
    const std::uint64_t truth = reference_percentile(values, tenths, 10);
    const std::uint64_t got = h.percentile(static_cast<double>(tenths) / 10.0);
    // Never above the true value, and less than one bucket width (<= value/64) below it.
    ASSERT_LE(got, truth) << "p=" << tenths / 10.0;
    if (truth < Histogram::kExactLimit) {
      ASSERT_EQ(got, truth) << "p=" << tenths / 10.0;
    } else {
      ASSERT_LT(truth - got, truth / 64) << "p=" << tenths / 10.0;
      ASSERT_LE(static_cast<double>(truth - got) / static_cast<double>(truth), 0.016);
    }
  }
  EXPECT_EQ(h.percentile(0), values.front());
  EXPECT_EQ(h.percentile(100), UINT64_MAX);
  EXPECT_EQ(h.max(), UINT64_MAX);
}

TEST(Histogram, LatencyLikeDistributionAgreesWithReference) {
  // Mostly short latencies with a long tail: the shape the DRAM and interconnect models produce.
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(5.0, 1.2);
  std::vector<std::uint64_t> values(100000);
  for (auto& v : values) v = static_cast<std::uint64_t>(latency(rng));
  const Histogram h = fill(values);
  std::sort(values.begin(), values.end());
  for (const std::uint64_t p : {50u, 90u, 99u}) {
    const std::uint64_t truth = reference_percentile(values, p);
    const std::uint64_t got = h.percentile(static_cast<double>(p));
    EXPECT_LE(got, truth);
    EXPECT_LE(truth - got, truth / 64) << "p" << p;
  }
  std::uint64_t sum = 0;
  for (const std::uint64_t v : values) sum += v;
  EXPECT_EQ(h.sum(), sum);
  EXPECT_DOUBLE_EQ(h.mean(), static_cast<double>(sum) / static_cast<double>(values.size()));
}

TEST(Histogram, BucketGeometryIsContiguousAndBounded) {
  std::uint64_t previous = 0;
  for (std::size_t b = 0; b < Histogram::kBucketCount; ++b) {
    const std::uint64_t lower = Histogram::bucket_lower_bound(b);
    ASSERT_EQ(Histogram::bucket_of(lower), b);
    if (b > 0) {
      ASSERT_GT(lower, previous);
      ASSERT_EQ(Histogram::bucket_of(lower - 1), b - 1);  // no gaps between buckets
      if (previous >= Histogram::kExactLimit) {
        ASSERT_LE(lower - previous, previous / 64);
      }
    }
    previous = lower;
  }
  EXPECT_EQ(Histogram::bucket_of(UINT64_MAX), Histogram::kBucketCount - 1);
  EXPECT_EQ(Histogram::bucket_of(1023), 1023u);
  EXPECT_EQ(Histogram::bucket_of(1024), 1024u);
  EXPECT_EQ(Histogram::bucket_of(1024 + 15), 1024u);  // width 16 between 1024 and 2047
  EXPECT_EQ(Histogram::bucket_of(1024 + 16), 1025u);
}

TEST(Histogram, WeightedSampleEqualsRepeatedSamples) {
  Histogram weighted;
  Histogram repeated;
  weighted.sample(3000, 5);
  weighted.sample(7, 2);
  weighted.sample(99, 0);  // records nothing, not even min/max
  for (int i = 0; i < 5; ++i) repeated.sample(3000);
  for (int i = 0; i < 2; ++i) repeated.sample(7);
  EXPECT_EQ(weighted.count(), repeated.count());
  EXPECT_EQ(weighted.sum(), repeated.sum());
  EXPECT_EQ(weighted.min(), 7u);
  EXPECT_EQ(weighted.max(), 3000u);
  for (const double p : {0.0, 25.0, 50.0, 75.0, 100.0}) {
    EXPECT_EQ(weighted.percentile(p), repeated.percentile(p));
  }
}

TEST(Histogram, MergeEqualsSamplingEverythingInOne) {
  std::mt19937_64 rng(99);
  std::uniform_int_distribution<std::uint64_t> dist(0, 1u << 20);
  Histogram a, b, all;
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t v = dist(rng);
    (i % 3 == 0 ? a : b).sample(v);
    all.sample(v);
  }
  Histogram merged;
  merged.merge(a);
  merged.merge(Histogram{});  // merging nothing changes nothing, in particular not min()
  merged.merge(b);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.sum(), all.sum());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  for (std::uint64_t p = 0; p <= 100; ++p) {
    EXPECT_EQ(merged.percentile(static_cast<double>(p)), all.percentile(static_cast<double>(p)));
  }
}

TEST(Histogram, ResetForgetsEverything) {
  Histogram h;
  h.sample(5000);
  h.sample(3);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  h.sample(10);
  EXPECT_EQ(h.min(), 10u);
  EXPECT_EQ(h.max(), 10u);
  EXPECT_EQ(h.percentile(50), 10u);
}

}  // namespace
}  // namespace dmasim::stats
