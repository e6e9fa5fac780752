#pragma once
// The configuration of one DMA engine (docs/devices.md), read from YAML through the schema layer.
//
//   engine: {clock: 400MHz, outstanding: 16, bus_width: 16B, irq_latency: 20}
#include <optional>

#include "models/common/clock_spec.h"
#include "models/common/config/problem.h"
#include "models/common/config/schema.h"

namespace dmasim::devices {

struct DmaEngineConfig {
  ClockSpec clock = ClockSpec::from_frequency(Frequency{400'000'000});
  unsigned outstanding = 16;     // transactions issued and not yet answered
  ByteSize bus_width{16};        // bytes of write data per cycle on the master port
  unsigned queue = 4;            // jobs accepted (running included); a START beyond is rejected
  unsigned register_latency = 2; // cycles for a register read or write
  unsigned irq_latency = 10;     // cycles from the job's last response to the interrupt
  unsigned stream_id = 0;        // the AXI ID space of the master (a SYSMMU prefetch buffer binds to it)

  static void describe(cfg::Fields<DmaEngineConfig>& f);
  std::optional<cfg::Problem> problem() const;
  void validate(cfg::Validator& v) const { cfg::report(problem(), v); }
  void check() const { cfg::raise(problem(), "DMA engine configuration"); }
};

}  // namespace dmasim::devices
