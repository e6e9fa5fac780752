#pragma once
// Builds the SoC a PlatformConfig describes and runs software on it. The only place that knows
// how models are wired together (DESIGN.md, "Layout"); the wiring is drawn in docs/platforms.md:
//
//   core i -> L1D i [-> private L2 i] -> cluster snoop control (crossbar, one ACE port per core)
//          -> [shared cache: cluster L2 / L3 / outer PL310] -> system interconnect port
//   device d: DMA engine -> [SYSMMU] -> its system interconnect port
//   system interconnect -> DRAM (memory target), register targets (the devices' engines and
//   SYSMMUs; unclaimed ones answer with a decode error)
//
// Snoops: the system interconnect snoops a cluster on an ACE port through its shared cache (or
// its snoop control when it has none); a shared cache snoops the cores' caches through the snoop
// control; a private L2 snoops its L1D. An outer cache is never snooped.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "models/cache/cache.h"
#include "models/common/memory/physical_memory.h"
#include "models/common/model_context.h"
#include "models/common/oracle/oracle.h"
#include "models/common/stats/registry.h"
#include "models/common/trace/recorder.h"
#include "models/cpu/address_space.h"
#include "models/cpu/core.h"
#include "models/devices/dma_engine.h"
#include "models/dram/dram_subsystem.h"
#include "models/interconnect/crossbar.h"
#include "models/iommu/sysmmu.h"
#include "platform/platform_config.h"
#include "platform/unclaimed.h"

namespace dmasim::platform {

struct SocOptions {
  std::uint64_t seed = 1;
  bool oracle = true;
  trace::Recorder* trace = nullptr;
  // Interconnect ports the caller binds itself (devices, test masters); the others without a
  // master get an idle one.
  std::vector<std::string> external_ports;
  // Called about every millisecond of simulated time with the simulated time reached (a
  // progress line); null: none. The simulation runs in slices then, with the same results.
  std::function<void(Picoseconds)> progress;
};

class Soc {
 public:
  Soc(const PlatformConfig& config, stats::Registry& stats, const SocOptions& options = {});
  ~Soc();
  Soc(const Soc&) = delete;
  Soc& operator=(const Soc&) = delete;

  const PlatformConfig& config() const { return config_; }
  stats::Registry& stats() const { return stats_; }
  trace::Recorder* trace() const { return options_.trace; }
  unsigned core_count() const { return static_cast<unsigned>(cores_.size()); }
  cpu::Core& core(unsigned i) { return *cores_.at(i).core; }
  cache::Cache& l1d(unsigned i) { return *cores_.at(i).l1d; }
  cpu::AddressSpace& kernel() { return kernel_; }
  oracle::Oracle& oracle() { return *oracle_; }
  dram::DramSubsystem& dram() { return *dram_; }
  interconnect::Crossbar& interconnect() { return *system_; }
  // The platform's DMA masters by name (config.devices); null when there is none of that name.
  devices::DmaEngine* device(const std::string& name);
  iommu::Sysmmu* sysmmu(const std::string& device);  // null too when the device has none
  iommu::Sysmmu* write_sysmmu(const std::string& device);  // its write port's, if it has one
  // Physical memory's values (page tables the SYSMMU walkers decode); timing lives in the DRAM.
  PhysicalMemory& memory() { return memory_; }
  // The oracle domain of the CPUs behind ACE ports (kPrivateDomain when there are none): an
  // IO-coherent master on an ACE-Lite port belongs to it.
  oracle::DomainId coherent_domain() const { return coherent_domain_; }

  // Physical memory as the kernel sees it.
  std::uint64_t dram_base() const { return dram_base_; }
  std::uint64_t dram_size() const { return dram_size_; }
  // The linear-map address of a lowmem physical address (cacheable).
  std::uint64_t linear_va(std::uint64_t pa) const;
  // Maps [pa, pa+size) in the vmalloc area with the given type (a remap, as dma_alloc_attrs
  // does); returns its virtual address. Throws UserError when the area is full.
  std::uint64_t vmap(std::uint64_t pa, std::uint64_t size, cpu::MemAttr attr, const std::string& name);
  // The ioremap address of a register block: an address-map target of kind registers, or an
  // outer cache's block ("<cluster>.<shared_cache_name>").
  std::optional<std::uint64_t> io_va(const std::string& name) const;

  // Runs `program` on core i when the simulation starts; the program ends with a DSB.
  void start(unsigned core, cpu::Core::Program program, std::string name = "main");
  // Runs until every started program has returned; returns the simulated time then. Models
  // keep working on what is in flight only until that moment.
  Picoseconds run();
  // Closes the statistics (the DRAM's energy and state times) at the current time.
  void finish();

 private:
  struct CoreSlot {
    std::unique_ptr<cpu::Core> core;
    std::unique_ptr<cache::Cache> l1d;
    std::unique_ptr<cache::Cache> l2;  // private, optional
  };
  struct DeviceSlot {
    std::string name;
    std::unique_ptr<devices::DmaEngine> engine;
    std::unique_ptr<iommu::Sysmmu> sysmmu;
    std::unique_ptr<iommu::Sysmmu> write_sysmmu;  // the write port's, when the device has one
  };
  struct Cluster {
    std::unique_ptr<interconnect::Crossbar> coherence;
    std::unique_ptr<cache::Cache> shared;
  };

  void build_cluster(const ClusterConfig& c, std::size_t index);
  void build_device(const DeviceConfig& d, std::size_t index);
  tlm::tlm_target_socket<>* register_target(const std::string& name);
  void map_io();
  void program_done();

  PlatformConfig config_;
  stats::Registry& stats_;
  SocOptions options_;
  ModelContext root_;
  std::unique_ptr<oracle::Oracle> oracle_;
  cpu::AddressSpace kernel_;
  std::vector<CoreSlot> cores_;
  std::vector<Cluster> clusters_;
  std::vector<DeviceSlot> devices_;
  PhysicalMemory memory_;
  std::unique_ptr<interconnect::Crossbar> system_;
  std::unique_ptr<dram::DramSubsystem> dram_;
  std::vector<std::unique_ptr<IdleInitiator>> idle_initiators_;
  std::vector<std::unique_ptr<UnclaimedTarget>> unclaimed_;
  std::vector<bool> port_bound_;
  std::vector<std::pair<std::string, std::uint64_t>> io_;
  std::uint64_t dram_base_ = 0, dram_size_ = 0;
  std::uint64_t vmalloc_next_ = 0;
  unsigned started_ = 0, done_ = 0;
  Picoseconds end_ = 0;
  oracle::DomainId coherent_domain_ = oracle::kPrivateDomain;
};

}  // namespace dmasim::platform
