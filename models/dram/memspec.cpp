#include "models/dram/memspec.h"

#include <fmt/format.h>

#include <bit>

namespace dmasim::cfg {

dram::CycleSpec Codec<dram::CycleSpec>::read(const Node& n, const std::string& path) {
  const std::string text = expect_scalar(n, path, type_name);
  if (const auto c = units::parse_unsigned(text)) return {*c, std::nullopt};
  if (const auto d = units::parse_duration(text)) return {0, d->ps};
  fail(n, path, fmt::format("expected a whole number of cycles or a time such as 13.75ns, got '{}'", text));
}

Node Codec<dram::CycleSpec>::write(const dram::CycleSpec& v) {
  if (v.time) return Node::scalar(units::format(Duration{*v.time}));
  return Node::scalar(std::to_string(v.cycles));
}

}  // namespace dmasim::cfg

namespace dmasim::dram {

std::uint64_t Organisation::bytes_per_channel() const {
  return std::uint64_t{ranks} * banks * rows * columns * (bus_width / 8);
}

void Organisation::describe(cfg::Fields<Organisation>& f) {
  f("channels", &Organisation::channels, "independent channels, each with its own controller").range(1, 64);
  f("ranks", &Organisation::ranks, "ranks per channel").range(1, 8);
  f("bank_groups", &Organisation::bank_groups, "bank groups per rank (1 where the standard has none)").range(1, 16);
  f("banks", &Organisation::banks, "banks per rank, all bank groups together").range(1, 64);
  f("rows", &Organisation::rows, "rows per bank").range(1, 1u << 24);
  f("columns", &Organisation::columns, "columns per row (device-width units)").range(1, 1u << 16);
  f("device_width", &Organisation::device_width, "DQ bits per device").range(4, 64);
  f("bus_width", &Organisation::bus_width, "DQ bits per channel").range(8, 256);
  f("burst_length", &Organisation::burst_length, "beats per burst (BL)").range(2, 32);
}

void Organisation::validate(cfg::Validator& v) const {
  const auto pow2 = [&](const char* key, unsigned value) {
    if (!std::has_single_bit(value)) v.fail(key, fmt::format("must be a power of two, got {}", value));
  };
  pow2("ranks", ranks);
  pow2("bank_groups", bank_groups);
  pow2("banks", banks);
  pow2("rows", rows);
  pow2("columns", columns);
  pow2("device_width", device_width);
  pow2("bus_width", bus_width);
  pow2("burst_length", burst_length);
  if (banks % bank_groups != 0)
    v.fail("banks", fmt::format("{} banks cannot be split into {} bank groups", banks, bank_groups));
  if (bus_width % device_width != 0)
    v.fail("bus_width", fmt::format("bus width {} is not a multiple of the device width {}", bus_width, device_width));
  if (ranks * banks > 64)
    v.fail("banks", fmt::format("ranks x banks = {} exceeds the 64 banks a channel controller tracks", ranks * banks));
  if (columns < burst_length)
    v.fail("columns", fmt::format("a row of {} columns is shorter than one burst of {}", columns, burst_length));
}

void TimingConfig::describe(cfg::Fields<TimingConfig>& f) {
  f("tCK", &TimingConfig::tCK, "clock period").required().min(1);
  f("CL", &TimingConfig::CL, "read latency (RL), READ to first data").required();
  f("CWL", &TimingConfig::CWL, "write latency (WL), WRITE to first data").required();
  f("tRCD", &TimingConfig::tRCD, "ACT to READ/WRITE, same bank").required();
  f("tRP", &TimingConfig::tRP, "PRE to ACT, same bank (per-bank precharge)").required();
  f("tRPab", &TimingConfig::tRPab, "all-bank precharge time (default: tRP)");
  f("tRAS", &TimingConfig::tRAS, "ACT to PRE, same bank").required();
  f("tRC", &TimingConfig::tRC, "ACT to ACT, same bank").required();
  f("tWR", &TimingConfig::tWR, "write recovery: end of write data to PRE").required();
  f("tRTP", &TimingConfig::tRTP, "READ to PRE").required();
  f("tWTR_S", &TimingConfig::tWTR_S, "end of write data to READ, other bank group (tWTR without groups)").required();
  f("tWTR_L", &TimingConfig::tWTR_L, "end of write data to READ, same bank group (default: tWTR_S)");
  f("tRRD_S", &TimingConfig::tRRD_S, "ACT to ACT, other bank group (tRRD without groups)").required();
  f("tRRD_L", &TimingConfig::tRRD_L, "ACT to ACT, same bank group (default: tRRD_S)");
  f("tFAW", &TimingConfig::tFAW, "window for four ACTs in a rank").required();
  f("tCCD_S", &TimingConfig::tCCD_S, "column command to column command, other bank group (tCCD without groups)")
      .required();
  f("tCCD_L", &TimingConfig::tCCD_L, "column to column, same bank group (default: tCCD_S)");
  f("tRFC", &TimingConfig::tRFC, "all-bank refresh cycle time (tRFCab)").required();
  f("tRFCpb", &TimingConfig::tRFCpb, "per-bank refresh cycle time; 0: no per-bank refresh");
  f("tREFI", &TimingConfig::tREFI, "average all-bank refresh interval").required();
  f("tREFIpb", &TimingConfig::tREFIpb, "average per-bank refresh interval; 0: none");
  f("tRTRS", &TimingConfig::tRTRS, "rank-to-rank switching gap on the data bus (default 1)");
  f("tDQSCK", &TimingConfig::tDQSCK, "LPDDR read DQS access time, added to read data arrival (cycles)");
  f("tXP", &TimingConfig::tXP, "power-down exit to next command");
  f("tCKE", &TimingConfig::tCKE, "minimum CKE pulse width");
}

void RailConfig::describe(cfg::Fields<RailConfig>& f) {
  f("rail", &RailConfig::rail, "supply rail name (VDD, VPP, VDD1, VDD2, VDDQ)");
  f("voltage", &RailConfig::voltage, "rail voltage").required();
  f("IDD0", &RailConfig::IDD0, "one-bank ACT-PRE current");
  f("IDD2N", &RailConfig::IDD2N, "precharge standby current");
  f("IDD3N", &RailConfig::IDD3N, "active standby current");
  f("IDD4R", &RailConfig::IDD4R, "burst read current");
  f("IDD4W", &RailConfig::IDD4W, "burst write current");
  f("IDD5B", &RailConfig::IDD5B, "all-bank refresh current during tRFC");
  f("IDD5PB", &RailConfig::IDD5PB, "per-bank refresh current during tRFCpb");
}

void MemSpecConfig::describe(cfg::Fields<MemSpecConfig>& f) {
  f("name", &MemSpecConfig::name, "device name").required();
  f("standard", &MemSpecConfig::standard, "DRAM standard").required();
  f("organisation", &MemSpecConfig::organisation, "channels, ranks, banks, rows, columns, widths, burst").required();
  f("timing", &MemSpecConfig::timing, "JEDEC timing parameters, cycles of tCK unless a unit is given").required();
  f("power", &MemSpecConfig::power, "IDD currents per supply rail, per device (for energy)");
}

std::uint64_t time_to_cycles(Picoseconds t, Picoseconds tCK) {
  // JEDEC: nCK = truncate((t * 1000 / tCK + 974) / 1000), integer arithmetic in ps.
  return (t * 1000 / tCK + 974) / 1000;
}

namespace {

unsigned cycles_of(const CycleSpec& c, Picoseconds tCK) {
  return static_cast<unsigned>(c.time ? time_to_cycles(*c.time, tCK) : c.cycles);
}

bool given(const CycleSpec& c) { return c.time.has_value() || c.cycles != 0; }

}  // namespace

MemSpec resolve(const MemSpecConfig& c) {
  MemSpec m;
  m.name = c.name;
  m.standard = c.standard;
  m.org = c.organisation;
  m.power = c.power;
  const auto& tc = c.timing;
  Timings& t = m.t;
  t.tCK = tc.tCK.ps;
  const auto cy = [&](const CycleSpec& s) { return cycles_of(s, t.tCK); };
  t.CL = cy(tc.CL);
  t.CWL = cy(tc.CWL);
  t.tRCD = cy(tc.tRCD);
  t.tRP = cy(tc.tRP);
  t.tRPab = given(tc.tRPab) ? cy(tc.tRPab) : t.tRP;
  t.tRAS = cy(tc.tRAS);
  t.tRC = cy(tc.tRC);
  t.tWR = cy(tc.tWR);
  t.tRTP = cy(tc.tRTP);
  t.tWTR_S = cy(tc.tWTR_S);
  t.tWTR_L = given(tc.tWTR_L) ? cy(tc.tWTR_L) : t.tWTR_S;
  t.tRRD_S = cy(tc.tRRD_S);
  t.tRRD_L = given(tc.tRRD_L) ? cy(tc.tRRD_L) : t.tRRD_S;
  t.tFAW = cy(tc.tFAW);
  t.tCCD_S = cy(tc.tCCD_S);
  t.tCCD_L = given(tc.tCCD_L) ? cy(tc.tCCD_L) : t.tCCD_S;
  t.tRFC = cy(tc.tRFC);
  t.tRFCpb = cy(tc.tRFCpb);
  t.tREFI = cy(tc.tREFI);
  t.tREFIpb = cy(tc.tREFIpb);
  t.tRTRS = given(tc.tRTRS) ? cy(tc.tRTRS) : 1;
  t.tDQSCK = cy(tc.tDQSCK);
  t.tXP = cy(tc.tXP);
  t.tCKE = cy(tc.tCKE);
  return m;
}

void MemSpecConfig::validate(cfg::Validator& v) const {
  const MemSpec m = resolve(*this);
  const Timings& t = m.t;
  const auto positive = [&](const char* key, unsigned value) {
    if (value == 0) v.fail(fmt::format("timing.{}", key), "must be at least one cycle");
  };
  positive("CL", t.CL);
  positive("CWL", t.CWL);
  positive("tRCD", t.tRCD);
  positive("tRP", t.tRP);
  positive("tRAS", t.tRAS);
  positive("tRC", t.tRC);
  positive("tCCD_S", t.tCCD_S);
  positive("tRFC", t.tRFC);
  positive("tREFI", t.tREFI);
  if (t.tRC < t.tRAS + t.tRP)
    v.fail("timing.tRC", fmt::format("tRC ({}) must be at least tRAS + tRP ({} + {} = {})", t.tRC, t.tRAS, t.tRP,
                                     t.tRAS + t.tRP));
  if (t.tRAS < t.tRCD)
    v.fail("timing.tRAS", fmt::format("tRAS ({}) must be at least tRCD ({})", t.tRAS, t.tRCD));
  if (t.tRPab < t.tRP) v.fail("timing.tRPab", fmt::format("tRPab ({}) must be at least tRP ({})", t.tRPab, t.tRP));
  if (t.tCCD_L < t.tCCD_S)
    v.fail("timing.tCCD_L", fmt::format("tCCD_L ({}) must be at least tCCD_S ({})", t.tCCD_L, t.tCCD_S));
  if (t.tRRD_L < t.tRRD_S)
    v.fail("timing.tRRD_L", fmt::format("tRRD_L ({}) must be at least tRRD_S ({})", t.tRRD_L, t.tRRD_S));
  if (t.tWTR_L < t.tWTR_S)
    v.fail("timing.tWTR_L", fmt::format("tWTR_L ({}) must be at least tWTR_S ({})", t.tWTR_L, t.tWTR_S));
  if (t.tREFI <= t.tRFC)
    v.fail("timing.tREFI", fmt::format("tREFI ({}) must exceed tRFC ({}): the device would never leave refresh",
                                       t.tREFI, t.tRFC));
  if ((t.tRFCpb == 0) != (t.tREFIpb == 0))
    v.fail(t.tRFCpb == 0 ? "timing.tRFCpb" : "timing.tREFIpb",
           "per-bank refresh needs both tRFCpb and tREFIpb (or neither)");
  if (t.tREFIpb != 0 && t.tREFIpb <= t.tRFCpb)
    v.fail("timing.tREFIpb", fmt::format("tREFIpb ({}) must exceed tRFCpb ({})", t.tREFIpb, t.tRFCpb));
  if (t.tCCD_S < m.burst_cycles())
    v.fail("timing.tCCD_S", fmt::format("tCCD_S ({}) is shorter than a burst (BL/2 = {} cycles): bursts would overlap "
                                        "on the data bus", t.tCCD_S, m.burst_cycles()));
  if (m.standard == Standard::DDR4 && !m.has_bank_groups())
    v.fail("organisation.bank_groups", "DDR4 has bank groups (4 for x4/x8 devices, 2 for x16)");
}

MemSpec load_memspec(const std::string& path) {
  return resolve(cfg::read<MemSpecConfig>(cfg::load_yaml_file(path)));
}

}  // namespace dmasim::dram
