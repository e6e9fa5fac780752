#include "platform/device_config.h"

#include <fmt/format.h>

namespace dmasim::platform {

void DeviceConfig::describe(cfg::Fields<DeviceConfig>& f) {
  f("name", &DeviceConfig::name, "the device's name (stats: soc.<name>; its SYSMMU: soc.<name>.sysmmu)").required();
  f("port", &DeviceConfig::port, "system interconnect port of the device's master interface (default: the name)");
  f("registers", &DeviceConfig::registers, "physical address of the DMA engine's 4 KiB register block").required();
  f("engine", &DeviceConfig::engine, "the DMA engine");
  f("sysmmu", &DeviceConfig::sysmmu, "the SYSMMU in front of the device's master port (none: bus addresses)");
  f("sysmmu_registers", &DeviceConfig::sysmmu_registers, "physical address of the SYSMMU's 4 KiB register block");
  f("write_port", &DeviceConfig::write_port,
    "a second interconnect port the device's writes use (none: one port for both), behind a SYSMMU of its own");
  f("write_sysmmu_registers", &DeviceConfig::write_sysmmu_registers,
    "physical address of the write port's SYSMMU register block");
}

void DeviceConfig::validate(cfg::Validator& v) const {
  if (sysmmu && !sysmmu_registers) v.fail("sysmmu_registers", "a device with a SYSMMU needs its register address");
  if (!sysmmu && sysmmu_registers) v.fail("sysmmu_registers", "only a device with a sysmmu has SYSMMU registers");
  if (registers.value % 4096) v.fail("registers", "a register block must be 4 KiB aligned");
  const bool split_mmu = sysmmu && !write_port.empty();
  if (split_mmu && !write_sysmmu_registers)
    v.fail("write_sysmmu_registers", "a write port behind a SYSMMU needs that SYSMMU's register address");
  if (!split_mmu && write_sysmmu_registers)
    v.fail("write_sysmmu_registers", "only a device with a sysmmu and a write_port has a second SYSMMU");
  if (sysmmu_registers && sysmmu_registers->value % 4096)
    v.fail("sysmmu_registers", "a register block must be 4 KiB aligned");
}

interconnect::AddressMapConfig with_device_registers(const interconnect::AddressMapConfig& map,
                                                     const std::vector<DeviceConfig>& devices) {
  interconnect::AddressMapConfig out = map;
  auto add = [&](const std::string& name, std::uint64_t base) {
    interconnect::TargetConfig t;
    t.name = name;
    t.kind = interconnect::TargetKind::Registers;
    t.base = interconnect::Address{base};
    t.size = ByteSize{4096};
    out.targets.push_back(t);
  };
  for (const DeviceConfig& d : devices) {
    add(d.name, d.registers.value);
    if (d.sysmmu_registers) add(d.sysmmu_name(), d.sysmmu_registers->value);
    if (d.write_sysmmu_registers) add(d.write_sysmmu_name(), d.write_sysmmu_registers->value);
  }
  return out;
}

}  // namespace dmasim::platform
