#pragma once
// What a DMA engine is asked to move (docs/devices.md): a job, described as a DMA descriptor
// would describe it, and the order in which the engine splits it into bus transactions.
//
// A job moves `width` bytes per line over `height` lines (1D: height 1), `src_pitch` /
// `dst_pitch` bytes apart, `repeat` times (a display scanning the same frame buffer out every
// frame). Read jobs only read the source (the device consumes the data: display, encoder), write
// jobs only write the destination (camera, decoder output), copy jobs read the source and write
// the destination (memcpy engine, rotator). Tiled jobs walk the frame in tiles of tile_width
// bytes x tile_height lines, row-major, each tile line by line (a GPU or a decoder fetching
// reference blocks).
//
// The engine cuts each line segment at `burst`-aligned boundaries, so no transaction crosses a
// burst-sized (hence a 4 KiB) boundary and none is longer than `burst`.
#include <cstdint>
#include <optional>

namespace dmasim::devices {

enum class DmaOp : std::uint8_t { Read, Write, Copy };

struct DmaJob {
  DmaOp op = DmaOp::Read;
  std::uint64_t src = 0;  // bus or IO virtual addresses, as the device sees them
  std::uint64_t dst = 0;
  std::uint64_t width = 0;   // bytes per line
  std::uint64_t height = 1;  // lines
  std::uint64_t src_pitch = 0;  // 0: width (lines back to back)
  std::uint64_t dst_pitch = 0;
  std::uint64_t tile_width = 0;   // 0: not tiled
  std::uint64_t tile_height = 0;
  std::uint64_t repeat = 1;
  unsigned burst = 64;      // bytes per transaction at most (a power of two, 4..256)
  bool coherent = false;    // IO-coherent transactions (snoop the CPU caches on an ACE-Lite port)
  std::uint64_t rate = 0;   // bytes per second the engine may move at most (0: no limit)
  unsigned outstanding = 0; // transactions in flight at most for this job (0: the engine's limit)

  std::uint64_t bytes_per_pass() const { return width * height; }
  std::uint64_t total_bytes() const { return bytes_per_pass() * repeat; }
  bool reads() const { return op != DmaOp::Write; }
  bool writes() const { return op != DmaOp::Read; }
};

// The first inconsistency of a job ("" when none), for a register write or a driver helper.
const char* dma_job_problem(const DmaJob& job);

// One bus transaction's worth of a job: `length` bytes at `offset` in the pass's transfer order
// (scan order for untiled jobs), at src + src_offset / dst + dst_offset.
struct DmaChunk {
  std::uint64_t pass = 0;
  std::uint64_t offset = 0;      // bytes of this pass before this chunk, in transfer order
  std::uint64_t line = 0;        // the frame line the chunk is in
  std::uint64_t column = 0;      // its first byte's position in that line
  std::uint64_t src_offset = 0;  // from job.src / job.dst
  std::uint64_t dst_offset = 0;
  unsigned length = 0;
};

// Enumerates a job's chunks in issue order, with no allocation.
class DmaChunker {
 public:
  explicit DmaChunker(const DmaJob& job);
  std::optional<DmaChunk> next();
  std::uint64_t issued_bytes() const { return bytes_; }

 private:
  void next_segment();

  DmaJob job_;
  std::uint64_t src_pitch_, dst_pitch_, tile_w_, tile_h_;
  std::uint64_t pass_ = 0;
  std::uint64_t tile_x_ = 0, tile_y_ = 0;  // the current tile's first column / line
  std::uint64_t line_ = 0;                 // the current frame line
  std::uint64_t column_ = 0;               // next byte within the current line segment
  std::uint64_t segment_end_ = 0;          // column where the current segment ends
  std::uint64_t offset_ = 0;               // offset within the pass
  std::uint64_t bytes_ = 0;
  bool done_ = false;
};

}  // namespace dmasim::devices
