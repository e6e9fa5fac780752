#pragma once
// What the platform hands every model besides its own configuration: where its statistics go,
// the run's oracle and trace recorder (either may be absent), and its random stream. Models take
// (name, config, clock, context) instead of long positional constructors.
#include <cstdint>
#include <string>

#include "models/common/oracle/oracle.h"
#include "models/common/stats/registry.h"
#include "models/common/trace/recorder.h"

namespace dmasim {

struct ModelContext {
  stats::Registry* stats = nullptr;        // required
  std::string stats_path;                  // this model's group, e.g. "soc.cpu0.l1d"
  oracle::Oracle* oracle = nullptr;        // null: no version tracking
  trace::Recorder* trace = nullptr;        // null: no tracing
  std::uint64_t seed = 0;                  // this model's random stream (derived by the platform)
  // Initiators (cores, devices) only: the coherence domain their oracle agent belongs to
  // (oracle::kPrivateDomain for a non-coherent master).
  oracle::DomainId oracle_domain = oracle::kPrivateDomain;

  stats::Group group() const { return stats::Group(*stats, stats_path); }
  ModelContext child(const std::string& name, std::uint64_t salt = 0) const {
    ModelContext c = *this;
    c.stats_path = stats_path.empty() ? name : stats_path + "." + name;
    c.seed = seed * 0x9E3779B97F4A7C15ull + salt + 1;
    return c;
  }
};

}  // namespace dmasim
