#pragma once
// Glue between the oracle and MemExt (which carries one version per line covered, in address
// order): what an initiator, a cache or a memory target calls for a whole transaction. Kept apart
// from oracle.h so that the oracle itself stays free of SystemC.
#include <array>
#include <cassert>
#include <cstdint>

#include "models/common/oracle/oracle.h"
#include "models/common/tlm/mem_ext.h"

namespace dmasim::oracle {

// A write transaction is created: one new version per line of [address, address + bytes), put in
// `ext` (replacing any versions it carried). The transaction must fit MemExt (kMaxLines lines).
inline void write_to_ext(Oracle& oracle, AgentId agent, Address address, std::uint64_t bytes,
                         Picoseconds time, MemExt& ext, std::uint64_t cycle = kNoCycle,
                         Scope visible = Scope::Writer) {
  std::array<Version, MemExt::kMaxLines> v{};
  const std::size_t n = oracle.lines_covered(address, bytes);
  assert(n <= MemExt::kMaxLines && "write_to_ext: transaction larger than MemExt carries");
  oracle.write_range(agent, address, bytes, time, std::span<Version>(v.data(), n), cycle, visible);
  ext.clear_versions();
  for (std::size_t i = 0; i < n; ++i) ext.add_version(v[i]);
}

// The versions `ext` carries reached `scope` (a memory target: Scope::PoC on write completion).
inline void publish_from_ext(Oracle& oracle, Address address, std::uint64_t bytes,
                             const MemExt& ext, Picoseconds time, Scope scope = Scope::PoC) {
  oracle.publish_range(address, bytes, ext.versions(), time, scope);
}

// A read transaction completed with the versions in `ext`; issued at ext.created_at.
inline void check_read_ext(Oracle& oracle, AgentId reader, Address address, std::uint64_t bytes,
                           const MemExt& ext, std::uint64_t cycle = kNoCycle) {
  oracle.read_range(reader, address, bytes, ext.versions(), ext.created_at, cycle);
}

}  // namespace dmasim::oracle
