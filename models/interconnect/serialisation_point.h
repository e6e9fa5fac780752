#pragma once
// The crossbar's point of serialisation: one request passes per cycle. A grant holds the cycle
// [t, t + period). Grants are mostly made in time order by the crossbar's SC_METHOD, but an
// uncontended request is granted when it arrives, for its (possibly future) eligible time; a
// request that arrives later with an earlier time must still find the cycles before that grant
// free. So the point keeps the set of cycles granted from now on, not a single watermark.
#include <algorithm>
#include <vector>

#include "models/common/clock_domain.h"

namespace dmasim::interconnect {

class SerialisationPoint {
 public:
  explicit SerialisationPoint(Picoseconds period) : period_(period) {}

  // The earliest time >= at whose cycle overlaps no grant.
  Picoseconds first_free(Picoseconds at) const {
    Picoseconds c = at;
    auto it = std::lower_bound(grants_.begin() + static_cast<std::ptrdiff_t>(head_), grants_.end(),
                               c + 1 > period_ ? c + 1 - period_ : 0);
    for (; it != grants_.end() && *it < c + period_; ++it) c = std::max(c, *it + period_);
    return c;
  }

  // Holds the cycle starting at `at` (a time first_free returned). Grants mostly come in time
  // order: then it is an append.
  void grant(Picoseconds at) {
    if (grants_.size() == head_ || grants_.back() <= at) {
      grants_.push_back(at);
      return;
    }
    grants_.insert(std::upper_bound(grants_.begin() + static_cast<std::ptrdiff_t>(head_), grants_.end(), at), at);
  }

  // Drops grants whose cycle ended by `now`: they can hold nothing any more. (A core running
  // ahead of simulated time leaves many future grants; the dropped ones are only compacted away
  // once they are the larger part, so that dropping stays cheap.)
  void forget_before(Picoseconds now) {
    while (head_ < grants_.size() && grants_[head_] + period_ <= now) ++head_;
    if (head_ > 64 && head_ * 2 > grants_.size()) {
      grants_.erase(grants_.begin(), grants_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

  std::size_t held() const { return grants_.size() - head_; }

 private:
  Picoseconds period_;
  std::vector<Picoseconds> grants_;  // sorted start times; [0, head_) are dropped
  std::size_t head_ = 0;
};

}  // namespace dmasim::interconnect
