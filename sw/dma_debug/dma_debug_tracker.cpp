#include "sw/dma_debug/dma_debug_tracker.h"

#include <fmt/format.h>

#include "sw/dma_api/device.h"

namespace dmasim::sw {

namespace {
const char* type_name(DebugEntryType t) {
  switch (t) {
    case DebugEntryType::Single: return "single";
    case DebugEntryType::Page: return "page";
    case DebugEntryType::Sg: return "scatter-gather";
    case DebugEntryType::Coherent: return "coherent";
  }
  return "?";
}
bool streaming(DebugEntryType t) { return t != DebugEntryType::Coherent; }
}  // namespace

DmaDebugTracker::DmaDebugTracker(stats::Group stats, std::function<bool(VirtAddr)> is_vmalloc,
                                 std::function<Picoseconds()> now)
    : stats_(std::move(stats)), is_vmalloc_(std::move(is_vmalloc)), now_(std::move(now)) {
  total_ = &stats_.counter("total", "violations", "dma-debug violations of every kind");
}

void DmaDebugTracker::report(const std::string& dev, const std::string& kind, const std::string& message) {
  auto it = by_kind_.find(kind);
  if (it == by_kind_.end())
    it = by_kind_.emplace(kind, &stats_.group("violations").counter(kind, "violations", "dma-debug violations of this kind")).first;
  it->second->inc();
  total_->inc();
  violations_.push_back(DebugViolation{dev, kind, fmt::format("DMA-API: {}: {}", dev, message), now_()});
}

std::string DmaDebugTracker::report() const {
  std::string out;
  if (violations_.empty()) return out;
  out += fmt::format("# dma-debug: {} violations\n", violations_.size());
  for (const DebugViolation& v : violations_)
    out += fmt::format("{:.3f} ns {}\n", static_cast<double>(v.at) / 1000.0, v.message);
  return out;
}

// ---- the overlapping-cacheline check ------------------------------------------------------------
// As the kernel's active-cacheline tracking: a mapping the device may write (not DMA_TO_DEVICE) is
// keyed by its first cacheline only; a second one starting in the same line is EEXIST, reported
// unless it was mapped with DMA_ATTR_SKIP_CPU_SYNC. The count of extra mappings of a line lives in
// the radix tree's tag bits, so it stops at kMaxOverlap (the kernel then warns once and stops
// counting, and the line's key goes with the 8th unmap, not the last: modelled as it behaves).

void DmaDebugTracker::add_cacheline(const std::string& dev, const Entry& e) {
  if (e.dir == DmaDirection::ToDevice) return;
  const std::uint64_t line = e.phys >> kCachelineShift;
  const auto [it, inserted] = active_lines_.try_emplace(line, 0);
  if (inserted) return;
  const unsigned overlap = it->second + 1;
  if (overlap <= kMaxOverlap) {
    it->second = overlap;
  } else if (!overlap_limit_warned_) {
    overlap_limit_warned_ = true;
    report(dev, "cacheline_overlap_limit",
           fmt::format("exceeded {} overlapping mappings of cacheline 0x{:x}", kMaxOverlap, line));
  }
  if ((e.attrs & DMA_ATTR_SKIP_CPU_SYNC) == 0)
    report(dev, "cacheline_overlap",
           fmt::format("cacheline tracking EEXIST, overlapping mappings aren't supported [phys=0x{:x}] [size={}]", e.phys,
                       e.size));
}

void DmaDebugTracker::remove_cacheline(const Entry& e) {
  if (e.dir == DmaDirection::ToDevice) return;
  auto it = active_lines_.find(e.phys >> kCachelineShift);
  if (it == active_lines_.end()) return;  // dropped early after an overflowed count
  if (it->second == 0) active_lines_.erase(it);
  else --it->second;
}

// ---- pages freed under a live mapping (not a kernel check) --------------------------------------

void DmaDebugTracker::pages_freed(PhysAddr phys, std::uint64_t bytes) {
  for (const auto& [key, e] : entries_) {
    if (e.dma == DMA_MAPPING_ERROR || e.size == 0 || e.phys >= phys + bytes || phys >= e.phys + e.size) continue;
    report(key.first, "free_pages_mapped",
           fmt::format("pages freed while still mapped for DMA [phys=0x{:x}] [size={}] [device address=0x{:016x}] "
                       "[mapped as {}] [map size={} bytes]",
                       phys, bytes, e.dma, type_name(e.type), e.size));
  }
}

// ---- map / unmap ----------------------------------------------------------------------------

void DmaDebugTracker::debug_dma_map_page(Device& dev, PhysAddr phys, VirtAddr va, std::uint64_t size, DmaDirection dir,
                                         DmaAddr dma_addr, DebugEntryType type, DmaAttrs attrs) {
  // As debug_dma_map_page: a failed mapping records nothing (no entry to leak or to check).
  if (dma_addr == DMA_MAPPING_ERROR) return;
  if (va != 0 && is_vmalloc_ && is_vmalloc_(va))
    report(dev.name, "map_vmalloc", fmt::format("device driver maps memory from vmalloc area [addr=0x{:x}] [len={}]", va, size));
  Entry e{type, dma_addr, size, dir, phys, va, 0, false, true, dev.dma_coherent, attrs};
  add_cacheline(dev.name, e);
  entries_[{dev.name, dma_addr}] = e;
}

void DmaDebugTracker::debug_dma_mapping_error(Device& dev, DmaAddr dma_addr) {
  const auto it = entries_.find({dev.name, dma_addr});
  if (it == entries_.end()) return;
  it->second.map_err_checked = true;
}

// check_unmap: the entry at the exact device address, whatever its type (a coherent allocation
// unmapped, or a mapping freed with dma_free_coherent, is a wrong-function report); then size,
// type (or, for coherent memory, the CPU address), sg count, direction and the unchecked
// mapping error, each reported; the entry goes in any case.
void DmaDebugTracker::unmap(Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir, DebugEntryType type,
                            int nents, VirtAddr virt) {
  const bool coherent = type == DebugEntryType::Coherent;
  const auto it = entries_.find({dev.name, addr});
  if (it == entries_.end()) {
    if (addr == DMA_MAPPING_ERROR)
      report(dev.name, "unmap_invalid_address", "device driver tries to free an invalid DMA memory address");
    else
      report(dev.name, coherent ? "free_not_allocated" : "unmap_not_mapped",
             fmt::format("device driver tries to free DMA memory it has not allocated [device address=0x{:016x}] [size={} bytes]",
                         addr, size));
    return;
  }
  const Entry e = it->second;
  if (e.size != size)
    report(dev.name, coherent ? "free_size" : "unmap_size",
           fmt::format("device driver frees DMA memory with different size [device address=0x{:016x}] [map size={} bytes] "
                       "[unmap size={} bytes]", addr, e.size, size));
  if (e.type != type)
    report(dev.name, "unmap_function",
           fmt::format("device driver frees DMA memory with wrong function [device address=0x{:016x}] [size={} bytes] "
                       "[mapped as {}] [unmapped as {}]", addr, size, type_name(e.type), type_name(type)));
  else if (coherent && e.va != virt)
    report(dev.name, "free_cpu_address",
           fmt::format("device driver frees DMA memory with different CPU address [device address=0x{:016x}] [size={} bytes] "
                       "[cpu alloc address=0x{:x}] [cpu free address=0x{:x}]", addr, size, e.va, virt));
  if (type == DebugEntryType::Sg && e.sg_nents != nents)
    report(dev.name, "unmap_sg_count",
           fmt::format("device driver frees DMA sg list with different entry count [map count={}] [unmap count={}]",
                       e.sg_nents, nents));
  if (e.dir != dir)
    report(dev.name, "unmap_direction",
           fmt::format("device driver frees DMA memory with different direction [device address=0x{:016x}] [size={} bytes] "
                       "[mapped with {}] [unmapped with {}]", addr, size, to_string(e.dir), to_string(dir)));
  if (!e.map_err_checked)
    report(dev.name, "unchecked_map_error",
           fmt::format("device driver failed to check map error [device address=0x{:016x}] [size={} bytes] [mapped as {}]",
                       addr, size, type_name(e.type)));
  remove_cacheline(e);
  entries_.erase(it);
}

void DmaDebugTracker::debug_dma_unmap_page(Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir,
                                           DebugEntryType type) {
  unmap(dev, addr, size, dir, type, 0, 0);
}

void DmaDebugTracker::debug_dma_map_sg(Device& dev, const SgTable& sg, int mapped_ents, DmaDirection dir,
                                       DmaAttrs attrs) {
  if (mapped_ents <= 0) return;
  // One entry per DMA segment (an IOMMU may merge the list into fewer), sized by its dma_length.
  for (int i = 0; i < mapped_ents && i < static_cast<int>(sg.size()); ++i) {
    const Scatterlist& s = sg[static_cast<std::size_t>(i)];
    Entry e{DebugEntryType::Sg, s.dma_address, s.dma_length, dir, s.phys(), 0, static_cast<int>(sg.size()), true, true,
            dev.dma_coherent, attrs};
    add_cacheline(dev.name, e);
    entries_[{dev.name, s.dma_address}] = e;
  }
}

void DmaDebugTracker::debug_dma_unmap_sg(Device& dev, const SgTable& sg, DmaDirection dir) {
  for (const Scatterlist& s : sg) {
    if (s.dma_length == 0) break;  // past the mapped segments
    unmap(dev, s.dma_address, s.dma_length, dir, DebugEntryType::Sg, static_cast<int>(sg.size()), 0);
  }
}

void DmaDebugTracker::debug_dma_alloc_coherent(Device& dev, std::uint64_t size, DmaAddr dma_addr, VirtAddr virt,
                                               PhysAddr phys) {
  entries_[{dev.name, dma_addr}] = Entry{DebugEntryType::Coherent, dma_addr, size, DmaDirection::Bidirectional, phys,
                                         virt, 0, true, true, dev.dma_coherent};
}

void DmaDebugTracker::debug_dma_free_coherent(Device& dev, std::uint64_t size, VirtAddr virt, DmaAddr addr) {
  unmap(dev, addr, size, DmaDirection::Bidirectional, DebugEntryType::Coherent, 0, virt);
}

// ---- sync -----------------------------------------------------------------------------------

void DmaDebugTracker::sync(Device& dev, DmaAddr addr, std::uint64_t size, DmaDirection dir, bool for_cpu) {
  // As bucket_find_contain / containing_match: the mapping must hold the whole synced range (the
  // last one starting at or below addr). A range running past its end matches no entry and is
  // "not allocated"; the kernel's "outside allocated range" test (a containing entry smaller
  // than the range) can never fire.
  auto it = entries_.upper_bound({dev.name, addr});
  if (it == entries_.begin() || std::prev(it)->first.first != dev.name || !streaming(std::prev(it)->second.type) ||
      std::prev(it)->second.dma + std::prev(it)->second.size < addr + size) {
    report(dev.name, "sync_not_mapped",
           fmt::format("device driver tries to sync DMA memory it has not allocated [device address=0x{:016x}] [size={} bytes]",
                       addr, size));
    return;
  }
  Entry& e = std::prev(it)->second;
  // As check_sync: a bidirectional mapping may be synced either way; otherwise the direction
  // must match, and a mismatch that asks the CPU to read device-read-only memory (or the device
  // to get CPU-write-only memory) gets its own message too.
  if (e.dir != DmaDirection::Bidirectional) {
    if (e.dir != dir)
      report(dev.name, "sync_direction",
             fmt::format("device driver syncs DMA memory with different direction [device address=0x{:016x}] [size={} "
                         "bytes] [mapped with {}] [synced with {}]", addr, size, to_string(e.dir), to_string(dir)));
    if (for_cpu && e.dir != DmaDirection::FromDevice && dir != DmaDirection::ToDevice)
      report(dev.name, "sync_read_only_for_cpu",
             fmt::format("device driver syncs device read-only DMA memory for cpu [device address=0x{:016x}] [size={} "
                         "bytes] [mapped with {}] [synced with {}]", addr, size, to_string(e.dir), to_string(dir)));
    if (!for_cpu && e.dir != DmaDirection::ToDevice && dir != DmaDirection::FromDevice)
      report(dev.name, "sync_write_only_to_device",
             fmt::format("device driver syncs device write-only DMA memory to device [device address=0x{:016x}] [size={} "
                         "bytes] [mapped with {}] [synced with {}]", addr, size, to_string(e.dir), to_string(dir)));
  }
  e.device_owns = !for_cpu;
}

void DmaDebugTracker::debug_dma_sync_single_for_cpu(Device& dev, DmaAddr h, std::uint64_t size, DmaDirection dir) {
  sync(dev, h, size, dir, true);
}
void DmaDebugTracker::debug_dma_sync_single_for_device(Device& dev, DmaAddr h, std::uint64_t size, DmaDirection dir) {
  sync(dev, h, size, dir, false);
}
void DmaDebugTracker::debug_dma_sync_sg_for_cpu(Device& dev, const SgTable& sg, DmaDirection dir) {
  for (const Scatterlist& s : sg) {
    if (s.dma_length == 0) break;
    sync(dev, s.dma_address, s.dma_length, dir, true);
  }
}
void DmaDebugTracker::debug_dma_sync_sg_for_device(Device& dev, const SgTable& sg, DmaDirection dir) {
  for (const Scatterlist& s : sg) {
    if (s.dma_length == 0) break;
    sync(dev, s.dma_address, s.dma_length, dir, false);
  }
}

void DmaDebugTracker::dma_debug_device_release(Device& dev) {
  std::uint64_t count = 0;
  const Entry* first = nullptr;
  for (const auto& [key, e] : entries_)
    if (key.first == dev.name) {
      if (first == nullptr) first = &e;
      ++count;
    }
  if (count == 0) return;
  report(dev.name, "pending_at_release",
         fmt::format("device driver has pending DMA allocations while released from device [count={}] "
                     "One of leaked entries details: [device address=0x{:016x}] [size={} bytes] [mapped with {}] [mapped as {}]",
                     count, first->dma, first->size, to_string(first->dir), type_name(first->type)));
}

// ---- ownership: the checks the kernel lacks ---------------------------------------------------

void DmaDebugTracker::cpu_access(const std::string& who, PhysAddr phys, std::uint64_t size, bool write) {
  for (const auto& [key, e] : entries_) {
    if (!streaming(e.type) || !e.device_owns || e.coherent_dev || e.dma == DMA_MAPPING_ERROR) continue;
    if (phys >= e.phys + e.size || e.phys >= phys + size) continue;
    if (!write && e.dir == DmaDirection::ToDevice) continue;  // reading what the device only reads is harmless
    report(key.first, "cpu_access_device_owned",
           fmt::format("CPU {} {} DMA memory the device owns [phys=0x{:x}] [size={} bytes] [mapped with {}] "
                       "(missing dma_sync_*_for_cpu or dma_unmap?)", who, write ? "writes" : "reads", phys, size,
                       to_string(e.dir)));
    return;
  }
}

void DmaDebugTracker::device_access(Device& dev, DmaAddr addr, std::uint64_t size, bool write) {
  auto it = entries_.upper_bound({dev.name, addr});
  const Entry* e = nullptr;
  if (it != entries_.begin() && std::prev(it)->first.first == dev.name) {
    const Entry& c = std::prev(it)->second;
    if (c.dma != DMA_MAPPING_ERROR && addr + size <= c.dma + c.size) e = &c;
  }
  if (e == nullptr) {
    report(dev.name, "device_access_unmapped",
           fmt::format("device {} accesses DMA memory not mapped for it [device address=0x{:016x}] [size={} bytes]",
                       write ? "writes" : "reads", addr, size));
    return;
  }
  if (!streaming(e->type)) return;
  if (!e->device_owns)
    report(dev.name, "device_access_cpu_owned",
           fmt::format("device {} DMA memory the CPU owns [device address=0x{:016x}] [size={} bytes] "
                       "(missing dma_sync_*_for_device?)", write ? "writes" : "reads", addr, size));
  else if ((write && e->dir == DmaDirection::ToDevice) || (!write && e->dir == DmaDirection::FromDevice))
    report(dev.name, "device_access_direction",
           fmt::format("device {} DMA memory mapped with {} [device address=0x{:016x}] [size={} bytes]",
                       write ? "writes" : "reads", to_string(e->dir), addr, size));
}

}  // namespace dmasim::sw
