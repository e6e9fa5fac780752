#pragma once
// DRAM commands as the controller issues them on a channel's command bus, and the observer
// interface through which the legality checker, stats and tracing see every one.
#include <array>
#include <cstdint>
#include <string_view>

namespace dmasim::dram {

enum class Command : std::uint8_t {
  ACT,    // activate a row
  PRE,    // precharge one bank
  PREA,   // precharge all banks of a rank
  RD,     // read burst
  RDA,    // read burst with auto-precharge
  WR,     // write burst
  WRA,    // write burst with auto-precharge
  REF,    // all-bank refresh (REFab)
  REFpb,  // per-bank refresh (LPDDR)
};
inline constexpr std::size_t kCommandCount = 9;

constexpr std::string_view command_name(Command c) {
  constexpr std::array<std::string_view, kCommandCount> names{"ACT", "PRE", "PREA", "RD", "RDA",
                                                              "WR",  "WRA", "REF",  "REFpb"};
  return names[static_cast<std::size_t>(c)];
}
constexpr bool is_read(Command c) { return c == Command::RD || c == Command::RDA; }
constexpr bool is_write(Command c) { return c == Command::WR || c == Command::WRA; }
constexpr bool is_column(Command c) { return is_read(c) || is_write(c); }
constexpr bool has_auto_precharge(Command c) { return c == Command::RDA || c == Command::WRA; }

// One command as issued. bank is the bank index within the rank (0..banks-1); the bank group
// is bank / banks_per_group. row is meaningful for ACT, column for RD/WR.
struct IssuedCommand {
  Command command = Command::ACT;
  std::uint64_t cycle = 0;  // clock cycle (of tCK) at which the command is on the bus
  unsigned channel = 0;
  unsigned rank = 0;
  unsigned bank = 0;
  unsigned row = 0;
  unsigned column = 0;
};

class CommandObserver {
 public:
  virtual ~CommandObserver() = default;
  virtual void on_command(const IssuedCommand& c) = 0;
};

}  // namespace dmasim::dram
