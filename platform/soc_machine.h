#pragma once
// The assembled SoC as the kernel software model sees it (sw::Machine): cores, the kernel
// address space, physical memory, the memory layout, the outer caches' register blocks and the
// DMA masters with their register blocks, interrupt lines, SYSMMUs and port kinds.
#include <vector>

#include "platform/soc.h"
#include "sw/kernel/machine.h"

namespace dmasim::platform {

class SocMachine : public sw::Machine {
 public:
  explicit SocMachine(Soc& soc);

  unsigned core_count() const override { return soc_.core_count(); }
  cpu::Core& core(unsigned i) override { return soc_.core(i); }
  cpu::AddressSpace& address_space() override { return soc_.kernel(); }
  PhysicalMemory& memory() override { return soc_.memory(); }
  sw::MemoryLayout layout() const override { return layout_; }
  std::optional<std::uint64_t> outer_cache_regs(unsigned core) const override { return cores_.at(core).outer_regs; }
  unsigned outer_cache_line(unsigned core) const override { return cores_.at(core).outer_line; }
  unsigned dcache_line(unsigned core) const override { return cores_.at(core).l1_line; }
  void start(unsigned core, cpu::Core::Program program, std::string name) override {
    soc_.start(core, std::move(program), std::move(name));
  }
  const std::vector<sw::DeviceHandle>& devices() const override { return devices_; }

 private:
  struct CoreInfo {
    std::optional<std::uint64_t> outer_regs;
    unsigned outer_line = 0;
    unsigned l1_line = 0;
  };
  Soc& soc_;
  sw::MemoryLayout layout_;
  std::vector<CoreInfo> cores_;
  std::vector<sw::DeviceHandle> devices_;
};

}  // namespace dmasim::platform
