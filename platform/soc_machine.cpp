#include "platform/soc_machine.h"

namespace dmasim::platform {

namespace {
sw::SysmmuHandle handle_of(Soc& soc, iommu::Sysmmu& mmu, const std::string& regs_name) {
  sw::SysmmuHandle h;
  h.regs_va = soc.io_va(regs_name).value();
  h.version = mmu.register_file().version();
  h.layout = mmu.register_file().layout();
  h.irq = &mmu.irq();
  return h;
}
}  // namespace

SocMachine::SocMachine(Soc& soc) : soc_(soc) {
  const PlatformConfig& config = soc.config();
  layout_.dram_base = soc.dram_base();
  layout_.dram_size = soc.dram_size();
  layout_.linear_va = config.kernel.linear_va.value;
  layout_.lowmem = config.kernel.lowmem.bytes;
  layout_.vmalloc_va = config.kernel.vmalloc_va.value;
  layout_.vmalloc_size = config.kernel.vmalloc_size.bytes;

  for (const ClusterConfig& c : config.clusters) {
    CoreInfo info;
    info.l1_line = static_cast<unsigned>(c.l1d.line_size.bytes);
    if (c.outer_registers && c.shared_cache) {
      info.outer_regs = soc.io_va(c.name + "." + c.shared_cache_name);
      info.outer_line = static_cast<unsigned>(c.shared_cache->line_size.bytes);
    }
    for (unsigned i = 0; i < c.cores; ++i) cores_.push_back(info);
  }

  for (const DeviceConfig& d : config.devices) {
    sw::DeviceHandle h;
    h.name = d.name;
    h.regs_va = soc.io_va(d.name).value();
    h.irq = &soc.device(d.name)->irq();
    if (iommu::Sysmmu* mmu = soc.sysmmu(d.name)) h.sysmmus.push_back(handle_of(soc, *mmu, d.sysmmu_name()));
    if (iommu::Sysmmu* mmu = soc.write_sysmmu(d.name)) h.sysmmus.push_back(handle_of(soc, *mmu, d.write_sysmmu_name()));
    const auto port = config.interconnect.find_port(d.port_name());
    h.ace_lite = port && config.interconnect.ports[*port].kind == interconnect::PortKind::AceLite;
    devices_.push_back(std::move(h));
  }
}

}  // namespace dmasim::platform
