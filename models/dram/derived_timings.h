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
  unsigned read_data_end = 0;   // RD command to last read data beat
  unsigned write_data_end = 0;  // WR command to last write data beat
  std::array<unsigned, kCommandCount> command_cycles{};  // command bus occupancy

  static DerivedTimings from(const MemSpec& spec);
};

}  // namespace dmasim::dram
