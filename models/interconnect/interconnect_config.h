#pragma once
// The configuration of a coherent interconnect after the CCI-400 (REFERENCE.md section 5), read
// from YAML through the schema layer. Defaults follow REFERENCE.md where it gives values; the
// ports and the address map are the platform's and must be given.
//
//   interconnect:
//     clock: 533MHz              # or a period: 1.876ns
//     ports:
//       - {name: a15, kind: ace}
//       - {name: a7, kind: ace}
//       - {name: gscl, kind: ace-lite, outstanding: 8, qos: 4}
//     address_map:
//       targets: [{name: dram, base: 0x40000000, size: 2GiB}]
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/common/clock_spec.h"
#include "models/common/config/problem.h"
#include "models/common/config/schema.h"
#include "models/common/sim_time.h"
#include "models/interconnect/address_map.h"
#include "models/interconnect/arbiter.h"

namespace dmasim::interconnect {

// ace: a CPU cluster, snooped, its requests snoop the other ACE ports; ace-lite: an IO-coherent
// master, its requests snoop the ACE ports, never snooped itself; non-coherent: no snoops.
enum class PortKind { Ace, AceLite, NonCoherent };
enum class SnoopMode { Broadcast, Filter, Tags };

using dmasim::ClockSpec;  // models/common/clock_spec.h

struct PortConfig {
  std::string name;
  PortKind kind = PortKind::NonCoherent;
  unsigned outstanding = 16;  // transactions accepted and not yet answered
  unsigned qos = 0;           // arbitration priority under the qos policy, 0..15, higher wins

  static void describe(cfg::Fields<PortConfig>& f);
};

// Cycles of the interconnect clock. REFERENCE.md gives request 3, forward 4, response 2 and snoop
// response 4 (the CCI-400's are not published); the snoop issue latency is not given and
// defaults to the request latency.
struct LatencyConfig {
  unsigned request = 3;         // slave interface to the point of serialisation (address decode, arbitration)
  unsigned forward = 4;         // point of serialisation to a master interface (towards memory or a device)
  unsigned response = 2;        // a target's response back to the requesting port
  unsigned snoop = 3;           // point of serialisation to the snooped ACE ports
  unsigned snoop_response = 4;  // a snoop response back to the point of serialisation

  static void describe(cfg::Fields<LatencyConfig>& f);
};

struct InterconnectConfig {
  ClockSpec clock = ClockSpec::from_frequency(Frequency{1'000'000'000});
  std::vector<PortConfig> ports;
  LatencyConfig latency;
  ByteSize data_width{16};  // bytes per cycle on each data path
  SnoopMode snoop = SnoopMode::Broadcast;
  bool speculative_read = false;  // start the memory read in parallel with the snoops
  ArbitrationPolicy arbitration = ArbitrationPolicy::RoundRobin;
  std::uint64_t starvation_limit = 0;  // cycles; 0: none (qos policy only)
  AddressMapConfig address_map;

  static void describe(cfg::Fields<InterconnectConfig>& f);
  void validate(cfg::Validator& v) const;

  using Problem = cfg::Problem;
  std::optional<Problem> problem() const;
  void check() const;  // throws UserError("interconnect configuration: KEY: MESSAGE")

  // Convenience for the model.
  std::vector<unsigned> port_qos() const;
  std::optional<unsigned> find_port(std::string_view name) const;
  unsigned count(PortKind kind) const;
  // Cycles to move `bytes` over a data path (at least one).
  std::uint64_t data_cycles(std::uint64_t bytes) const;
};

}  // namespace dmasim::interconnect

namespace dmasim::cfg {

template <>
struct EnumNames<interconnect::PortKind> {
  static constexpr std::array<std::pair<interconnect::PortKind, std::string_view>, 3> names{{
      {interconnect::PortKind::Ace, "ace"},
      {interconnect::PortKind::AceLite, "ace-lite"},
      {interconnect::PortKind::NonCoherent, "non-coherent"},
  }};
};

template <>
struct EnumNames<interconnect::SnoopMode> {
  static constexpr std::array<std::pair<interconnect::SnoopMode, std::string_view>, 3> names{{
      {interconnect::SnoopMode::Broadcast, "broadcast"},
      {interconnect::SnoopMode::Filter, "filter"},
      {interconnect::SnoopMode::Tags, "tags"},
  }};
};

}  // namespace dmasim::cfg
