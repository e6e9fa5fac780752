#pragma once
// Slices on one track must nest; outstanding transactions overlap without nesting. SliceLanes
// spreads such slices over sibling tracks of one name ("lanes"), which the Perfetto UI draws
// merged as a single track with as many rows as were ever busy at once.
//
//   SliceLanes reads(rec, "reads", port_track);
//   rec.complete(reads.place(start, end), start, end, "RD", {{"addr", addr}}, FlowIds{txn});
//
//   TrackId lane = reads.open(now);           // when the end is not known yet
//   rec.begin(lane, now, "RD");
//   ...
//   rec.end(lane, later);
//   reads.close(lane, later);
//
// The first free lane is always chosen, so lane assignment is deterministic.
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "models/common/trace/recorder.h"

namespace dmasim::trace {

class SliceLanes {
 public:
  SliceLanes(Recorder& recorder, std::string name, TrackId parent = kNoTrack)
      : recorder_(recorder), name_(std::move(name)), parent_(parent) {}

  // A lane free from `start` on, kept busy until `end`: for complete().
  TrackId place(Picoseconds start, Picoseconds end) {
    Lane& lane = free_lane(start);
    lane.busy_until = end;
    return lane.track;
  }

  // A lane free from `start` on, kept busy until close(): for begin()/end().
  TrackId open(Picoseconds start) { return place(start, kOpen); }

  void close(TrackId track, Picoseconds end) {
    for (Lane& lane : lanes_) {
      if (lane.track == track) {
        lane.busy_until = end;
        return;
      }
    }
  }

  // Lanes created so far: the most slices ever open at once.
  [[nodiscard]] std::size_t lanes() const noexcept { return lanes_.size(); }

 private:
  static constexpr Picoseconds kOpen = std::numeric_limits<Picoseconds>::max();

  struct Lane {
    TrackId track;
    Picoseconds busy_until;
  };

  Lane& free_lane(Picoseconds start) {
    for (Lane& lane : lanes_) {
      if (lane.busy_until <= start) {
        return lane;
      }
    }
    lanes_.push_back(Lane{recorder_.slice_track(name_, parent_), 0});
    return lanes_.back();
  }

  Recorder& recorder_;
  std::string name_;
  TrackId parent_;
  std::vector<Lane> lanes_;
};

}  // namespace dmasim::trace
