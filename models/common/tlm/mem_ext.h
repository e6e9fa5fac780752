#pragma once
// MemExt: the one TLM extension every dmasim transaction carries (DESIGN.md, "How a run flows").
// It says who issued the transaction and with which attributes (the AXI/ACE side-band a real
// interconnect would see: memory type, coherence intent, stream id), gives it an id for tracing,
// and carries the data versions the coherence oracle compares.
//
// Payloads from PayloadPool come with a MemExt attached; the pool owns it. Models read and write
// its fields but never replace, clear or release it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <tlm>

#include "models/common/sim_time.h"
#include "models/common/tlm/bus_op.h"

namespace dmasim {

// Memory type of the access, from the MMU attributes of the page (or the device's AXI cache bits).
enum class MemType : std::uint8_t {
  NormalWriteBack,     // Normal, cacheable (write-back, read/write-allocate)
  NormalNonCacheable,  // Normal, non-cacheable: bufferable, may be gathered (write-combine)
  Device,              // Device / Strongly-ordered: neither cached nor merged
};

// What the transaction asks of the coherent interconnect.
enum class Coherence : std::uint8_t {
  NonCoherent,    // no snoops: plain AXI port
  IoCoherent,     // ACE-Lite: snoops the CPU caches, holds no cache itself
  FullyCoherent,  // ACE: a caching master taking part in the protocol
};

std::string_view to_string(MemType type);
std::string_view to_string(Coherence coherence);

class MemExt final : public tlm::tlm_extension<MemExt> {
 public:
  // Largest transaction and cache line dmasim models, hence the most lines one transaction
  // covers. A 256-byte transaction must therefore be line-aligned; shorter ones may straddle.
  static constexpr std::size_t kMaxTransactionBytes = 256;
  static constexpr std::size_t kMaxLineBytes = 64;
  static constexpr std::size_t kMaxLines = kMaxTransactionBytes / kMaxLineBytes;

  std::uint32_t initiator_id = 0;  // the issuing master (core, device), platform-assigned
  std::uint32_t stream_id = 0;     // SYSMMU stream / AXI ID space of the master
  MemType mem_type = MemType::NormalWriteBack;
  Coherence coherence = Coherence::NonCoherent;
  std::uint64_t txn_id = 0;      // unique per run, for traces
  Picoseconds created_at = 0;    // when the initiator created the transaction
  BusOp op = BusOp::ReadNoSnoop; // what the coherent parts of the system must do (bus_op.h)
  // Response attributes of a line fill (ACE RRESP IsShared / PassDirty): another cache kept a
  // copy (fill Shared), or the data comes dirty with the duty to write it back (fill Modified).
  bool resp_shared = false;
  bool resp_dirty = false;

  // Data versions, one per cache line covered, in address order: a write carries the versions it
  // creates, a read returns the versions it saw. Inline storage: no allocation per transaction.
  std::span<const std::uint64_t> versions() const { return {versions_.data(), version_count_}; }
  std::size_t version_count() const { return version_count_; }
  void add_version(std::uint64_t version);  // asserts fewer than kMaxLines are present
  void set_version(std::size_t line, std::uint64_t version);  // line < version_count()
  void clear_versions() { version_count_ = 0; }

  // Back to the state of a newly constructed MemExt (what PayloadPool does on recycling).
  void reset() { *this = MemExt{}; }

  // The MemExt of a payload that must carry one (every payload from PayloadPool); asserts.
  static MemExt& of(const tlm::tlm_generic_payload& gp);

  // tlm_extension interface: deep copies, as the TLM-2.0 rules ask of extensions.
  tlm::tlm_extension_base* clone() const override;
  void copy_from(const tlm::tlm_extension_base& other) override;

 private:
  std::array<std::uint64_t, kMaxLines> versions_{};
  std::size_t version_count_ = 0;
};

}  // namespace dmasim
