#include "platform/platform_config.h"

#include <fmt/format.h>

namespace dmasim::platform {

void CoherenceConfig::describe(cfg::Fields<CoherenceConfig>& f) {
  f("clock", &CoherenceConfig::clock, "clock of the snoop control (default: the cores' clock)");
  f("latency", &CoherenceConfig::latency, "request, forward, response and snoop latencies in its cycles");
  f("data_width", &CoherenceConfig::data_width, "bytes per cycle on each data path");
  f("snoop", &CoherenceConfig::snoop, "broadcast: every core's caches are snooped; filter: only those that may hold the line");
}

void ClusterConfig::describe(cfg::Fields<ClusterConfig>& f) {
  f("name", &ClusterConfig::name, "the cluster's name (stats: soc.<name>.cpu<i>...)").required();
  f("cores", &ClusterConfig::cores, "number of cores").range(1, 16);
  f("core", &ClusterConfig::core, "core model parameters (every core of the cluster)");
  f("l1d", &ClusterConfig::l1d, "private L1 data cache of each core (clocked with the core)");
  f("private_l2", &ClusterConfig::private_l2, "optional private L2 of each core, behind its L1D");
  f("coherence", &ClusterConfig::coherence, "the snoop control unit keeping the cores' caches coherent");
  f("shared_cache", &ClusterConfig::shared_cache,
    "optional cache shared by the cluster's cores (cluster L2, L3, or outer: true for a PL310-style outer cache)");
  f("shared_cache_name", &ClusterConfig::shared_cache_name, "name of the shared cache in stats");
  f("shared_cache_clock", &ClusterConfig::shared_cache_clock, "clock of the shared cache (default: the cores' clock)");
  f("outer_registers", &ClusterConfig::outer_registers,
    "physical address of the outer cache's 4 KiB register block (outer mode only)");
  f("port", &ClusterConfig::port, "system interconnect port the cluster is connected to (default: the name)");
}

void ClusterConfig::validate(cfg::Validator& v) const {
  if (l1d.line_size.bytes != core.line_size)
    v.fail("core.line_size", fmt::format("the core's line_size ({}) must equal the L1D's line size ({})",
                                         core.line_size, l1d.line_size.bytes));
  const bool outer = shared_cache && shared_cache->outer;
  if (outer && !outer_registers)
    v.fail("outer_registers", "an outer (PL310-style) shared cache needs the address of its register block");
  if (!outer && outer_registers) v.fail("outer_registers", "only an outer shared cache has a register block");
  if (private_l2 && private_l2->outer) v.fail("private_l2.outer", "a private L2 cannot be an outer cache");
  if (l1d.outer) v.fail("l1d.outer", "an L1 cannot be an outer cache");
}

void KernelConfig::describe(cfg::Fields<KernelConfig>& f) {
  f("linear_va", &KernelConfig::linear_va, "virtual address of the first DRAM byte in the linear map (PAGE_OFFSET)");
  f("lowmem", &KernelConfig::lowmem, "DRAM bytes covered by the linear map, from the DRAM base");
  f("vmalloc_va", &KernelConfig::vmalloc_va, "start of the vmalloc area (remaps of DMA buffers)");
  f("vmalloc_size", &KernelConfig::vmalloc_size, "size of the vmalloc area");
  f("io_va", &KernelConfig::io_va, "start of the ioremap area: register blocks mapped 4 KiB apart");
  f("strongly_ordered_io", &KernelConfig::strongly_ordered_io,
    "map registers Strongly-ordered instead of Device");
}

void PlatformConfig::describe(cfg::Fields<PlatformConfig>& f) {
  f("name", &PlatformConfig::name, "platform name").required();
  f("description", &PlatformConfig::description, "what the platform models and where its values come from");
  f("clusters", &PlatformConfig::clusters, "CPU clusters").required();
  f("interconnect", &PlatformConfig::interconnect, "the system interconnect (ports, latencies, address map)")
      .required();
  f("memory_target", &PlatformConfig::memory_target, "the address-map target (kind memory) the DRAM serves");
  f("dram", &PlatformConfig::dram, "the DRAM subsystem: a map or the path of a DRAM configuration file").required();
  f("kernel", &PlatformConfig::kernel, "the kernel's virtual memory layout");
  f("devices", &PlatformConfig::devices, "DMA masters: engines on interconnect ports, optionally behind a SYSMMU");
}

void PlatformConfig::validate(cfg::Validator& v) const {
  if (clusters.empty()) v.fail("clusters", "a platform needs at least one cluster");
  for (std::size_t i = 0; i < clusters.size(); ++i) {
    const ClusterConfig& c = clusters[i];
    const std::string at = fmt::format("clusters[{}]", i);
    for (std::size_t j = 0; j < i; ++j)
      if (clusters[j].name == c.name) v.fail(at + ".name", fmt::format("cluster name '{}' is used twice", c.name));
    const auto port = interconnect.find_port(c.port_name());
    if (!port)
      v.fail(at + (c.port.empty() ? ".name" : ".port"),
             fmt::format("the interconnect has no port named '{}' for cluster '{}'", c.port_name(), c.name));
    const auto kind = interconnect.ports[*port].kind;
    const bool outer = c.shared_cache && c.shared_cache->outer;
    if (outer && kind == interconnect::PortKind::Ace)
      v.fail(at + ".port", "a cluster behind an outer cache cannot sit on an ACE port: the outer cache is never snooped");
    if (kind == interconnect::PortKind::AceLite)
      v.fail(at + ".port", "a CPU cluster needs an ace or non-coherent port, not ace-lite");
  }
  bool found = false;
  for (std::size_t i = 0; i < interconnect.address_map.targets.size(); ++i) {
    const auto& t = interconnect.address_map.targets[i];
    if (t.name != memory_target) continue;
    found = true;
    if (t.kind != interconnect::TargetKind::Memory)
      v.fail(fmt::format("interconnect.address_map.targets[{}].kind", i),
             fmt::format("the DRAM target '{}' must be of kind memory", t.name));
    if (kernel.lowmem.bytes > t.size.bytes)
      v.fail("kernel.lowmem", fmt::format("lowmem ({}) is larger than the DRAM ({})", units::format(kernel.lowmem),
                                          units::format(t.size)));
  }
  if (!found)
    v.fail("memory_target", fmt::format("the interconnect's address map has no target named '{}'", memory_target));
  if (kernel.linear_va.value % 4096 || kernel.vmalloc_va.value % 4096 || kernel.io_va.value % 4096)
    v.fail("kernel", "kernel virtual addresses must be 4 KiB aligned");
  validate_devices(v);
}

void PlatformConfig::validate_devices(cfg::Validator& v) const {
  std::vector<bool> taken(interconnect.ports.size(), false);
  for (const auto& c : clusters)
    if (const auto p = interconnect.find_port(c.port_name())) taken[*p] = true;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const DeviceConfig& d = devices[i];
    const std::string at = fmt::format("devices[{}]", i);
    for (std::size_t j = 0; j < i; ++j)
      if (devices[j].name == d.name) v.fail(at + ".name", fmt::format("device name '{}' is used twice", d.name));
    for (const auto& c : clusters)
      if (c.name == d.name) v.fail(at + ".name", fmt::format("'{}' is already a cluster's name", d.name));
    const auto port = interconnect.find_port(d.port_name());
    if (!port)
      v.fail(at + (d.port.empty() ? ".name" : ".port"),
             fmt::format("the interconnect has no port named '{}' for device '{}'", d.port_name(), d.name));
    if (taken[*port])
      v.fail(at + ".port", fmt::format("port '{}' already has a master (a cluster or another device)", d.port_name()));
    taken[*port] = true;
    const auto kind = interconnect.ports[*port].kind;
    if (kind == interconnect::PortKind::Ace)
      v.fail(at + ".port", "a DMA master holds no cache: it needs an ace-lite or non-coherent port, not ace");
    if (!d.write_port.empty()) {
      const auto wp = interconnect.find_port(d.write_port);
      if (!wp) v.fail(at + ".write_port", fmt::format("the interconnect has no port named '{}'", d.write_port));
      if (taken[*wp])
        v.fail(at + ".write_port", fmt::format("port '{}' already has a master (a cluster or another device)", d.write_port));
      taken[*wp] = true;
      if (interconnect.ports[*wp].kind != kind)
        v.fail(at + ".write_port", "the write port must be of the same kind as the device's port");
    }
    if (d.sysmmu && d.sysmmu->coherent_walks && kind != interconnect::PortKind::AceLite)
      v.fail(at + ".sysmmu.coherent_walks", "coherent walks snoop the CPU caches: the device needs an ace-lite port");
  }
  if (const auto p = with_device_registers(interconnect.address_map, devices).problem())
    v.fail("devices", "the device register blocks do not fit the address map: " + p->key + ": " + p->message);
}

const DeviceConfig* PlatformConfig::find_device(const std::string& device) const {
  for (const auto& d : devices)
    if (d.name == device) return &d;
  return nullptr;
}

unsigned PlatformConfig::core_count() const {
  unsigned n = 0;
  for (const auto& c : clusters) n += c.cores;
  return n;
}

}  // namespace dmasim::platform
