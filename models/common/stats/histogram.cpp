#include "models/common/stats/histogram.h"

#include <cassert>
#include <cmath>
#include <limits>

namespace dmasim::stats {

Histogram::Histogram() : counts_(kBucketCount, 0) {}

double Histogram::mean() const {
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(sum_) / static_cast<double>(count_);
}

std::uint64_t Histogram::bucket_lower_bound(std::size_t bucket) {
  assert(bucket < kBucketCount);
  if (bucket < kExactLimit) return bucket;
  const std::size_t log_index = bucket - kExactLimit;
  const unsigned k = static_cast<unsigned>(log_index >> kSubBucketBits) + kExactBits;
  const std::uint64_t sub = log_index & ((std::size_t{1} << kSubBucketBits) - 1);
  return (std::uint64_t{1} << k) + (sub << (k - kSubBucketBits));
}

std::uint64_t Histogram::percentile(double p) const {
  assert(p >= 0.0 && p <= 100.0);
  if (count_ == 0) return 0;
  // p * count / 100 rather than p / 100 * count: for integer p the product is exact, so e.g.
  // the 99th percentile of 100 samples is rank 99, not 100 through a rounding error.
  const double exact_rank = std::ceil(p * static_cast<double>(count_) / 100.0);
  std::uint64_t rank = exact_rank < 1.0 ? 1 : static_cast<std::uint64_t>(exact_rank);
  if (rank >= count_) return max_;
  if (rank == 1) return min_;

  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < kBucketCount; ++b) {
    seen += counts_[b];
    if (seen >= rank) return std::max(bucket_lower_bound(b), min_);
  }
  assert(false && "bucket counts do not add up to count()");
  return max_;
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t b = 0; b < kBucketCount; ++b) counts_[b] += other.counts_[b];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  sum_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
}

}  // namespace dmasim::stats
