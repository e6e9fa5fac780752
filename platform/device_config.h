#pragma once
// A DMA master of the platform (docs/platforms.md, "Devices"): a DMA engine on a system
// interconnect port, optionally behind its own SYSMMU. The engine's and the SYSMMU's 4 KiB
// register blocks join the address map as targets of kind registers named "<name>" and
// "<name>_sysmmu", and the kernel maps them in the ioremap area.
//
//   devices:
//     - name: mdma
//       port: acelite0
//       registers: 0x11C10000
//       engine: {clock: 333MHz, outstanding: 16}
//       sysmmu: {version: v2, clock: 333MHz}
//       sysmmu_registers: 0x11D40000
#include <optional>
#include <string>
#include <vector>

#include "models/common/config/schema.h"
#include "models/devices/dma_engine_config.h"
#include "models/interconnect/interconnect_config.h"
#include "models/iommu/sysmmu_config.h"

namespace dmasim::platform {

struct DeviceConfig {
  std::string name;
  std::string port;  // the system interconnect port (default: the name)
  interconnect::Address registers;
  devices::DmaEngineConfig engine;
  std::optional<iommu::SysmmuConfig> sysmmu;
  std::optional<interconnect::Address> sysmmu_registers;
  // A second master port for writes, with its own SYSMMU (same configuration, same page table:
  // one domain) when the device has one.
  std::string write_port;
  std::optional<interconnect::Address> write_sysmmu_registers;

  static void describe(cfg::Fields<DeviceConfig>& f);
  void validate(cfg::Validator& v) const;
  const std::string& port_name() const { return port.empty() ? name : port; }
  std::string sysmmu_name() const { return name + "_sysmmu"; }
  std::string write_sysmmu_name() const { return name + "_sysmmu_w"; }
};

// The address map with every device's register blocks added (what the interconnect is built
// from).
interconnect::AddressMapConfig with_device_registers(const interconnect::AddressMapConfig& map,
                                                     const std::vector<DeviceConfig>& devices);

}  // namespace dmasim::platform
