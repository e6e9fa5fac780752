#pragma once
// Command-to-command distances the scheduler needs, derived once per memspec from the JEDEC
// parameters with each standard's formulas (see docs/dram-timing-rules.md). The command
// checker derives its own rules independently, so a mistake here shows up as a violation.
#include <array>

#include "models/dram/command.h"
#include "models/dram/memspec.h"

namespace dmasim::dram {

struct DerivedTimings {
  unsigned burst = 0;  // data bus cycles of one burst (BL/2)
  unsigned rd_to_rd_L = 0, rd_to_rd_S = 0, rd_to_rd_rank = 0;
  unsigned wr_to_wr_L = 0, wr_to_wr_S = 0, wr_to_wr_rank = 0;
  unsigned rd_to_wr = 0, rd_to_wr_rank = 0;
  unsigned wr_to_rd_L = 0, wr_to_rd_S = 0, wr_to_rd_rank = 0;
  unsigned rd_to_pre = 0, wr_to_pre = 0;
  unsigned tPPD = 0;  // precharge to precharge in a rank (LPDDR4)
  bool refpb_in_faw = false;  // LPDDR: a per-bank refresh counts as an activation for tFAW
  unsigned read_data_end = 0;   // RD command to last read data beat
  unsigned write_data_end = 0;  // WR command to last write data beat
  // Command bus occupancy. Timing rules run between the last bus cycles of two commands (the
  // reference edge, as JESD209-4 counts them for LPDDR4's multi-cycle commands); for one-cycle
  // commands that is the issue cycle.
  std::array<unsigned, kCommandCount> command_cycles{};
  unsigned edge_offset(Command c) const { return command_cycles[static_cast<std::size_t>(c)] - 1; }

  static DerivedTimings from(const MemSpec& spec);
};

}  // namespace dmasim::dram
