#pragma once
// DRAM energy from command counts and state residency, in the manner of DRAMPower: each
// command's energy is its current above the background current, over its duration, times the
// rail voltage; background is active or precharge standby current over time. Summed over
// rails and multiplied by the devices of a rank, which work in lockstep.
#include <cstdint>

#include "models/dram/memspec.h"

namespace dmasim::dram {

struct EnergyInputs {
  std::uint64_t activates = 0;
  std::uint64_t reads = 0;
  std::uint64_t writes = 0;
  std::uint64_t refreshes_all_bank = 0;
  std::uint64_t refreshes_per_bank = 0;
  std::uint64_t active_cycles = 0;      // rank-cycles with at least one bank open
  std::uint64_t precharged_cycles = 0;  // rank-cycles with every bank closed
};

struct EnergyBreakdown {  // nanojoules
  double activate = 0, read = 0, write = 0, refresh = 0, background = 0;
  double total() const { return activate + read + write + refresh + background; }
};

EnergyBreakdown estimate_energy(const MemSpec& spec, const EnergyInputs& in);

}  // namespace dmasim::dram
