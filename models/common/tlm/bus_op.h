#pragma once
// What a transaction asks of the memory system, after the AMBA ACE transaction kinds (MemExt::op).
// The TLM command says whether data moves down (WRITE), up (READ) or not at all (IGNORE); the op
// says what the coherent parts of the system (caches, crossbars) must do about other copies.
// The conventions every model follows are in docs/protocol.md.
#include <cstdint>
#include <string_view>

namespace dmasim {

enum class BusOp : std::uint8_t {
  // Non-coherent accesses: non-cacheable or Device memory, or any access from a master on a
  // non-coherent port. Caches pass them through untouched; crossbars never snoop them.
  ReadNoSnoop,   // READ
  WriteNoSnoop,  // WRITE
  // A core's own loads and stores into its L1 (core -> L1 only; the L1 turns misses into
  // ReadShared / ReadUnique / CleanUnique below).
  Load,   // READ
  Store,  // WRITE (bytes of one line; the version the store buffer entry carries)
  // Line fills by a cache (one whole line, line-aligned).
  ReadShared,  // READ: for a load or a prefetch; others keep copies (M -> O under MOESI)
  ReadUnique,  // READ: for a store; every other copy is invalidated, dirty data passed on
  CleanUnique, // IGNORE: upgrade of a Shared/Owned copy; other copies invalidated
  // IO-coherent (ACE-Lite) accesses: snoop the caches of the ACE ports, never cached themselves.
  ReadOnce,     // READ: takes the newest data (dirty data from a cache); caches keep their copies
  WriteUnique,  // WRITE: other copies invalidated (a dirty one written to memory first unless
                // the write covers its whole line)
  // A dirty line leaving a cache: eviction (WriteBack) or a clean that keeps the line (WriteClean).
  // Never snooped. The cache below absorbs it, or memory takes it.
  WriteBack,   // WRITE
  WriteClean,  // WRITE
  // Cache maintenance by address to the point of coherency (DC CVAC / DC CIVAC / DC IVAC). One
  // line per transaction. Each cache on the way applies it; a crossbar broadcasts it to the other
  // ACE ports. WRITE when it carries dirty data picked up on the way (the newest version of the
  // line, MemExt::versions()[0]), IGNORE otherwise. The response means the line is clean (and,
  // for the invalidating kinds, gone) everywhere up to the point of coherency.
  CleanShared,   // DC CVAC
  CleanInvalid,  // DC CIVAC
  MakeInvalid,   // DC IVAC (dirty copies are dropped: data lost, counted)
  // Cache maintenance by set/way (DC CSW / DC ISW / DC CISW): the address is the SetWay operand
  // (level in bits [3:1]). Handled by the cache of that level on the core's path; IGNORE.
  CleanSetWay,
  InvalidateSetWay,
  CleanInvalidateSetWay,
};

std::string_view to_string(BusOp op);

// A fill or write that takes part in coherence (snoops other caches).
constexpr bool is_snooping(BusOp op) {
  return op == BusOp::ReadShared || op == BusOp::ReadUnique || op == BusOp::CleanUnique || op == BusOp::ReadOnce ||
         op == BusOp::WriteUnique;
}
constexpr bool is_maintenance(BusOp op) {
  return op == BusOp::CleanShared || op == BusOp::CleanInvalid || op == BusOp::MakeInvalid;
}
constexpr bool is_set_way(BusOp op) {
  return op == BusOp::CleanSetWay || op == BusOp::InvalidateSetWay || op == BusOp::CleanInvalidateSetWay;
}
// Passes through caches without allocating.
constexpr bool is_no_snoop(BusOp op) { return op == BusOp::ReadNoSnoop || op == BusOp::WriteNoSnoop; }
// A snoop of this kind leaves no copy behind in the snooped cache.
constexpr bool snoop_invalidates(BusOp op) {
  return op == BusOp::ReadUnique || op == BusOp::CleanUnique || op == BusOp::WriteUnique ||
         op == BusOp::CleanInvalid || op == BusOp::MakeInvalid;
}

}  // namespace dmasim
