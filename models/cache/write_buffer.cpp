#include "models/cache/write_buffer.h"

#include <algorithm>

#include <cassert>

namespace dmasim::cache {

WriteBuffer::WriteBuffer(unsigned entries, unsigned line_size, stats::Group stats)
    : ring_(entries),
      line_mask_(~(std::uint64_t{line_size} - 1)),
      pushed_(stats.counter("pushed", "lines", "lines queued for writing back")),
      coalesced_(stats.counter("coalesced", "lines", "write-backs merged into a queued entry of the same line")),
      full_stalls_(stats.counter("full_stalls", "lines", "write-backs refused: buffer full")) {
  assert(entries >= 1 && line_size >= 1 && (line_size & (line_size - 1)) == 0);
}

std::optional<std::size_t> WriteBuffer::position(std::uint64_t line) const {
  for (std::size_t i = 0; i < count_; ++i)
    if (ring_[slot(i)].line == line) return i;
  return std::nullopt;
}

WbPush WriteBuffer::push(std::uint64_t addr, std::uint64_t version, std::uint64_t not_before) {
  const std::uint64_t line = addr & line_mask_;
  if (const auto i = position(line)) {
    ring_[slot(*i)].version = version;
    ring_[slot(*i)].not_before = std::max(ring_[slot(*i)].not_before, not_before);
    coalesced_.inc();
    return WbPush::Coalesced;
  }
  if (full()) {
    full_stalls_.inc();
    return WbPush::Full;
  }
  ring_[slot(count_)] = WriteBufferEntry{line, version, not_before};
  ++count_;
  pushed_.inc();
  return WbPush::Added;
}

std::optional<std::uint64_t> WriteBuffer::find(std::uint64_t addr) const {
  if (const auto i = position(addr & line_mask_)) return ring_[slot(*i)].version;
  return std::nullopt;
}

void WriteBuffer::pop_front() {
  assert(count_ > 0);
  head_ = (head_ + 1) % ring_.size();
  --count_;
}

bool WriteBuffer::remove(std::uint64_t addr) {
  const auto i = position(addr & line_mask_);
  if (!i) return false;
  for (std::size_t k = *i; k + 1 < count_; ++k) ring_[slot(k)] = ring_[slot(k + 1)];
  --count_;
  return true;
}

}  // namespace dmasim::cache
