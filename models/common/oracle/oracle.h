#pragma once
// The data-version oracle (DESIGN.md, "How a run flows", step 5; docs/oracle.md).
//
// Every write of (part of) a cache line creates a new version number of that line, globally
// increasing in call order. Transactions carry the versions they write or read in their MemExt.
// The models that hold data (caches, store buffers, DRAM) keep the version of what they hold;
// they tell the oracle nothing about holding. They report three things:
//   write()   when an agent writes a line: the oracle hands out the new version;
//   publish() when a version becomes visible more widely: committed into a coherent cache of the
//             writer's domain (Scope::Domain), or arrived at the point of coherency, i.e. memory
//             (Scope::PoC: a clean, an eviction, a non-cacheable or device write completing);
//   read()    when a read completes: the version the reader actually obtained.
// read() compares the version obtained with the newest version a correctly synchronised program
// must see at the time the read was issued, and records a violation when it is older (or when a
// device reads a line whose newest version was written by a CPU and never cleaned to the PoC).
//
// SystemC-free. O(1) per call; state per written line only (reads of never-written lines cost a
// failed hash lookup). Deterministic: versions are handed out in call order and nothing iterates
// the hash map; reports are sorted. MemExt helpers are in mem_ext_oracle.h.
#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/common/sim_time.h"
#include "models/common/stats/registry.h"

namespace dmasim::oracle {

using Version = std::uint64_t;
using AgentId = std::uint32_t;
using DomainId = std::uint32_t;
using Address = std::uint64_t;

inline constexpr Version kInitialVersion = 0;  // what memory holds before anyone wrote the line
inline constexpr AgentId kNoAgent = std::numeric_limits<AgentId>::max();
inline constexpr DomainId kPrivateDomain = std::numeric_limits<DomainId>::max();  // see register_agent
inline constexpr std::uint64_t kNoCycle = std::numeric_limits<std::uint64_t>::max();

// CPU agents cache their writes: a CPU write reaches devices outside its coherence domain only
// through cache maintenance (or a non-cacheable / write-buffer drain). Device writes reach memory
// by themselves when they complete.
enum class AgentKind : std::uint8_t { Cpu, Device };

// How far a version is visible.
enum class Scope : std::uint8_t {
  Writer,  // only the writing agent (store buffer, write in flight)
  Domain,  // every agent of the writer's coherence domain (committed to a coherent cache)
  PoC,     // everyone: the version is at the point of coherency (memory)
};

enum class ViolationKind : std::uint8_t {
  DeviceReadStale,       // a device read an older version while the newest is only in a CPU's
                         // cache / store buffer: missing dma_sync_*_for_device / clean
  CpuStaleAfterDma,      // a CPU read an older version than a device wrote to memory: stale
                         // cached line, missing invalidate / dma_sync_*_for_cpu
  StaleWriteback,        // an older version reached memory after a newer one (a dirty CPU line
                         // written back over DMA data, or two writers sharing a line)
  StaleRead,             // any other read of an older version than the newest visible one
};
inline constexpr std::size_t kViolationKinds = 4;
std::string_view to_string(ViolationKind kind);  // "device-read-stale", ...
std::string_view to_string(AgentKind kind);      // "cpu", "device"
std::string_view to_string(Scope scope);         // "writer", "domain", "poc"

// Who wrote a version, and when.
struct WriteInfo {
  Version version = kInitialVersion;
  AgentId writer = kNoAgent;      // kNoAgent: initial contents, or too old to be remembered
  Picoseconds time = 0;           // when the version was created (write())
  std::uint64_t cycle = kNoCycle;  // the writer's cycle, when it gave one
};

struct Violation {
  ViolationKind kind = ViolationKind::StaleRead;
  std::uint64_t seq = 0;         // detection order, 0-based
  Address address = 0;           // the address the reader asked for (line-aligned for writebacks)
  Address line = 0;              // line-aligned address
  AgentId reader = kNoAgent;     // kNoAgent for StaleWriteback
  Picoseconds time = 0;          // read: issue time; writeback: arrival at the PoC
  std::uint64_t cycle = kNoCycle;  // the reader's cycle at issue, when given
  WriteInfo got;                 // the version obtained (read) or written back
  WriteInfo expected;            // the newest version the reader had to see / memory held
  bool expected_published = true;  // false: expected is not at the PoC (only in a CPU cache)
};

struct Config {
  bool enabled = true;               // false: every call returns at once, nothing is recorded
  std::uint32_t line_bytes = 64;     // the platform's coherence granule: 32 or 64
  std::size_t max_recorded = 1000;   // violations kept for the report; all are counted
};

class Oracle {
 public:
  // Throws UserError when config.line_bytes is not 32 or 64.
  explicit Oracle(Config config = {});
  Oracle(const Oracle&) = delete;
  Oracle& operator=(const Oracle&) = delete;

  // Registers the oracle's counters under `group` ("writes", "reads_checked", "violations",
  // "violations_by_kind.<kind>", ...). Call once, at elaboration; counts so far carry over.
  void attach_stats(stats::Group group);

  // ---- elaboration -------------------------------------------------------------------------
  // A coherence domain: agents whose accesses stay coherent with each other through snoops (the
  // CPU clusters behind a CCI, plus ACE-Lite IO-coherent masters).
  DomainId add_domain(std::string name);
  // `domain` is an add_domain() id, or kPrivateDomain for a non-coherent agent (it then gets a
  // domain of its own, named after it). Ids are dense, from 0, in registration order.
  AgentId register_agent(std::string name, DomainId domain, AgentKind kind);

  // ---- simulation --------------------------------------------------------------------------
  // Calls must come in non-decreasing simulated time, as SystemC runs them, except that read()
  // is called at completion with the earlier issue time.

  // `agent` writes (part of) the line holding `address` at `time`: returns the new version, which
  // the model carries in MemExt. Visible to `visible` at once (publish() widens it later).
  // Disabled oracle: returns kInitialVersion.
  Version write(AgentId agent, Address address, Picoseconds time, std::uint64_t cycle = kNoCycle,
                Scope visible = Scope::Writer);

  // `version` of the line holding `address` became visible to `scope` at `time`. Scope::PoC is
  // reported by the memory side for every write it completes (DRAM controller, or the last
  // point of coherency before it); Scope::Domain by the cache a CPU store commits into. An older
  // version arriving at the PoC after a newer one is a StaleWriteback violation. Scope::Writer
  // is a no-op.
  void publish(Address address, Version version, Picoseconds time, Scope scope = Scope::PoC);

  // `reader` obtained `got` for the line holding `address`; the read was issued at `issued_at`
  // (MemExt::created_at). Call once per line, when the data is consumed (a load completing, a
  // device read beat) — not for fills, prefetches, snoops or writebacks.
  void read(AgentId reader, Address address, Version got, Picoseconds issued_at,
            std::uint64_t cycle = kNoCycle);

  // The same over [address, address + bytes): one version per line covered, in address order
  // (the layout of MemExt::versions()). `out` / `got` must have lines_covered() elements.
  void write_range(AgentId agent, Address address, std::uint64_t bytes, Picoseconds time,
                   std::span<Version> out, std::uint64_t cycle = kNoCycle,
                   Scope visible = Scope::Writer);
  void publish_range(Address address, std::uint64_t bytes, std::span<const Version> versions,
                     Picoseconds time, Scope scope = Scope::PoC);
  void read_range(AgentId reader, Address address, std::uint64_t bytes,
                  std::span<const Version> got, Picoseconds issued_at,
                  std::uint64_t cycle = kNoCycle);

  // ---- queries -----------------------------------------------------------------------------
  bool enabled() const { return config_.enabled; }
  std::uint32_t line_bytes() const { return config_.line_bytes; }
  Address line_of(Address address) const { return address & ~Address{config_.line_bytes - 1}; }
  std::size_t lines_covered(Address address, std::uint64_t bytes) const;

  // The version memory holds for the line: the last one published at the PoC, in arrival order
  // (kInitialVersion if none). A DRAM model may use it instead of keeping its own map.
  Version memory_version(Address address) const;
  // The newest version written to the line (kInitialVersion if none).
  Version newest_version(Address address) const;

  const std::string& agent_name(AgentId id) const;
  AgentKind agent_kind(AgentId id) const { return agents_.at(id).kind; }
  DomainId agent_domain(AgentId id) const { return agents_.at(id).domain; }
  const std::string& domain_name(DomainId id) const { return domains_.at(id); }

  std::uint64_t writes() const { return c_writes_->value(); }
  std::uint64_t reads_checked() const { return c_reads_->value(); }
  std::uint64_t violation_count() const { return c_violations_->value(); }  // all, not only kept
  std::uint64_t violation_count(ViolationKind kind) const;
  std::size_t lines_tracked() const { return lines_.size(); }
  // The first Config::max_recorded violations, in detection order.
  const std::vector<Violation>& violations() const { return violations_; }

  // ---- reporting ---------------------------------------------------------------------------
  // One line in the style of the kernel's dma-debug warnings.
  std::string message(const Violation& v) const;
  // violations.txt: a header with the counts, then one paragraph per kept violation, sorted by
  // (time, line, detection order). Deterministic: no host-dependent content.
  void write_report(std::ostream& out) const;

 private:
  static constexpr std::size_t kHistory = 4;  // write records remembered per line

  struct Agent {
    std::string name;
    DomainId domain;
    AgentKind kind;
  };
  struct Visible {  // a version became visible (to a domain, or at the PoC) at a time
    Version version = kInitialVersion;
    Picoseconds time = 0;
    DomainId domain = kPrivateDomain;  // Scope::Domain entries only
  };
  struct LineState {
    std::array<WriteInfo, kHistory> writes{};  // ring; writes[head] is the newest
    std::uint8_t head = 0;
    std::array<Visible, 2> poc{};   // [0] newest PoC publication (max version), [1] the one before
    std::array<Visible, 2> dom{};   // same for domain publications
    Version memory = kInitialVersion;  // last arrival at the PoC
  };

  LineState* find(Address line);
  const LineState* find(Address line) const;
  LineState& touch(Address line);
  static const WriteInfo* record_of(const LineState& s, Version v);
  WriteInfo info_of(const LineState& s, Version v) const;
  // Newest entry of h visible at t (and, with filter_domain, in `domain`); nullptr when none.
  // Sets `unknown` when entries were skipped for being later than t and the history may have
  // forgotten an older one (a race: several publications while the read was in flight).
  static const Visible* as_of(const std::array<Visible, 2>& h, Picoseconds t, bool filter_domain,
                              DomainId domain, bool& unknown);
  static void push(std::array<Visible, 2>& h, Visible v);
  void record(Violation v);
  std::string who(AgentId id) const;
  std::string describe_version(const WriteInfo& w) const;

  Config config_;
  std::vector<std::string> domains_;
  std::vector<Agent> agents_;
  std::unordered_map<Address, LineState> lines_;  // never iterated
  Version next_version_ = 1;
  std::vector<Violation> violations_;

  // Counters: the oracle's own until attach_stats() points them into a registry.
  struct Own {
    stats::Counter writes, publishes, reads, violations, history_misses, lines;
    std::array<stats::Counter, kViolationKinds> by_kind;
  } own_;
  stats::Counter* c_writes_ = &own_.writes;
  stats::Counter* c_publishes_ = &own_.publishes;
  stats::Counter* c_reads_ = &own_.reads;
  stats::Counter* c_violations_ = &own_.violations;
  stats::Counter* c_history_misses_ = &own_.history_misses;
  stats::Counter* c_lines_ = &own_.lines;
  std::array<stats::Counter*, kViolationKinds> c_by_kind_{};  // set by the constructor
};

}  // namespace dmasim::oracle
