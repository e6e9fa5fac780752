#pragma once
// A shipped platform assembled with the kernel software model on it, for tests of sw/: the SoC,
// its sw::Machine, a sw::Kernel with the given profile, and a way to run a program on a core and
// read statistics after.
//
//   SwHarness h("exynos4412", {.arch = sw::KernelArch::Armv7Pl310});
//   h.run([&](cpu::Core& c) { h.kernel().cache().sync_for_device(c, va, pa, 4096, ...); });
//   EXPECT_EQ(h.count("soc.cpu0.core.dc_civac"), 2u);
#include <cstdint>
#include <memory>
#include <string>

#include "models/common/config/node.h"
#include "models/common/config/schema.h"
#include "models/common/stats/registry.h"
#include "platform/platform_config.h"
#include "platform/soc.h"
#include "platform/soc_machine.h"
#include "sw/kernel/kernel.h"

namespace dmasim::test {

inline platform::PlatformConfig load_shipped_platform(const std::string& name) {
  const std::string file = std::string(DMASIM_SOURCE_DIR) + "/scenarios/platforms/" + name + ".yaml";
  return cfg::read<platform::PlatformConfig>(cfg::load_yaml_file(file));
}

class SwHarness {
 public:
  SwHarness(const std::string& platform, const sw::KernelProfile& profile, platform::SocOptions options = {})
      : soc_(std::make_unique<platform::Soc>(load_shipped_platform(platform), stats_, options)),
        machine_(std::make_unique<platform::SocMachine>(*soc_)),
        kernel_(std::make_unique<sw::Kernel>(*machine_, profile, stats::Group(stats_, "sw"))) {}

  platform::Soc& soc() { return *soc_; }
  sw::Machine& machine() { return *machine_; }
  sw::Kernel& kernel() { return *kernel_; }
  stats::Registry& stats() { return stats_; }

  // Runs program on core `core` to completion (one run per harness: SystemC elaborates once).
  Picoseconds run(cpu::Core::Program program, unsigned core = 0) {
    soc_->start(core, std::move(program));
    return soc_->run();
  }
  // A counter's value, 0 when the statistic does not exist.
  std::uint64_t count(const std::string& name) const {
    const stats::Stat* s = stats_.find(name);
    return s == nullptr ? 0 : s->counter().value();
  }
  // A scratch physical address in lowmem, `offset` bytes above 64 MiB into DRAM.
  std::uint64_t scratch_pa(std::uint64_t offset = 0) const { return soc_->dram_base() + (64ull << 20) + offset; }

 private:
  stats::Registry stats_;
  std::unique_ptr<platform::Soc> soc_;
  std::unique_ptr<platform::SocMachine> machine_;
  std::unique_ptr<sw::Kernel> kernel_;
};

}  // namespace dmasim::test
