#include "platform/soc.h"

#include <fmt/format.h>

#include <algorithm>

#include "models/common/error.h"

namespace dmasim::platform {
namespace {

constexpr std::uint64_t kPage = cpu::kPageSize;
std::uint64_t page_round(std::uint64_t n) { return (n + kPage - 1) / kPage * kPage; }

unsigned smallest_line(const PlatformConfig& p) {
  std::uint64_t line = 64;
  for (const auto& c : p.clusters) line = std::min<std::uint64_t>(line, c.l1d.line_size.bytes);
  return static_cast<unsigned>(line);
}

// The cluster's snoop control as a crossbar: one ACE port per core, everything routed below.
interconnect::InterconnectConfig coherence_crossbar(const ClusterConfig& c) {
  interconnect::InterconnectConfig x;
  x.clock = c.coherence.clock.value_or(c.core.clock);
  for (unsigned i = 0; i < c.cores; ++i) {
    interconnect::PortConfig p;
    p.name = fmt::format("cpu{}", i);
    p.kind = interconnect::PortKind::Ace;
    p.outstanding = 64;
    x.ports.push_back(p);
  }
  x.latency = c.coherence.latency;
  x.data_width = c.coherence.data_width;
  x.snoop = c.coherence.snoop;
  interconnect::TargetConfig below;
  below.name = "below";
  below.kind = interconnect::TargetKind::Next;
  below.base = interconnect::Address{0};
  below.size = ByteSize{std::uint64_t{1} << 40};
  x.address_map.targets.push_back(below);
  x.check();
  return x;
}

}  // namespace

Soc::Soc(const PlatformConfig& config, stats::Registry& stats, const SocOptions& options)
    : config_(config), stats_(stats), options_(options) {
  config_.interconnect.address_map = with_device_registers(config.interconnect.address_map, config.devices);
  root_.stats = &stats_;
  root_.stats_path = "soc";
  root_.trace = options.trace;
  root_.seed = options.seed;

  oracle::Config oc;
  oc.enabled = options.oracle;
  oc.line_bytes = smallest_line(config_);
  oracle_ = std::make_unique<oracle::Oracle>(oc);
  oracle_->attach_stats(stats::Group(stats_, "soc.oracle"));
  root_.oracle = oracle_.get();

  const auto& map = config_.interconnect.address_map;
  for (const auto& t : map.targets)
    if (t.name == config_.memory_target) dram_base_ = t.base.value, dram_size_ = t.size.bytes;

  system_ = std::make_unique<interconnect::Crossbar>("interconnect", config_.interconnect, root_.child("interconnect"));
  port_bound_.assign(config_.interconnect.ports.size(), false);
  for (std::size_t i = 0; i < config_.clusters.size(); ++i) build_cluster(config_.clusters[i], i);
  for (std::size_t i = 0; i < config_.devices.size(); ++i) build_device(config_.devices[i], i);

  for (const auto& name : options.external_ports) {
    const auto p = config_.interconnect.find_port(name);
    if (!p) throw UserError(fmt::format("the interconnect has no port named '{}'", name));
    port_bound_[*p] = true;
  }
  for (std::size_t i = 0; i < config_.interconnect.ports.size(); ++i) {
    if (port_bound_[i]) continue;
    auto idle = std::make_unique<IdleInitiator>(fmt::format("idle_{}", config_.interconnect.ports[i].name).c_str());
    idle->socket.bind(system_->port(static_cast<unsigned>(i)));
    idle_initiators_.push_back(std::move(idle));
  }
  dram_ = std::make_unique<dram::DramSubsystem>("dram", config_.dram, stats_, "soc.dram", options.trace);
  for (std::size_t i = 0; i < map.targets.size(); ++i) {
    const auto& t = map.targets[i];
    if (t.name == config_.memory_target) {
      system_->target(static_cast<unsigned>(i)).bind(dram_->socket);
    } else if (auto* regs = register_target(t.name)) {
      system_->target(static_cast<unsigned>(i)).bind(*regs);
    } else {
      auto u = std::make_unique<UnclaimedTarget>(fmt::format("unclaimed_{}", t.name).c_str());
      system_->target(static_cast<unsigned>(i)).bind(u->socket);
      unclaimed_.push_back(std::move(u));
    }
  }

  kernel_.map(config_.kernel.linear_va.value, dram_base_, config_.kernel.lowmem.bytes, cpu::MemAttr::NormalWriteBack,
              "linear map");
  vmalloc_next_ = config_.kernel.vmalloc_va.value;
  map_io();
}

Soc::~Soc() = default;

void Soc::build_cluster(const ClusterConfig& c, std::size_t index) {
  const ModelContext cluster_ctx = root_.child(c.name, index);
  ModelContext core_base = cluster_ctx;
  const unsigned port = *config_.interconnect.find_port(c.port_name());
  const bool ace = config_.interconnect.ports[port].kind == interconnect::PortKind::Ace;
  if (ace) {
    if (coherent_domain_ == oracle::kPrivateDomain) coherent_domain_ = oracle_->add_domain("coherent interconnect");
    core_base.oracle_domain = coherent_domain_;
  } else {
    core_base.oracle_domain = oracle_->add_domain(c.name);
  }

  const ClockDomain core_clock = c.core.clock.domain(c.name + ".core");
  Cluster cl;
  cl.coherence = std::make_unique<interconnect::Crossbar>(fmt::format("{}_coherence", c.name).c_str(),
                                                          coherence_crossbar(c), cluster_ctx.child("coherence"));
  for (unsigned i = 0; i < c.cores; ++i) {
    CoreSlot slot;
    const std::string cpu = fmt::format("cpu{}", i);
    ModelContext ctx = core_base.child(cpu, i);
    slot.core = std::make_unique<cpu::Core>(fmt::format("{}_{}", c.name, cpu).c_str(), c.core, kernel_, ctx);
    slot.l1d = std::make_unique<cache::Cache>(fmt::format("{}_{}_l1d", c.name, cpu).c_str(), c.l1d, core_clock,
                                              ctx.child("l1d"));
    slot.core->socket.bind(slot.l1d->upstream);
    cache::Cache* bottom = slot.l1d.get();
    if (c.private_l2) {
      slot.l2 = std::make_unique<cache::Cache>(fmt::format("{}_{}_l2", c.name, cpu).c_str(), *c.private_l2,
                                               core_clock, ctx.child("l2"));
      slot.l1d->downstream.bind(slot.l2->upstream);
      slot.l2->set_upstream_snooper(slot.l1d.get());
      bottom = slot.l2.get();
    }
    bottom->downstream.bind(cl.coherence->port(i));
    cl.coherence->set_snoop_target(i, bottom);
    cores_.push_back(std::move(slot));
  }
  SnoopTarget* cluster_snoop = &cl.coherence->upward_snooper();
  if (c.shared_cache) {
    const ClockDomain clock = c.shared_cache_clock.value_or(c.core.clock).domain(c.name + "." + c.shared_cache_name);
    cl.shared = std::make_unique<cache::Cache>(fmt::format("{}_{}", c.name, c.shared_cache_name).c_str(),
                                               *c.shared_cache, clock, cluster_ctx.child(c.shared_cache_name));
    cl.coherence->target(0).bind(cl.shared->upstream);
    cl.shared->set_upstream_snooper(cluster_snoop);
    if (c.shared_cache->outer) cl.shared->set_register_window(c.outer_registers->value, kPage);
    cl.shared->downstream.bind(system_->port(port));
    cluster_snoop = cl.shared.get();
  } else {
    cl.coherence->target(0).bind(system_->port(port));
  }
  if (ace) system_->set_snoop_target(port, cluster_snoop);
  port_bound_[port] = true;
  clusters_.push_back(std::move(cl));
}

// A device's engine, and its SYSMMU when it has one, on the device's port. Both sit behind the
// crossbar, which rebases register accesses to the block's offset: their register base is 0.
void Soc::build_device(const DeviceConfig& d, std::size_t index) {
  const unsigned port = *config_.interconnect.find_port(d.port_name());
  ModelContext ctx = root_.child(d.name, 1000 + index);
  if (config_.interconnect.ports[port].kind == interconnect::PortKind::AceLite) {
    if (coherent_domain_ == oracle::kPrivateDomain) coherent_domain_ = oracle_->add_domain("coherent interconnect");
    ctx.oracle_domain = coherent_domain_;
  }
  DeviceSlot slot;
  slot.name = d.name;
  slot.engine = std::make_unique<devices::DmaEngine>(d.name.c_str(), d.engine, ctx, 0);
  if (d.sysmmu) {
    slot.sysmmu = std::make_unique<iommu::Sysmmu>(fmt::format("{}_sysmmu", d.name).c_str(), *d.sysmmu,
                                                  ctx.child("sysmmu"), memory_, 0);
    slot.engine->port.bind(slot.sysmmu->upstream);
    slot.sysmmu->downstream.bind(system_->port(port));
    slot.engine->set_translated(true);
    slot.sysmmu->set_master_agent(slot.engine->agent());
  } else {
    slot.engine->port.bind(system_->port(port));
  }
  port_bound_[port] = true;
  if (!d.write_port.empty()) {
    const unsigned wport = *config_.interconnect.find_port(d.write_port);
    if (d.sysmmu) {
      slot.write_sysmmu = std::make_unique<iommu::Sysmmu>(fmt::format("{}_sysmmu_w", d.name).c_str(), *d.sysmmu,
                                                          ctx.child("sysmmu_w"), memory_, 0);
      slot.engine->write_port.bind(slot.write_sysmmu->upstream);
      slot.write_sysmmu->downstream.bind(system_->port(wport));
      slot.write_sysmmu->set_master_agent(slot.engine->agent());
    } else {
      slot.engine->write_port.bind(system_->port(wport));
    }
    port_bound_[wport] = true;
  }
  devices_.push_back(std::move(slot));
}

tlm::tlm_target_socket<>* Soc::register_target(const std::string& name) {
  for (DeviceSlot& d : devices_) {
    if (name == d.name) return &d.engine->registers;
    if (d.sysmmu && name == d.name + "_sysmmu") return &d.sysmmu->registers;
    if (d.write_sysmmu && name == d.name + "_sysmmu_w") return &d.write_sysmmu->registers;
  }
  return nullptr;
}

devices::DmaEngine* Soc::device(const std::string& name) {
  for (DeviceSlot& d : devices_)
    if (d.name == name) return d.engine.get();
  return nullptr;
}

iommu::Sysmmu* Soc::sysmmu(const std::string& device) {
  for (DeviceSlot& d : devices_)
    if (d.name == device) return d.sysmmu.get();
  return nullptr;
}

iommu::Sysmmu* Soc::write_sysmmu(const std::string& device) {
  for (DeviceSlot& d : devices_)
    if (d.name == device) return d.write_sysmmu.get();
  return nullptr;
}

void Soc::map_io() {
  const cpu::MemAttr attr = config_.kernel.strongly_ordered_io ? cpu::MemAttr::StronglyOrdered : cpu::MemAttr::Device;
  std::uint64_t va = config_.kernel.io_va.value;
  auto map_block = [&](const std::string& name, std::uint64_t pa, std::uint64_t size) {
    const std::uint64_t bytes = page_round(size);
    kernel_.map(va, pa, bytes, attr, "ioremap " + name);
    io_.emplace_back(name, va);
    va += bytes;
  };
  for (const auto& c : config_.clusters)
    if (c.outer_registers) map_block(c.name + "." + c.shared_cache_name, c.outer_registers->value, kPage);
  for (const auto& t : config_.interconnect.address_map.targets)
    if (t.kind == interconnect::TargetKind::Registers) map_block(t.name, t.base.value, t.size.bytes);
}

std::uint64_t Soc::linear_va(std::uint64_t pa) const {
  if (pa < dram_base_ || pa - dram_base_ >= config_.kernel.lowmem.bytes)
    throw UserError(fmt::format("physical address {:#x} is not in lowmem (the linear map covers {:#x}..{:#x})", pa,
                                dram_base_, dram_base_ + config_.kernel.lowmem.bytes));
  return config_.kernel.linear_va.value + (pa - dram_base_);
}

std::uint64_t Soc::vmap(std::uint64_t pa, std::uint64_t size, cpu::MemAttr attr, const std::string& name) {
  const std::uint64_t bytes = page_round(size);
  const std::uint64_t end = config_.kernel.vmalloc_va.value + config_.kernel.vmalloc_size.bytes;
  // One guard page between areas, as vmalloc leaves.
  if (vmalloc_next_ + bytes > end)
    throw UserError(fmt::format("the vmalloc area ({} bytes) has no room for a {}-byte mapping '{}'",
                                config_.kernel.vmalloc_size.bytes, bytes, name));
  const std::uint64_t va = vmalloc_next_;
  kernel_.map(va, pa & ~(kPage - 1), bytes, attr, name);
  vmalloc_next_ += bytes + kPage;
  return va + (pa & (kPage - 1));
}

std::optional<std::uint64_t> Soc::io_va(const std::string& name) const {
  for (const auto& [n, va] : io_)
    if (n == name) return va;
  return std::nullopt;
}

void Soc::start(unsigned core, cpu::Core::Program program, std::string name) {
  ++started_;
  cores_.at(core).core->start(
      [this, program = std::move(program)](cpu::Core& c) {
        program(c);
        c.dsb();
        c.sync();
        program_done();
      },
      std::move(name));
}

void Soc::program_done() {
  if (++done_ == started_) {
    end_ = sc_core::sc_time_stamp().value();
    sc_core::sc_stop();
  }
}

Picoseconds Soc::run() {
  if (started_ == 0) return 0;
  if (!options_.progress) {
    sc_core::sc_start();
    return end_;
  }
  while (sc_core::sc_pending_activity() && sc_core::sc_get_status() != sc_core::SC_STOPPED) {
    sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_MS), sc_core::SC_EXIT_ON_STARVATION);
    options_.progress(sim_now());
  }
  return end_;
}

void Soc::finish() { dram_->finish(); }

}  // namespace dmasim::platform
