#pragma once
// The trace recorder every model writes its timeline to: slices (commands, transactions),
// instants, counters (queue depths), and flow arrows linking one transaction's hops.
//
// Models hold a Recorder& and test enabled() before building arguments, so a run without
// tracing pays one predictable branch per trace point:
//
//   if (rec.enabled()) {
//     rec.complete(bank_track_, now_ps, now_ps + t_rcd_ps, "ACT",
//                  {{"cycle", cycle}, {"bank", bank}, {"row", row}}, FlowIds{txn_id});
//   }
//
// Times are picoseconds (simulated time); a backend may store them coarser (Perfetto stores
// nanoseconds), so exact cycles belong in the arguments.
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <variant>

#include "models/common/sim_time.h"

namespace dmasim::trace {

// A track: one row (or group of rows) in the timeline. 0 means "none" (a root track's parent).
using TrackId = std::uint64_t;
inline constexpr TrackId kNoTrack = 0;

// One key/value argument of a slice or instant. The key and any string value only need to
// live for the duration of the call. Integers keep their signedness; any other integral or
// floating type converts to the matching 64-bit alternative.
struct Arg {
  using Value = std::variant<std::int64_t, std::uint64_t, double, std::string_view, bool>;

  std::string_view key;
  Value value;

  template <std::signed_integral T>
  constexpr Arg(std::string_view k, T v) noexcept : key(k), value(std::int64_t{v}) {}
  template <std::unsigned_integral T>
    requires(!std::same_as<T, bool>)
  constexpr Arg(std::string_view k, T v) noexcept : key(k), value(std::uint64_t{v}) {}
  template <std::floating_point T>
  constexpr Arg(std::string_view k, T v) noexcept : key(k), value(static_cast<double>(v)) {}
  template <std::same_as<bool> T>
  constexpr Arg(std::string_view k, T v) noexcept : key(k), value(v) {}
  constexpr Arg(std::string_view k, std::string_view v) noexcept : key(k), value(v) {}
  // A string literal is text, not a bool.
  constexpr Arg(std::string_view k, const char* v) noexcept : key(k), value(std::string_view{v}) {}
};

// Flow ids attached to a slice or instant: arrows that follow one transaction across tracks
// (device > SYSMMU > interconnect > DRAM). Ids are global to the trace. The first slice that
// carries an id starts its flow, each later one continues it, and a slice marked terminating
// ends it (the id may then start a new flow). Most events carry one id, which converts
// implicitly: rec.begin(track, ts, "RD", args, txn_id).
class FlowIds {
 public:
  constexpr FlowIds() noexcept = default;
  constexpr FlowIds(std::uint64_t id, bool terminating = false) noexcept  // NOLINT: implicit
      : one_(id), one_count_(1), terminating_(terminating) {}
  constexpr explicit FlowIds(std::span<const std::uint64_t> ids, bool terminating = false) noexcept
      : many_(ids), terminating_(terminating) {}

  // Points into this object for the single-id form: use while the FlowIds is alive.
  [[nodiscard]] std::span<const std::uint64_t> ids() const noexcept {
    return one_count_ != 0 ? std::span<const std::uint64_t>(&one_, 1) : many_;
  }
  [[nodiscard]] constexpr bool terminating() const noexcept { return terminating_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return one_count_ == 0 && many_.empty(); }

 private:
  std::uint64_t one_ = 0;
  std::span<const std::uint64_t> many_{};
  std::uint8_t one_count_ = 0;
  bool terminating_ = false;
};

// Abstract recorder. Public calls are non-virtual (so overloads stay visible through every
// derived class) and forward to the protected do_* hooks a backend implements.
//
// Rules a caller keeps, per track: slices nest (a slice ends before its parent; overlapping
// slices go on separate tracks, see SliceLanes); calls come in simulated-time order of their
// start. Backends clamp a timestamp that goes backwards on a track to the track's latest one.
class Recorder {
 public:
  virtual ~Recorder() = default;
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // False for NullRecorder: callers skip building arguments.
  [[nodiscard]] bool enabled() const noexcept { return enabled_; }

  // A new track for slices and instants, nested under `parent`, a slice track (kNoTrack: a root
  // track). Each call creates a distinct track; sibling tracks of the same name are drawn merged
  // into one track with several rows, which is how overlapping slices are shown.
  TrackId slice_track(std::string_view name, TrackId parent = kNoTrack) {
    return do_slice_track(name, parent);
  }
  // A new counter track; `unit` is free text shown with the values ("entries", "bytes").
  TrackId counter_track(std::string_view name, std::string_view unit, TrackId parent = kNoTrack) {
    return do_counter_track(name, unit, parent);
  }

  // Opens a slice on `track`; end() closes the innermost open one.
  void begin(TrackId track, Picoseconds ts, std::string_view name, std::span<const Arg> args = {},
             FlowIds flows = {}) {
    do_begin(track, ts, name, args, flows);
  }
  void begin(TrackId track, Picoseconds ts, std::string_view name, std::initializer_list<Arg> args,
             FlowIds flows = {}) {
    do_begin(track, ts, name, std::span<const Arg>(args.begin(), args.size()), flows);
  }
  void end(TrackId track, Picoseconds ts) { do_end(track, ts); }

  // A slice whose end is already known (begin + end in one call).
  void complete(TrackId track, Picoseconds start, Picoseconds end, std::string_view name,
                std::span<const Arg> args = {}, FlowIds flows = {}) {
    do_complete(track, start, end, name, args, flows);
  }
  void complete(TrackId track, Picoseconds start, Picoseconds end, std::string_view name,
                std::initializer_list<Arg> args, FlowIds flows = {}) {
    do_complete(track, start, end, name, std::span<const Arg>(args.begin(), args.size()), flows);
  }

  // A point event (no duration) on a slice track.
  void instant(TrackId track, Picoseconds ts, std::string_view name, std::span<const Arg> args = {},
               FlowIds flows = {}) {
    do_instant(track, ts, name, args, flows);
  }
  void instant(TrackId track, Picoseconds ts, std::string_view name,
               std::initializer_list<Arg> args, FlowIds flows = {}) {
    do_instant(track, ts, name, std::span<const Arg>(args.begin(), args.size()), flows);
  }

  // A new value of a counter track, holding until the next one.
  void counter(TrackId track, Picoseconds ts, double value) { do_counter(track, ts, value); }

  // Pushes buffered events to the backend's storage.
  void flush() { do_flush(); }

 protected:
  explicit Recorder(bool enabled) noexcept : enabled_(enabled) {}

  virtual TrackId do_slice_track(std::string_view name, TrackId parent) = 0;
  virtual TrackId do_counter_track(std::string_view name, std::string_view unit,
                                   TrackId parent) = 0;
  virtual void do_begin(TrackId track, Picoseconds ts, std::string_view name,
                        std::span<const Arg> args, FlowIds flows) = 0;
  virtual void do_end(TrackId track, Picoseconds ts) = 0;
  virtual void do_complete(TrackId track, Picoseconds start, Picoseconds end,
                           std::string_view name, std::span<const Arg> args, FlowIds flows) = 0;
  virtual void do_instant(TrackId track, Picoseconds ts, std::string_view name,
                          std::span<const Arg> args, FlowIds flows) = 0;
  virtual void do_counter(TrackId track, Picoseconds ts, double value) = 0;
  virtual void do_flush() = 0;

 private:
  bool enabled_;
};

// Records nothing; enabled() is false. Track ids it hands out are all kNoTrack.
class NullRecorder final : public Recorder {
 public:
  NullRecorder() noexcept : Recorder(false) {}

  // One shared instance for models built without a recorder.
  static NullRecorder& instance() noexcept {
    static NullRecorder null;
    return null;
  }

 protected:
  TrackId do_slice_track(std::string_view, TrackId) override { return kNoTrack; }
  TrackId do_counter_track(std::string_view, std::string_view, TrackId) override {
    return kNoTrack;
  }
  void do_begin(TrackId, Picoseconds, std::string_view, std::span<const Arg>, FlowIds) override {}
  void do_end(TrackId, Picoseconds) override {}
  void do_complete(TrackId, Picoseconds, Picoseconds, std::string_view, std::span<const Arg>,
                   FlowIds) override {}
  void do_instant(TrackId, Picoseconds, std::string_view, std::span<const Arg>, FlowIds) override {}
  void do_counter(TrackId, Picoseconds, double) override {}
  void do_flush() override {}
};

}  // namespace dmasim::trace
