#include "models/cpu/store_buffer.h"

#include <fmt/format.h>

#include <stdexcept>

#include "models/common/error.h"

namespace dmasim::cpu {

// ---- configuration ----------------------------------------------------------------------------

void StoreBufferConfig::describe(cfg::Fields<StoreBufferConfig>& f) {
  f("entries", &StoreBufferConfig::entries, "store buffer entries (slots of entry_size bytes)").range(1, 64);
  f("entry_size", &StoreBufferConfig::entry_size,
    "bytes one entry covers and merges (8B, 16B, 32B or 64B; normally the L1 line size, so that "
    "full-line writes to non-cacheable memory leave as one burst)");
}

std::optional<StoreBufferConfig::Problem> StoreBufferConfig::problem() const {
  if (entries < 1 || entries > 64) return Problem{"entries", fmt::format("entries must be 1 to 64, got {}", entries)};
  const std::uint64_t e = entry_size.bytes;
  if (e != 8 && e != 16 && e != 32 && e != 64)
    return Problem{"entry_size", fmt::format("entry_size must be 8B, 16B, 32B or 64B, got {}", units::format(entry_size))};
  return std::nullopt;
}

void StoreBufferConfig::validate(cfg::Validator& v) const { cfg::report(problem(), v); }

void StoreBufferConfig::check() const { cfg::raise(problem(), "store buffer configuration"); }

std::string_view to_string(DrainReason reason) {
  switch (reason) {
    case DrainReason::Dmb: return "dmb";
    case DrainReason::Dsb: return "dsb";
    case DrainReason::CacheMaintenance: return "cache_maintenance";
    case DrainReason::DeviceAccess: return "device_access";
    case DrainReason::Full: return "full";
    case DrainReason::LoadHazard: return "load_hazard";
    case DrainReason::Idle: return "idle";
    case DrainReason::Complete: return "complete";
    case DrainReason::Explicit: return "explicit";
    case DrainReason::Count: break;
  }
  return "?";
}

// ---- statistics -------------------------------------------------------------------------------

StoreBuffer::Stats::Stats(stats::Group g)
    : stores(g.counter("stores", "stores", "stores presented to the store buffer")),
      merges(g.counter("merges", "stores", "Normal-memory stores merged into an existing entry")),
      unbuffered_stores(g.counter("unbuffered_stores", "stores", "Device / Strongly-ordered stores (never merged)")),
      full_stalls(g.counter("full_stalls", "stores", "stores that found the buffer full and waited for the oldest entry")),
      loads(g.counter("loads", "loads", "loads checked against the store buffer")),
      forwarded_loads(g.counter("forwarded_loads", "loads", "loads served entirely from the store buffer")),
      load_stalls(g.counter("load_stalls", "loads", "loads that needed bytes held only in part and waited for a drain")),
      drained(g.counter("drained", "entries", "entries drained, all reasons")),
      full_line_drains(g.counter("full_line_drains", "entries", "drained entries with every byte written (one burst)")) {
  stats::Group r = g.group("drained_by");
  for (std::size_t i = 0; i < by_reason.size(); ++i) {
    const auto reason = static_cast<DrainReason>(i);
    by_reason[i] = &r.counter(to_string(reason), "entries", fmt::format("entries drained because of: {}", to_string(reason)));
  }
}

// ---- engine -----------------------------------------------------------------------------------

StoreBuffer::StoreBuffer(const StoreBufferConfig& config, stats::Group stats)
    : entry_size_(static_cast<unsigned>(config.entry_size.bytes)),
      full_mask_(config.entry_size.bytes >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << config.entry_size.bytes) - 1),
      stats_(std::move(stats)) {
  config.check();
  ring_.resize(config.entries);
}

std::pair<std::uint64_t, std::uint64_t> StoreBuffer::slot_of(std::uint64_t pa, unsigned size) const {
  const std::uint64_t addr = pa & ~std::uint64_t{entry_size_ - 1};
  const std::uint64_t offset = pa - addr;
  if (size == 0 || offset + size > entry_size_)
    throw std::invalid_argument(
        fmt::format("store buffer: access of {} bytes at PA {:#x} does not fit one {}-byte slot", size, pa, entry_size_));
  const std::uint64_t bits = size >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << size) - 1;
  return {addr, bits << offset};
}

void StoreBuffer::pop_oldest(DrainReason reason, std::vector<DrainedStore>& out) {
  const Entry& e = ring_[head_];
  const bool full_line = e.mask == full_mask_;
  out.push_back(DrainedStore{e.addr, e.mask, e.attr, full_line, e.version, e.stores, reason});
  stats_.drained.inc();
  if (full_line) stats_.full_line_drains.inc();
  stats_.drained_for(reason).inc();
  head_ = (head_ + 1) % ring_.size();
  --count_;
}

void StoreBuffer::drain_all(DrainReason reason, std::vector<DrainedStore>& out) {
  while (count_ > 0) pop_oldest(reason, out);
}

bool StoreBuffer::drain_oldest(DrainReason reason, std::vector<DrainedStore>& out) {
  if (count_ == 0) return false;
  pop_oldest(reason, out);
  return true;
}

bool StoreBuffer::drain_complete(std::uint64_t pa, std::vector<DrainedStore>& out) {
  const std::uint64_t addr = pa & ~std::uint64_t{entry_size_ - 1};
  for (std::size_t i = count_; i-- > 0;) {
    const Entry& e = at(i);
    if (e.addr != addr) continue;
    if (e.mask != full_mask_) return false;
    for (std::size_t n = 0; n <= i; ++n) pop_oldest(DrainReason::Complete, out);
    return true;
  }
  return false;
}

StoreOutcome StoreBuffer::store(std::uint64_t pa, unsigned size, MemAttr attr, std::uint64_t version,
                                std::vector<DrainedStore>& out) {
  const auto [addr, mask] = slot_of(pa, size);
  stats_.stores.inc();
  if (!is_normal(attr)) {
    drain_all(DrainReason::DeviceAccess, out);
    stats_.unbuffered_stores.inc();
    return StoreOutcome::Unbuffered;
  }
  // Merge into the youngest entry of the slot, if it has the same memory type (merging into an
  // older one past a younger entry of the slot would reorder the two).
  for (std::size_t i = count_; i-- > 0;) {
    Entry& e = at(i);
    if (e.addr != addr) continue;
    if (e.attr != attr) break;
    e.mask |= mask;
    e.version = version;
    ++e.stores;
    stats_.merges.inc();
    return StoreOutcome::Merged;
  }
  StoreOutcome outcome = StoreOutcome::Allocated;
  if (full()) {
    stats_.full_stalls.inc();
    pop_oldest(DrainReason::Full, out);
    outcome = StoreOutcome::AllocatedAfterFull;
  }
  ring_[(head_ + count_) % ring_.size()] = Entry{addr, mask, attr, version, 1};
  ++count_;
  return outcome;
}

LoadResult StoreBuffer::load(std::uint64_t pa, unsigned size, MemAttr attr, std::vector<DrainedStore>& out) {
  const auto [addr, mask] = slot_of(pa, size);
  stats_.loads.inc();
  if (!is_normal(attr)) {
    drain_all(DrainReason::DeviceAccess, out);
    return LoadResult{LoadOutcome::Unbuffered, 0};
  }
  // Bytes from the youngest entries first. The youngest entry holding a wanted byte supplies
  // the version (an entry lies within one line, and that entry holds the line's newest version).
  std::uint64_t covered = 0;
  std::uint64_t version = 0;
  std::optional<std::size_t> youngest_hit;
  for (std::size_t i = count_; i-- > 0;) {
    const Entry& e = at(i);
    if (e.addr != addr || (e.mask & mask) == 0) continue;
    if (!youngest_hit) {
      youngest_hit = i;
      version = e.version;
    }
    covered |= e.mask & mask;
  }
  if (!youngest_hit) return LoadResult{LoadOutcome::Miss, 0};
  if (covered == mask) {
    stats_.forwarded_loads.inc();
    return LoadResult{LoadOutcome::Forwarded, version};
  }
  // Partial: every entry holding wanted bytes must reach the cache first; drain in order up to
  // and including the youngest of them.
  const std::size_t drains = *youngest_hit + 1;
  for (std::size_t n = 0; n < drains; ++n) pop_oldest(DrainReason::LoadHazard, out);
  stats_.load_stalls.inc();
  return LoadResult{LoadOutcome::Stall, 0};
}

}  // namespace dmasim::cpu
