#include "models/dram/energy.h"

#include <algorithm>

namespace dmasim::dram {

EnergyBreakdown estimate_energy(const MemSpec& spec, const EnergyInputs& in) {
  const Timings& t = spec.t;
  const double tck_ns = static_cast<double>(t.tCK) / 1000.0;
  const double devices = spec.org.devices_per_rank();
  const double burst = spec.burst_cycles();
  EnergyBreakdown e;
  for (const RailConfig& r : spec.power) {
    const double v = r.voltage.volts;
    // mA x V x ns = pJ; amps x V x ns = nJ.
    const auto nj = [&](double amps, double cycles) { return std::max(amps, 0.0) * v * cycles * tck_ns; };
    // IDD0 covers one ACT-PRE cycle of tRC; take away the standby current that background
    // already counts for that time (active during tRAS, precharged for the rest).
    const double act_charge = r.IDD0.amps * t.tRC - (r.IDD3N.amps * t.tRAS + r.IDD2N.amps * (t.tRC - t.tRAS));
    e.activate += std::max(act_charge, 0.0) * v * tck_ns * static_cast<double>(in.activates) * devices;
    e.read += nj(r.IDD4R.amps - r.IDD3N.amps, burst) * static_cast<double>(in.reads) * devices;
    e.write += nj(r.IDD4W.amps - r.IDD3N.amps, burst) * static_cast<double>(in.writes) * devices;
    e.refresh += nj(r.IDD5B.amps - r.IDD3N.amps, t.tRFC) * static_cast<double>(in.refreshes_all_bank) * devices;
    e.refresh += nj(r.IDD5PB.amps - r.IDD3N.amps, t.tRFCpb) * static_cast<double>(in.refreshes_per_bank) * devices;
    e.background += (nj(r.IDD3N.amps, static_cast<double>(in.active_cycles)) +
                     nj(r.IDD2N.amps, static_cast<double>(in.precharged_cycles))) *
                    devices;
  }
  return e;
}

}  // namespace dmasim::dram
