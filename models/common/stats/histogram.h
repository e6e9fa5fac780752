#pragma once
// A histogram of unsigned values (latencies in cycles, queue depths, burst sizes) with constant
// memory and an allocation-free sample(), because models call it millions of times per second.
//
// Buckets: values below 1024 each have their own bucket, so statistics there are exact. From 1024
// on, every power-of-two range [2^k, 2^(k+1)) is split into 64 equal sub-buckets, so a bucket is
// never wider than 1/64 (~1.6%) of the values it holds. That covers the whole uint64 range in
// 1024 + 54 * 64 buckets.
//
// Percentile convention (nearest rank): the p-th percentile is the smallest recorded value v such
// that at least p% of the samples are <= v, i.e. the sample of rank ceil(p/100 * count), ranks
// counted from 1 (p = 0 gives rank 1, the minimum). Below 1024 the answer is exact. Above, the
// histogram only knows the bucket that sample fell into and returns that bucket's lower bound
// (raised to min() if min() lies in the same bucket), so the reported value r and the true value t
// satisfy t - t/64 < r <= t. The first and last ranks are exact: they are min() and max().
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dmasim::stats {

class Histogram {
 public:
  static constexpr std::uint64_t kExactLimit = 1024;  // values below have a bucket each
  static constexpr unsigned kSubBucketBits = 6;       // 64 sub-buckets per power of two
  static constexpr unsigned kExactBits = 10;          // log2(kExactLimit)
  static constexpr std::size_t kBucketCount =
      kExactLimit + (64 - kExactBits) * (std::size_t{1} << kSubBucketBits);

  Histogram();

  // Records n occurrences of the value v. n = 0 records nothing.
  void sample(std::uint64_t v, std::uint64_t n = 1) {
    if (n == 0) return;
    counts_[bucket_of(v)] += n;
    count_ += n;
    sum_ += v * n;  // wraps only past 2^64 in total, far beyond any simulated run
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }

  std::uint64_t count() const { return count_; }
  std::uint64_t sum() const { return sum_; }
  double mean() const;  // NaN when empty: there is no meaningful mean of nothing
  std::uint64_t min() const { return count_ ? min_ : 0; }  // 0 when empty
  std::uint64_t max() const { return max_; }               // 0 when empty

  // p in [0, 100]; see the convention above. Returns 0 when empty.
  std::uint64_t percentile(double p) const;

  // Adds every sample of other to this histogram (as if they had been sampled here).
  void merge(const Histogram& other);
  void reset();

  // Bucket geometry, public so tests and exporters can reason about resolution.
  static std::size_t bucket_of(std::uint64_t v) {
    if (v < kExactLimit) return static_cast<std::size_t>(v);
    const unsigned k = static_cast<unsigned>(std::bit_width(v)) - 1;  // v in [2^k, 2^(k+1))
    const std::uint64_t sub = (v >> (k - kSubBucketBits)) & ((1u << kSubBucketBits) - 1);
    return kExactLimit + ((k - kExactBits) << kSubBucketBits) + static_cast<std::size_t>(sub);
  }
  static std::uint64_t bucket_lower_bound(std::size_t bucket);

 private:
  std::vector<std::uint64_t> counts_;  // sized once at construction, never reallocated
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
};

}  // namespace dmasim::stats
