#pragma once
// The configuration of one core model (models/cpu/core.h), read from YAML through the schema
// layer; YAML keys are the member names.
#include <optional>
#include <string>

#include "models/common/clock_spec.h"
#include "models/common/config/problem.h"
#include "models/common/config/schema.h"
#include "models/cpu/store_buffer.h"

namespace dmasim::cpu {

struct CoreConfig {
  ClockSpec clock = ClockSpec::from_frequency(Frequency{1'000'000'000});
  StoreBufferConfig store_buffer;
  unsigned line_size = 64;               // bytes, 32 or 64: the L1 line (DC ops, read_range stride)
  unsigned max_outstanding_loads = 4;    // loads in flight (L1 misses and non-cacheable reads)
  unsigned max_outstanding_uncached_loads = 64;  // non-cacheable (Normal-NC) reads in flight, within the above
  unsigned max_outstanding_writes = 8;   // drained stores, NC/Device writes and maintenance ops in flight
  unsigned drain_idle_cycles = 16;       // a partial store-buffer entry older than this drains
  unsigned quantum_cycles = 256;         // local time the core may run ahead before it syncs

  static void describe(cfg::Fields<CoreConfig>& f);
  void validate(cfg::Validator& v) const;

  // The first inconsistency, if any: the key it concerns and a message. validate() reports it
  // at the key's YAML position; check() throws it as a UserError for configs built in C++.
  using Problem = cfg::Problem;
  std::optional<Problem> problem() const;
  void check() const;
};

}  // namespace dmasim::cpu
