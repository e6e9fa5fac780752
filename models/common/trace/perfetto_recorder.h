#pragma once
// Recorder backend that writes a Perfetto trace (open it at ui.perfetto.dev). The file is
// written as the simulation runs: each event becomes one TracePacket appended to the file
// through a buffer, so memory stays bounded however long the run, and a file cut short after
// flush() is still a readable trace. The format subset is models/common/trace/perfetto_trace.proto.
//
// Encoding choices (see docs/tracing.md): one packet sequence; each track is described once, when
// created; event names and argument keys are interned (sent once, then referred to by a small
// integer id); timestamps are nanoseconds, rounded down from picoseconds, and kept
// non-decreasing per track so that sub-nanosecond slices keep their order and nesting.
#include <cstdint>
#include <memory>
#include <string>

#include "models/common/trace/recorder.h"

namespace dmasim::trace {

class PerfettoRecorder final : public Recorder {
 public:
  // Creates (truncates) the file. Throws dmasim::UserError (a std::runtime_error) naming the
  // path if it cannot be opened; a later write failure throws the same way.
  explicit PerfettoRecorder(const std::string& path);
  // Flushes and closes; errors at this point are swallowed, call close() to see them.
  ~PerfettoRecorder() override;

  PerfettoRecorder(const PerfettoRecorder&) = delete;
  PerfettoRecorder& operator=(const PerfettoRecorder&) = delete;

  // Flushes and closes the file, throwing on failure. Later events are ignored.
  void close();

  [[nodiscard]] const std::string& path() const noexcept;
  // Events written so far that the caller got wrong and the recorder dropped: an end() with no
  // open slice, an unknown track, a slice on a counter track or a value on a slice track.
  [[nodiscard]] std::uint64_t dropped_events() const noexcept;

 protected:
  TrackId do_slice_track(std::string_view name, TrackId parent) override;
  TrackId do_counter_track(std::string_view name, std::string_view unit, TrackId parent) override;
  void do_begin(TrackId track, Picoseconds ts, std::string_view name, std::span<const Arg> args,
                FlowIds flows) override;
  void do_end(TrackId track, Picoseconds ts) override;
  void do_complete(TrackId track, Picoseconds start, Picoseconds end, std::string_view name,
                   std::span<const Arg> args, FlowIds flows) override;
  void do_instant(TrackId track, Picoseconds ts, std::string_view name, std::span<const Arg> args,
                  FlowIds flows) override;
  void do_counter(TrackId track, Picoseconds ts, double value) override;
  void do_flush() override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dmasim::trace
