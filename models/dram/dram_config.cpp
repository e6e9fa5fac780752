#include "models/dram/dram_config.h"

#include <fmt/format.h>

namespace dmasim::dram {

void DramConfig::describe(cfg::Fields<DramConfig>& f) {
  f("memspec", &DramConfig::memspec, "device specification: a map, or the path of a memspec YAML file").required();
  f("controller", &DramConfig::controller, "scheduler, page policy, queues, refresh");
  f("address_mapping", &DramConfig::address_mapping, "physical address bits of each field").required();
}

void DramConfig::validate(cfg::Validator& v) const {
  address_mapping.check_against(memspec.organisation, v.child("address_mapping"));
  const MemSpec spec = resolve(memspec);
  if (controller.refresh == RefreshKind::PerBank && !spec.has_per_bank_refresh())
    v.fail("controller.refresh", fmt::format("per-bank refresh needs tRFCpb and tREFIpb, which {} does not have",
                                             spec.name));
}

}  // namespace dmasim::dram
