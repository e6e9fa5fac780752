#include "models/cache/mshr.h"

#include <cassert>

namespace dmasim::cache {

MshrTable::MshrTable(unsigned entries, unsigned targets_per_entry, unsigned line_size, stats::Group stats)
    : entries_(entries),
      targets_per_entry_(targets_per_entry),
      line_mask_(~(std::uint64_t{line_size} - 1)),
      allocations_(stats.counter("allocations", "misses", "MSHR entries allocated (misses issued)")),
      merges_(stats.counter("merges", "requests", "misses merged into a pending MSHR")),
      full_stalls_(stats.counter("full_stalls", "requests", "misses refused: every MSHR busy")),
      target_stalls_(stats.counter("target_stalls", "requests", "misses refused: the line's MSHR full of targets")) {
  assert(entries >= 1 && targets_per_entry >= 1 && line_size >= 1 && (line_size & (line_size - 1)) == 0);
  for (auto& e : entries_) e.targets.reserve(targets_per_entry);
}

MshrEntry* MshrTable::find_mut(std::uint64_t line) {
  for (auto& e : entries_)
    if (e.valid && e.line == line) return &e;
  return nullptr;
}

const MshrEntry* MshrTable::find(std::uint64_t addr) const {
  const std::uint64_t line = addr & line_mask_;
  for (const auto& e : entries_)
    if (e.valid && e.line == line) return &e;
  return nullptr;
}

MshrAdd MshrTable::add(std::uint64_t addr, bool is_write, std::uint64_t id) {
  const std::uint64_t line = addr & line_mask_;
  if (MshrEntry* e = find_mut(line)) {
    if (e->targets.size() >= targets_per_entry_) {
      target_stalls_.inc();
      return MshrAdd::NoTarget;
    }
    e->targets.push_back(MshrTarget{addr, is_write, id});
    e->wants_ownership = e->wants_ownership || is_write;
    merges_.inc();
    return MshrAdd::Merged;
  }
  if (full()) {
    full_stalls_.inc();
    return MshrAdd::NoEntry;
  }
  for (auto& e : entries_) {
    if (e.valid) continue;
    e.valid = true;
    e.line = line;
    e.order = next_order_++;
    e.wants_ownership = is_write;
    e.issued = false;
    e.issued_with_ownership = false;
    e.targets.clear();
    e.targets.push_back(MshrTarget{addr, is_write, id});
    ++in_use_;
    allocations_.inc();
    return MshrAdd::Allocated;
  }
  assert(false && "in_use_ out of step with the entries");
  return MshrAdd::NoEntry;
}

void MshrTable::mark_issued(std::uint64_t addr, bool with_ownership) {
  MshrEntry* e = find_mut(addr & line_mask_);
  assert(e != nullptr);
  if (e == nullptr) return;
  e->issued = true;
  e->issued_with_ownership = with_ownership;
}

const MshrEntry* MshrTable::next_to_issue() const {
  const MshrEntry* best = nullptr;
  for (const auto& e : entries_)
    if (e.valid && !e.issued && (best == nullptr || e.order < best->order)) best = &e;
  return best;
}

bool MshrTable::complete(std::uint64_t addr, std::vector<MshrTarget>& out) {
  out.clear();
  MshrEntry* e = find_mut(addr & line_mask_);
  if (e == nullptr) return false;
  out.insert(out.end(), e->targets.begin(), e->targets.end());
  e->targets.clear();
  e->valid = false;
  --in_use_;
  return true;
}

}  // namespace dmasim::cache
