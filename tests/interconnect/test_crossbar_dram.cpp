// The DRAM subsystem (LPDDR3-1600 x32) as the crossbar's memory target: a stream of reads all
// complete through the DRAM's backpressure, and an unloaded read costs request + forward + the
// DRAM's own latency + response + data cycles - 1. The DRAM part is measured in the same
// elaboration on a second DramSubsystem driven directly, with the read arriving at the same
// time (the crossbar runs at the DRAM clock, 800 MHz, so both arrive on the same DRAM edge).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "models/common/config/overrides.h"
#include "models/common/model_context.h"
#include "models/common/stats/registry.h"
#include "models/dram/dram_config.h"
#include "models/dram/dram_subsystem.h"
#include "models/interconnect/crossbar.h"
#include "tests/interconnect/crossbar_bench.h"

namespace dmasim::interconnect {
namespace {

using test::map_target;
using test::port;
using test::TestInitiator;

dram::DramConfig load_lpddr3() {
  cfg::Node node = cfg::load_yaml_file(std::string(DMASIM_SOURCE_DIR) + "/scenarios/dram/lpddr3-1600-x32.yaml");
  cfg::apply_overrides(node, {"controller.check_commands=true", "controller.refresh=none"});
  return cfg::read<dram::DramConfig>(node);
}

TestInitiator::Request read_at(Picoseconds at, std::uint64_t address) {
  TestInitiator::Request r;
  r.at = at;
  r.address = address;
  r.length = 64;
  return r;
}

TEST(CrossbarDram, StreamOfReadsCompletesAndAnUnloadedReadCostsTheSum) {
  SKIP_UNLESS_FRESH_KERNEL();
  constexpr std::uint64_t kBase = 0x40000000;
  stats::Registry registry;
  const dram::DramConfig dcfg = load_lpddr3();
  dram::DramSubsystem dram("dram", dcfg, registry, "dram");
  dram::DramSubsystem reference("reference", dcfg, registry, "reference");
  const Picoseconds P = dram.clock().period;  // 1250 ps
  ASSERT_EQ(P, 1250u);

  InterconnectConfig c;
  c.clock = ClockSpec::from_period(Duration{P});
  c.ports = {port("dma", PortKind::NonCoherent, 0, /*outstanding=*/8)};
  c.address_map.targets = {map_target("dram", TargetKind::Memory, kBase, 1ull << 30)};
  ModelContext ctx;
  ctx.stats = &registry;
  ctx.stats_path = "xbar";
  Crossbar xbar("xbar", c, ctx);
  xbar.target("dram").bind(dram.socket);

  TestInitiator in("dma");
  in.socket.bind(xbar.port("dma"));
  in.add(read_at(0, kBase + 0x100000));
  constexpr int kStream = 64;
  for (int i = 0; i < kStream; ++i) in.add(read_at(2'000'000, kBase + 0x200000 + 64 * i));

  // The same read straight into an identical DRAM, arriving when the crossbar's would.
  const Picoseconds arrival = (c.latency.request + c.latency.forward) * P;
  TestInitiator direct("direct");
  direct.socket.bind(reference.socket);
  direct.add(read_at(arrival, 0x100000));

  sc_core::sc_start();
  dram.finish();
  reference.finish();

  ASSERT_EQ(direct.completed(), 1u);
  const Picoseconds dram_latency = direct.results[0].completed - arrival;
  EXPECT_GT(dram_latency, 0u);
  ASSERT_EQ(in.completed(), 1u + kStream);
  for (const auto& r : in.results) EXPECT_EQ(r.status, tlm::TLM_OK_RESPONSE);
  const std::uint64_t data_cycles = 64 / 16;
  EXPECT_EQ(in.results[0].completed, arrival + dram_latency + (c.latency.response + data_cycles - 1) * P);
  EXPECT_TRUE(xbar.idle());
  EXPECT_TRUE(dram.violations().empty());
  EXPECT_EQ(registry.find("xbar.ports.dma.requests")->counter().value(), 1u + kStream);
  EXPECT_GT(registry.find("xbar.ports.dma.stall_cycles")->counter().value(), 0u);  // 8 outstanding
}

}  // namespace
}  // namespace dmasim::interconnect
