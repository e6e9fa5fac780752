#pragma once
// The figures every run reports beside its scenario-specific ones (docs/compare.md explains each
// column): where the CPUs' time went, the devices' throughput and latency, the DRAM's bandwidth,
// row-hit rate and energy, IOTLB misses, snoops, and the violations. All of them are read from
// the run's statistics, so that compare.csv and summary.csv agree with stats.json.
#include <string>
#include <utility>
#include <vector>

#include "models/common/stats/registry.h"
#include "platform/platform_config.h"

namespace dmasim::platform {

void append_run_columns(const stats::Registry& stats, const PlatformConfig& platform, double total_ns,
                        std::vector<std::pair<std::string, std::string>>& columns);

}  // namespace dmasim::platform
