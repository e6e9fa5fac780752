#include "platform/dma_presets.h"

namespace dmasim::platform {
namespace {

constexpr std::uint64_t kDescriptor = 16;
constexpr std::uint64_t kTextureLine = 4096;

devices::DmaJob job(devices::DmaOp op, std::uint64_t address, std::uint64_t width, std::uint64_t height,
                    unsigned burst, bool coherent) {
  devices::DmaJob j;
  j.op = op;
  j.src = j.dst = address;
  j.width = width;
  j.height = height;
  j.burst = burst;
  j.coherent = coherent;
  return j;
}

}  // namespace

void PresetConfig::describe(cfg::Fields<PresetConfig>& f) {
  f("bitstream", &PresetConfig::bitstream, "video-decoder: compressed bytes read per frame");
  f("references", &PresetConfig::references, "video-decoder: reference frames read per frame, in tiles").range(0, 16);
  f("texture", &PresetConfig::texture, "gpu: texture bytes read per frame, in tiles of 64 bytes x 4 lines of 4 KiB");
  f("packets", &PresetConfig::packets, "nic: packets received").range(1, 1 << 24);
  f("packet_size", &PresetConfig::packet_size, "nic: bytes written per packet");
  f("ring", &PresetConfig::ring, "nic: receive descriptors in the ring (and packet buffers)").range(1, 65536);
}

std::uint64_t preset_bytes(PresetKind kind, const PresetConfig& c, const devices::VideoStreamConfig& v) {
  const std::uint64_t frame = v.timing.frame_bytes();
  switch (kind) {
    case PresetKind::VideoDecoder: return frame * (1 + c.references) + c.bitstream.bytes;
    case PresetKind::Gpu: return (c.texture.bytes + kTextureLine - 1) / kTextureLine * kTextureLine + frame;
    case PresetKind::Nic: return c.ring * kDescriptor + std::uint64_t{c.ring} * c.packet_size.bytes;
    case PresetKind::None: break;
  }
  return 0;
}

std::vector<devices::DmaJob> preset_jobs(PresetKind kind, const PresetConfig& c, const devices::VideoStreamConfig& v,
                                         std::uint64_t bus, bool coherent) {
  using devices::DmaOp;
  std::vector<devices::DmaJob> jobs;
  const devices::VideoTiming& t = v.timing;
  const std::uint64_t frame = t.frame_bytes();
  switch (kind) {
    case PresetKind::VideoDecoder:
      for (unsigned f = 0; f < v.frames; ++f) {
        if (c.bitstream.bytes)
          jobs.push_back(job(DmaOp::Read, bus + frame * (1 + c.references), c.bitstream.bytes, 1, 64, coherent));
        for (unsigned r = 0; r < c.references; ++r) {
          devices::DmaJob ref = job(DmaOp::Read, bus + frame * (1 + r), t.line_bytes(), t.height, 64, coherent);
          ref.tile_width = 16 * t.bytes_per_pixel;  // 16x16-pixel blocks
          ref.tile_height = 16;
          jobs.push_back(ref);
        }
        jobs.push_back(job(DmaOp::Write, bus, t.line_bytes(), t.height, 64, coherent));
      }
      break;
    case PresetKind::Gpu: {
      const std::uint64_t lines = (c.texture.bytes + kTextureLine - 1) / kTextureLine;
      const std::uint64_t target = bus + lines * kTextureLine;
      for (unsigned f = 0; f < v.frames; ++f) {
        devices::DmaJob tex = job(DmaOp::Read, bus, kTextureLine, lines, 64, coherent);
        tex.tile_width = 64;
        tex.tile_height = 4;
        jobs.push_back(tex);
        devices::DmaJob rt = job(DmaOp::Write, target, t.line_bytes(), t.height, 64, coherent);
        rt.tile_width = 16 * t.bytes_per_pixel;
        rt.tile_height = 16;
        jobs.push_back(rt);
      }
      break;
    }
    case PresetKind::Nic: {
      const std::uint64_t buffers = bus + c.ring * kDescriptor;
      for (unsigned p = 0; p < c.packets; ++p) {
        const unsigned slot = p % c.ring;
        const std::uint64_t descriptor = bus + slot * kDescriptor;
        jobs.push_back(job(DmaOp::Read, descriptor, kDescriptor, 1, 16, coherent));
        jobs.push_back(job(DmaOp::Write, buffers + std::uint64_t{slot} * c.packet_size.bytes, c.packet_size.bytes, 1,
                           64, coherent));
        jobs.push_back(job(DmaOp::Write, descriptor, kDescriptor, 1, 16, coherent));
      }
      break;
    }
    case PresetKind::None: break;
  }
  return jobs;
}

}  // namespace dmasim::platform
