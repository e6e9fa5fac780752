#pragma once
// The access patterns of common DMA masters as sequences of jobs (docs/devices.md, "Presets"),
// laid out in one task buffer at bus address `bus`:
// - video-decoder: per frame, read `bitstream` bytes of compressed data, read `references`
//   reference frames in 16x16-pixel tiles, write the decoded frame line by line. Buffer: the
//   output frame, the reference frames, then the bitstream.
// - gpu: per frame, read `texture` bytes of texture in 64-byte x 4-line tiles (4 KiB lines), write
//   the render target in 16x16-pixel tiles. Buffer: the texture, then the render target.
// - nic: per packet, read its 16-byte receive descriptor, write the packet into its buffer, write
//   the descriptor back (status, length). Buffer: the descriptor ring, then one packet buffer per
//   ring slot.
// Frame sizes come from video.timing and the count from video.frames.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/common/config/schema.h"
#include "models/devices/dma_job.h"
#include "models/devices/video_stream.h"

namespace dmasim::platform {

enum class PresetKind { None, VideoDecoder, Gpu, Nic };

struct PresetConfig {
  ByteSize bitstream{256 * 1024};  // video decoder: compressed bytes per frame
  unsigned references = 2;         // video decoder: reference frames read per frame
  ByteSize texture{4u << 20};      // gpu: texture bytes read per frame
  unsigned packets = 256;          // nic: packets received
  ByteSize packet_size{1536};      // nic: bytes per packet buffer
  unsigned ring = 64;              // nic: descriptors in the ring

  static void describe(cfg::Fields<PresetConfig>& f);
};

// The jobs of a preset, in order, over a buffer of at least preset_bytes() at `bus`.
std::vector<devices::DmaJob> preset_jobs(PresetKind kind, const PresetConfig& c, const devices::VideoStreamConfig& v,
                                         std::uint64_t bus, bool coherent);
// Bytes of buffer the preset needs.
std::uint64_t preset_bytes(PresetKind kind, const PresetConfig& c, const devices::VideoStreamConfig& v);

}  // namespace dmasim::platform

namespace dmasim::cfg {
template <>
struct EnumNames<platform::PresetKind> {
  static constexpr std::array<std::pair<platform::PresetKind, std::string_view>, 4> names{{
      {platform::PresetKind::None, "none"},
      {platform::PresetKind::VideoDecoder, "video-decoder"},
      {platform::PresetKind::Gpu, "gpu"},
      {platform::PresetKind::Nic, "nic"},
  }};
};
}  // namespace dmasim::cfg
