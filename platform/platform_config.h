#pragma once
// A platform: the SoC a scenario runs on (scenarios/platforms/*.yaml). CPU clusters (cores with
// private L1 data caches, optional private L2s, the cluster's snoop control and an optional
// shared cache: a cluster L2, a DSU L3 or a PL310-style outer cache), the system interconnect
// with its address map, the DRAM subsystem, and the kernel's view of memory (where the linear
// map and the vmalloc / ioremap areas are). The wiring it implies is described in
// docs/platforms.md; soc.h builds it.
#include <optional>
#include <string>
#include <vector>

#include "models/cache/cache_config.h"
#include "models/common/clock_spec.h"
#include "models/common/config/schema.h"
#include "models/cpu/core_config.h"
#include "models/dram/dram_config.h"
#include "models/interconnect/interconnect_config.h"
#include "platform/device_config.h"

namespace dmasim::platform {

using interconnect::Address;

// The snoop control of a cluster (Cortex-A9 SCU, the A15 L2's snoop logic, the DSU): a crossbar
// with one ACE port per core's private cache hierarchy.
struct CoherenceConfig {
  std::optional<ClockSpec> clock;  // default: the cores' clock
  interconnect::LatencyConfig latency;
  ByteSize data_width{16};
  interconnect::SnoopMode snoop = interconnect::SnoopMode::Broadcast;

  static void describe(cfg::Fields<CoherenceConfig>& f);
};

struct ClusterConfig {
  std::string name;
  unsigned cores = 1;
  cpu::CoreConfig core;
  cache::CacheConfig l1d;
  std::optional<cache::CacheConfig> private_l2;  // one per core, behind its L1D
  CoherenceConfig coherence;
  std::optional<cache::CacheConfig> shared_cache;  // behind the snoop control, shared by the cores
  std::string shared_cache_name = "l2";            // its name in stats ("l2", "l3", "pl310")
  std::optional<ClockSpec> shared_cache_clock;     // default: the cores' clock
  std::optional<Address> outer_registers;          // outer (PL310) mode: its 4 KiB register block
  std::string port;  // the system interconnect port the cluster connects to (default: its name)

  static void describe(cfg::Fields<ClusterConfig>& f);
  void validate(cfg::Validator& v) const;
  const std::string& port_name() const { return port.empty() ? name : port; }
};

// Where the kernel maps memory: the linear map (cacheable lowmem), the vmalloc area (remaps such
// as non-cacheable DMA buffers) and the ioremap area (device registers), as virtual addresses.
struct KernelConfig {
  Address linear_va{0xC0000000};  // the first DRAM byte's linear-map address (PAGE_OFFSET)
  ByteSize lowmem{512ull << 20};  // DRAM bytes in the linear map, from the DRAM base
  Address vmalloc_va{0xE0000000};
  ByteSize vmalloc_size{256ull << 20};
  Address io_va{0xF8000000};      // register blocks are mapped here, 4 KiB apart, in address-map order
  bool strongly_ordered_io = false;  // ioremap gives Strongly-ordered instead of Device pages

  static void describe(cfg::Fields<KernelConfig>& f);
};

struct PlatformConfig {
  std::string name;
  std::string description;
  std::vector<ClusterConfig> clusters;
  interconnect::InterconnectConfig interconnect;
  std::string memory_target = "dram";  // the address-map target the DRAM subsystem serves
  dram::DramConfig dram;
  KernelConfig kernel;
  std::vector<DeviceConfig> devices;

  static void describe(cfg::Fields<PlatformConfig>& f);
  void validate(cfg::Validator& v) const;

  unsigned core_count() const;
  const DeviceConfig* find_device(const std::string& device) const;

 private:
  void validate_devices(cfg::Validator& v) const;
};

}  // namespace dmasim::platform
