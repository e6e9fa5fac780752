#pragma once
// When a paced DMA job may issue each chunk, and what it means when the chunk completes: the
// hook through which a display controller's scan-out FIFO or a camera's capture buffer drives a
// DMA engine (video_stream.h). A job without pacing issues as fast as its credits and rate allow.
#include "models/common/sim_time.h"
#include "models/devices/dma_job.h"

namespace dmasim::devices {

class DmaPacing {
 public:
  virtual ~DmaPacing() = default;
  // The job starts at `at` (the time origin of the stream).
  virtual void start(Picoseconds at) = 0;
  // The earliest time the engine may issue `chunk` (chunks come in issue order).
  virtual Picoseconds earliest(const DmaChunk& chunk) const = 0;
  // `chunk`'s last transaction completed at `done` (its read data arrived, or its write was
  // acknowledged).
  virtual void completed(const DmaChunk& chunk, Picoseconds done) = 0;
};

}  // namespace dmasim::devices
