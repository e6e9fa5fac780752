#pragma once
// The interconnect's address map: which target (DRAM, a register block such as the PL310, a
// SYSMMU or a DMA device) a physical address belongs to, and the offset inside it.
//
//   address_map:
//     targets:
//       - {name: dram, kind: memory, base: 0x40000000, size: 2GiB}
//       - {name: sysmmu_gscl, kind: registers, base: 0x13e80000, size: 4KiB}
//
// A transaction must lie entirely inside one target; one that starts in no target, or runs past
// the end of the target it starts in, is a decode error (the SystemC model answers it with
// TLM_ADDRESS_ERROR_RESPONSE, as a CCI-400 answers DECERR).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/common/config/problem.h"
#include "models/common/config/schema.h"

namespace dmasim::interconnect {

// A physical address in configuration: written as hex ("0x40000000") or with a size unit
// ("1GiB"); resolved.yaml shows it in hex.
struct Address {
  std::uint64_t value = 0;
  friend bool operator==(const Address&, const Address&) = default;
};

// memory: the point of coherency (DRAM, on-chip RAM): the crossbar rebases the address to the
// target's offset, fills read versions from the oracle's memory view and publishes the versions of
// the writes it sends there. registers: a device's register block, rebased, no versions. next: a
// cache or another crossbar below, which is not the point of coherency: the address is forwarded
// unchanged and responses bring their own versions.
enum class TargetKind { Memory, Registers, Next };

struct TargetConfig {
  std::string name;
  TargetKind kind = TargetKind::Memory;
  Address base;
  ByteSize size;

  static void describe(cfg::Fields<TargetConfig>& f);
  void validate(cfg::Validator& v) const;
  // The last byte (inclusive, so that a target ending at 2^64 - 1 has no overflow); valid for
  // a non-zero size that fits (both checked).
  std::uint64_t last() const { return base.value + (size.bytes - 1); }
};

struct AddressMapConfig {
  std::vector<TargetConfig> targets;
  ByteSize alignment{4096};  // every base and size a multiple of it

  static void describe(cfg::Fields<AddressMapConfig>& f);
  void validate(cfg::Validator& v) const;

  using Problem = cfg::Problem;
  std::optional<Problem> problem() const;
  void check() const;  // throws UserError("address map: KEY: MESSAGE")
};

// The result of a lookup: a target and the offset in it, or why there is none.
struct Decode {
  enum class Status { Ok, Unmapped, Straddles };
  Status status = Status::Unmapped;
  unsigned target = 0;       // valid when status is Ok or Straddles (the target the access starts in)
  std::uint64_t offset = 0;  // valid when status is Ok
  bool ok() const { return status == Status::Ok; }
};

class AddressMap {
 public:
  // Checks the configuration (UserError when it is inconsistent). Target indices are the
  // positions in config.targets.
  explicit AddressMap(const AddressMapConfig& config);

  // The target holding [address, address + length) (length 0 is treated as 1). Constant in
  // the common case (the last hit is tried first), else a binary search. Not thread-safe: the
  // last-hit cache is updated.
  Decode lookup(std::uint64_t address, std::uint64_t length) const;

  // A sentence for a failed lookup, for logs and error reports.
  std::string explain(const Decode& d, std::uint64_t address, std::uint64_t length) const;

  std::size_t size() const { return targets_.size(); }
  const TargetConfig& target(unsigned index) const { return targets_[index]; }
  std::optional<unsigned> find(std::string_view name) const;

 private:
  struct Range {
    std::uint64_t base;
    std::uint64_t last;  // inclusive
    unsigned target;
  };
  std::vector<TargetConfig> targets_;
  std::vector<Range> sorted_;  // by base, non-overlapping
  mutable std::size_t last_ = 0;
};

std::string format_address(std::uint64_t a);

}  // namespace dmasim::interconnect

namespace dmasim::cfg {

template <>
struct Codec<interconnect::Address> {
  static constexpr std::string_view type_name = "address (e.g. 0x40000000, 1GiB)";
  static interconnect::Address read(const Node& n, const std::string& path);
  static Node write(const interconnect::Address& a) { return Node::scalar(interconnect::format_address(a.value)); }
};

template <>
struct EnumNames<interconnect::TargetKind> {
  static constexpr std::array<std::pair<interconnect::TargetKind, std::string_view>, 3> names{{
      {interconnect::TargetKind::Memory, "memory"},
      {interconnect::TargetKind::Registers, "registers"},
      {interconnect::TargetKind::Next, "next"},
  }};
};

}  // namespace dmasim::cfg
