#include "models/devices/dma_job.h"

#include <algorithm>

namespace dmasim::devices {

const char* dma_job_problem(const DmaJob& job) {
  if (job.width == 0 || job.height == 0) return "a job moves at least one byte: width and height must not be 0";
  if (job.repeat == 0) return "repeat must be at least 1";
  if (job.burst < 4 || job.burst > 256 || (job.burst & (job.burst - 1)) != 0)
    return "the burst must be a power of two from 4 to 256 bytes";
  if (job.src_pitch != 0 && job.src_pitch < job.width) return "the source pitch is smaller than the line width";
  if (job.dst_pitch != 0 && job.dst_pitch < job.width) return "the destination pitch is smaller than the line width";
  if ((job.tile_width == 0) != (job.tile_height == 0)) return "a tiled job needs both tile_width and tile_height";
  return nullptr;
}

DmaChunker::DmaChunker(const DmaJob& job)
    : job_(job),
      src_pitch_(job.src_pitch ? job.src_pitch : job.width),
      dst_pitch_(job.dst_pitch ? job.dst_pitch : job.width),
      tile_w_(job.tile_width ? std::min(job.tile_width, job.width) : job.width),
      tile_h_(job.tile_height ? std::min(job.tile_height, job.height) : job.height) {
  done_ = dma_job_problem(job) != nullptr;
  segment_end_ = std::min(tile_w_, job_.width);
}

// Moves to the next line segment: the next line of the tile, else the next tile, else the next
// pass.
void DmaChunker::next_segment() {
  if (++line_ < std::min(tile_y_ + tile_h_, job_.height)) {
    column_ = tile_x_;
    return;
  }
  tile_x_ += tile_w_;
  if (tile_x_ >= job_.width) {
    tile_x_ = 0;
    tile_y_ += tile_h_;
    if (tile_y_ >= job_.height) {
      tile_y_ = 0;
      offset_ = 0;
      if (++pass_ == job_.repeat) done_ = true;
    }
  }
  line_ = tile_y_;
  column_ = tile_x_;
  segment_end_ = std::min(tile_x_ + tile_w_, job_.width);
}

std::optional<DmaChunk> DmaChunker::next() {
  if (done_) return std::nullopt;
  DmaChunk c;
  c.pass = pass_;
  c.offset = offset_;
  c.line = line_;
  c.column = column_;
  c.src_offset = line_ * src_pitch_ + column_;
  c.dst_offset = line_ * dst_pitch_ + column_;
  // Cut at the next burst boundary of every address the transaction(s) of this chunk use.
  const std::uint64_t burst = job_.burst;
  std::uint64_t length = segment_end_ - column_;
  if (job_.reads()) {
    const std::uint64_t a = job_.src + c.src_offset;
    length = std::min(length, burst - a % burst);
  }
  if (job_.writes()) {
    const std::uint64_t a = job_.dst + c.dst_offset;
    length = std::min(length, burst - a % burst);
  }
  c.length = static_cast<unsigned>(length);
  column_ += length;
  offset_ += length;
  bytes_ += length;
  if (column_ >= segment_end_) next_segment();
  return c;
}

}  // namespace dmasim::devices
