#include "models/dram/derived_timings.h"

#include <algorithm>

namespace dmasim::dram {

DerivedTimings DerivedTimings::from(const MemSpec& spec) {
  const Timings& t = spec.t;
  const bool lpddr3 = spec.standard == Standard::LPDDR3;
  const bool lpddr4 = spec.standard == Standard::LPDDR4;
  const int RL = static_cast<int>(t.CL);
  const int WL = static_cast<int>(t.CWL);
  const int BL2 = static_cast<int>(spec.burst_cycles());
  const int dqsck = static_cast<int>(t.tDQSCK);
  const auto at_least0 = [](int v) { return static_cast<unsigned>(std::max(v, 0)); };

  DerivedTimings d;
  d.burst = spec.burst_cycles();
  d.rd_to_rd_L = std::max(t.tCCD_L, d.burst);
  d.rd_to_rd_S = std::max(t.tCCD_S, d.burst);
  d.rd_to_rd_rank = d.burst + t.tRTRS;
  d.wr_to_wr_L = d.rd_to_rd_L;
  d.wr_to_wr_S = d.rd_to_rd_S;
  d.wr_to_wr_rank = d.rd_to_rd_rank;

  if (lpddr3) {
    d.rd_to_wr = at_least0(RL + dqsck + BL2 + 1 - WL);
    d.rd_to_pre = at_least0(BL2 + static_cast<int>(std::max(4u, t.tRTP)) - 4);
    d.wr_to_pre = at_least0(WL + BL2 + static_cast<int>(t.tWR) + 1);
    d.wr_to_rd_L = at_least0(WL + BL2 + static_cast<int>(t.tWTR_L) + 1);
    d.wr_to_rd_S = at_least0(WL + BL2 + static_cast<int>(t.tWTR_S) + 1);
  } else if (lpddr4) {
    constexpr int kWritePreamble = 2;
    d.rd_to_wr = at_least0(RL + dqsck + BL2 - WL + kWritePreamble);
    d.rd_to_pre = at_least0(BL2 + static_cast<int>(std::max(8u, t.tRTP)) - 8);
    d.wr_to_pre = at_least0(WL + BL2 + static_cast<int>(t.tWR) + 1);
    d.wr_to_rd_L = at_least0(WL + BL2 + static_cast<int>(t.tWTR_L) + 1);
    d.wr_to_rd_S = at_least0(WL + BL2 + static_cast<int>(t.tWTR_S) + 1);
  } else {  // DDR3, DDR4
    d.rd_to_wr = at_least0(RL + BL2 - WL + 2);
    d.rd_to_pre = t.tRTP;
    d.wr_to_pre = at_least0(WL + BL2 + static_cast<int>(t.tWR));
    d.wr_to_rd_L = at_least0(WL + BL2 + static_cast<int>(t.tWTR_L));
    d.wr_to_rd_S = at_least0(WL + BL2 + static_cast<int>(t.tWTR_S));
  }
  // Switching ranks never makes a read-to-write turnaround shorter than within the rank.
  d.rd_to_wr_rank = std::max(d.rd_to_wr, at_least0(RL + dqsck + BL2 + static_cast<int>(t.tRTRS) - WL));
  d.wr_to_rd_rank = at_least0(WL + BL2 + static_cast<int>(t.tRTRS) - RL - dqsck);
  d.read_data_end = static_cast<unsigned>(RL + dqsck + BL2);
  d.write_data_end = static_cast<unsigned>(WL + BL2);

  d.command_cycles.fill(1);
  d.refpb_in_faw = lpddr3 || lpddr4;
  if (lpddr4) {
    d.tPPD = 4;
    // LPDDR4 commands are two or four clocks on the 6-bit CA bus.
    for (Command c : {Command::ACT, Command::RD, Command::RDA, Command::WR, Command::WRA})
      d.command_cycles[static_cast<std::size_t>(c)] = 4;
    for (Command c : {Command::PRE, Command::PREA, Command::REF, Command::REFpb})
      d.command_cycles[static_cast<std::size_t>(c)] = 2;
  }
  return d;
}

}  // namespace dmasim::dram
