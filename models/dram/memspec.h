#pragma once
// A DRAM memory specification: standard, organisation, JEDEC timings and IDD currents.
// MemSpecConfig is what a memspec YAML file holds (timings as cycles or as times with units);
// MemSpec is the resolved form the controller and the checker use (every timing in cycles).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/common/config/schema.h"

namespace dmasim::dram {

enum class Standard { DDR3, DDR4, LPDDR3, LPDDR4 };

// A timing value as written: a whole number of clock cycles, or a time (ceil'd to cycles with
// the JEDEC rounding rule once tCK is known).
struct CycleSpec {
  std::uint64_t cycles = 0;
  std::optional<Picoseconds> time;
  friend bool operator==(const CycleSpec&, const CycleSpec&) = default;
};

struct Organisation {
  unsigned channels = 1;
  unsigned ranks = 1;
  unsigned bank_groups = 1;  // per rank; 1 for standards without bank groups
  unsigned banks = 8;        // per rank, all bank groups together
  unsigned rows = 32768;
  unsigned columns = 1024;
  unsigned device_width = 8;  // DQ bits per device
  unsigned bus_width = 64;    // DQ bits per channel
  unsigned burst_length = 8;

  unsigned devices_per_rank() const { return bus_width / device_width; }
  unsigned banks_per_group() const { return banks / bank_groups; }
  unsigned bytes_per_burst() const { return bus_width / 8 * burst_length; }
  std::uint64_t bytes_per_channel() const;
  std::uint64_t total_bytes() const { return bytes_per_channel() * channels; }

  static void describe(cfg::Fields<Organisation>& f);
  void validate(cfg::Validator& v) const;
};

struct TimingConfig {
  Duration tCK;
  CycleSpec CL, CWL, tRCD, tRP, tRPab, tRAS, tRC, tWR, tRTP, tWTR_S, tWTR_L, tRRD_S, tRRD_L, tFAW, tCCD_S,
      tCCD_L, tRFC, tRFCpb, tREFI, tREFIpb, tRTRS, tDQSCK, tXP, tCKE;
  static void describe(cfg::Fields<TimingConfig>& f);
};

// Currents of one supply rail, per device. IDD5B: all-bank refresh burst; IDD5PB: per-bank.
struct RailConfig {
  std::string rail = "VDD";
  Voltage voltage;
  Current IDD0, IDD2N, IDD3N, IDD4R, IDD4W, IDD5B, IDD5PB;
  static void describe(cfg::Fields<RailConfig>& f);
};

struct MemSpecConfig {
  std::string name;
  Standard standard = Standard::DDR4;
  Organisation organisation;
  TimingConfig timing;
  std::vector<RailConfig> power;
  static void describe(cfg::Fields<MemSpecConfig>& f);
  void validate(cfg::Validator& v) const;
};

// Every timing in clock cycles of tCK.
struct Timings {
  Picoseconds tCK = 0;
  unsigned CL = 0, CWL = 0, tRCD = 0, tRP = 0, tRPab = 0, tRAS = 0, tRC = 0, tWR = 0, tRTP = 0, tWTR_S = 0,
           tWTR_L = 0, tRRD_S = 0, tRRD_L = 0, tFAW = 0, tCCD_S = 0, tCCD_L = 0, tRFC = 0, tRFCpb = 0,
           tREFI = 0, tREFIpb = 0, tRTRS = 0, tDQSCK = 0, tXP = 0, tCKE = 0;
};

struct MemSpec {
  std::string name;
  Standard standard = Standard::DDR4;
  Organisation org;
  Timings t;
  std::vector<RailConfig> power;

  // Cycles the data bus is busy for one burst (double data rate: BL/2).
  unsigned burst_cycles() const { return org.burst_length / 2; }
  bool has_bank_groups() const { return org.bank_groups > 1; }
  bool has_per_bank_refresh() const { return t.tRFCpb > 0 && t.tREFIpb > 0; }
};

// JEDEC rounding of a time to clock cycles: ceil with a 2.5% guard band, so 13.75 ns at
// tCK 0.833 ns is 17 cycles, not 16.51 -> 17 nor a float artefact.
std::uint64_t time_to_cycles(Picoseconds t, Picoseconds tCK);

// Resolves a checked config (every CycleSpec to cycles). Impossible combinations are caught
// by MemSpecConfig::validate when the config is read.
MemSpec resolve(const MemSpecConfig& config);

// Reads and resolves a memspec from a YAML file on its own.
MemSpec load_memspec(const std::string& path);

}  // namespace dmasim::dram

namespace dmasim::cfg {

template <>
struct EnumNames<dram::Standard> {
  static constexpr std::array<std::pair<dram::Standard, std::string_view>, 4> names{{
      {dram::Standard::DDR3, "DDR3"},
      {dram::Standard::DDR4, "DDR4"},
      {dram::Standard::LPDDR3, "LPDDR3"},
      {dram::Standard::LPDDR4, "LPDDR4"},
  }};
};

template <>
struct Codec<dram::CycleSpec> {
  static constexpr std::string_view type_name = "cycles or time (e.g. 16 or 13.75ns)";
  static dram::CycleSpec read(const Node& n, const std::string& path);
  static Node write(const dram::CycleSpec& v);
};

}  // namespace dmasim::cfg
