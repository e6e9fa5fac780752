#pragma once
// The configuration of a DRAM subsystem: memspec (inline or a file), controller policies and
// address mapping. This is the top level of scenarios/dram/*.yaml and the `dram` section of
// SoC scenarios.
#include "models/dram/address_mapping.h"
#include "models/dram/controller_config.h"
#include "models/dram/memspec.h"

namespace dmasim::dram {

struct DramConfig {
  MemSpecConfig memspec;
  ControllerConfig controller;
  AddressMappingConfig address_mapping;

  static void describe(cfg::Fields<DramConfig>& f);
  void validate(cfg::Validator& v) const;
};

}  // namespace dmasim::dram
