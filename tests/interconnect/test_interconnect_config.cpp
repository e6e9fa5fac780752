// InterconnectConfig: a CCI-400-like configuration read from YAML, defaults from REFERENCE.md,
// and the checks with their messages.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "models/common/config/node.h"
#include "models/common/error.h"
#include "models/interconnect/interconnect_config.h"

#include "tests/support/config_text.h"
namespace dmasim::interconnect {
namespace {

const char* const kMap = "address_map:\n  targets:\n    - {name: dram, base: 0x40000000, size: 2GiB}\n";

InterconnectConfig read_text(const std::string& text) {
  return dmasim::testing::read_config_text<InterconnectConfig>(text, "cci.yaml", "soc.cci");
}

std::string error_of(const std::string& text) {
  return dmasim::testing::config_error<InterconnectConfig>(text, "cci.yaml", "soc.cci");
}

std::string ports_and(const std::string& ports, const std::string& rest = {}) {
  return "ports:\n" + ports + rest + kMap;
}

TEST(InterconnectConfig, ReadsAnExynos5422LikeCci400) {
  const InterconnectConfig c = read_text(ports_and(
      "  - {name: a15, kind: ace}\n"
      "  - {name: a7, kind: ace}\n"
      "  - {name: gscl, kind: ace-lite, outstanding: 8, qos: 4}\n"
      "  - {name: mfc, kind: ace-lite}\n"
      "  - {name: g2d, kind: ace-lite}\n",
      "clock: 533MHz\n"));
  ASSERT_EQ(c.ports.size(), 5u);
  EXPECT_EQ(c.count(PortKind::Ace), 2u);
  EXPECT_EQ(c.count(PortKind::AceLite), 3u);
  EXPECT_EQ(c.ports[2].outstanding, 8u);
  EXPECT_EQ(c.ports[2].qos, 4u);
  EXPECT_EQ(c.ports[3].outstanding, 16u);  // default
  EXPECT_EQ(c.find_port("mfc"), 3u);
  EXPECT_EQ(c.port_qos(), (std::vector<unsigned>{0, 0, 4, 0, 0}));
  // REFERENCE.md section 5 defaults: 3 request, 4 forward, 2 response, 4 snoop response, 16 B.
  EXPECT_EQ(c.latency.request, 3u);
  EXPECT_EQ(c.latency.forward, 4u);
  EXPECT_EQ(c.latency.response, 2u);
  EXPECT_EQ(c.latency.snoop_response, 4u);
  EXPECT_EQ(c.data_width.bytes, 16u);
  EXPECT_EQ(c.snoop, SnoopMode::Broadcast);
  EXPECT_FALSE(c.speculative_read);
  EXPECT_EQ(c.arbitration, ArbitrationPolicy::RoundRobin);
  // 1e12 / 533e6 = 1876.17 ps, rounded.
  EXPECT_EQ(c.clock.period_ps(), 1876u);
  EXPECT_EQ(c.data_cycles(64), 4u);
  EXPECT_EQ(c.data_cycles(4), 1u);
  EXPECT_EQ(c.data_cycles(0), 1u);
  EXPECT_EQ(c.address_map.targets[0].name, "dram");
}

TEST(InterconnectConfig, ClockAsPeriodAndRoundTrip) {
  const InterconnectConfig c = read_text(ports_and(
      "  - {name: cpu, kind: ace}\n",
      "clock: 1.25ns\nsnoop: filter\nspeculative_read: true\narbitration: qos\nstarvation_limit: 64\n"
      "data_width: 32\nlatency: {request: 1, snoop: 5}\n"));
  EXPECT_EQ(c.clock.period_ps(), 1250u);
  EXPECT_FALSE(c.clock.frequency.has_value());
  EXPECT_EQ(c.snoop, SnoopMode::Filter);
  EXPECT_TRUE(c.speculative_read);
  EXPECT_EQ(c.arbitration, ArbitrationPolicy::Qos);
  EXPECT_EQ(c.starvation_limit, 64u);
  EXPECT_EQ(c.data_width.bytes, 32u);
  EXPECT_EQ(c.latency.request, 1u);
  EXPECT_EQ(c.latency.snoop, 5u);
  EXPECT_EQ(c.latency.forward, 4u);
  const cfg::Node out = cfg::write(c);
  EXPECT_EQ(out.find("clock")->value(), "1.25ns");
  const InterconnectConfig again = cfg::read<InterconnectConfig>(out, "x");
  EXPECT_EQ(again.clock.period_ps(), 1250u);
  EXPECT_EQ(again.arbitration, ArbitrationPolicy::Qos);
  EXPECT_EQ(again.address_map.targets[0].base.value, 0x40000000u);
  EXPECT_EQ(again.ports[0].kind, PortKind::Ace);
}

TEST(InterconnectConfig, PortChecks) {
  std::string e = error_of(ports_and("  - {name: dma, kind: ace-lite}\n  - {name: dma}\n"));
  EXPECT_NE(e.find("soc.cci.ports"), std::string::npos) << e;
  EXPECT_NE(e.find("port name 'dma' is used twice (ports[0] and ports[1])"), std::string::npos) << e;
  e = error_of(ports_and("  - {name: dma, kind: acelite}\n"));
  EXPECT_NE(e.find("soc.cci.ports[0].kind"), std::string::npos) << e;
  EXPECT_NE(e.find("ace-lite"), std::string::npos) << e;  // the suggestion
  e = error_of(ports_and("  - {name: dma, qos: 16}\n"));
  EXPECT_NE(e.find("soc.cci.ports[0].qos"), std::string::npos) << e;
  e = error_of(ports_and("  - {name: dma, outstanding: 0}\n"));
  EXPECT_NE(e.find("soc.cci.ports[0].outstanding"), std::string::npos) << e;
  e = error_of(ports_and("  - {kind: ace}\n"));
  EXPECT_NE(e.find("soc.cci.ports[0].name"), std::string::npos) << e;
  e = error_of(std::string("ports: []\n") + kMap);
  EXPECT_NE(e.find("the interconnect needs at least one port"), std::string::npos) << e;
  e = error_of("address_map: {targets: [{name: d, base: 0, size: 4KiB}]}\n");
  EXPECT_NE(e.find("soc.cci.ports"), std::string::npos) << e;
  EXPECT_NE(e.find("missing required key"), std::string::npos) << e;
}

TEST(InterconnectConfig, TooManyPorts) {
  InterconnectConfig c;
  c.address_map.targets = {TargetConfig{"dram", TargetKind::Memory, Address{0}, ByteSize{4096}}};
  for (int i = 0; i < 65; ++i) c.ports.push_back(PortConfig{fmt::format("p{}", i), PortKind::NonCoherent, 1, 0});
  try {
    c.check();
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "interconnect configuration: ports: at most 64 ports are supported, got 65");
  }
  c.ports.pop_back();
  EXPECT_NO_THROW(c.check());
}

TEST(InterconnectConfig, ClockAndWidthChecks) {
  std::string e = error_of(ports_and("  - {name: p}\n", "clock: 3V\n"));
  EXPECT_NE(e.find("soc.cci.clock"), std::string::npos) << e;
  EXPECT_NE(e.find("expected a frequency (e.g. 533MHz) or a period (e.g. 1.876ns), got '3V'"), std::string::npos)
      << e;
  e = error_of(ports_and("  - {name: p}\n", "clock: 0MHz\n"));
  EXPECT_NE(e.find("the clock frequency must not be zero"), std::string::npos) << e;
  e = error_of(ports_and("  - {name: p}\n", "clock: 0ns\n"));
  EXPECT_NE(e.find("the clock period must not be zero"), std::string::npos) << e;
  e = error_of(ports_and("  - {name: p}\n", "data_width: 24\n"));
  EXPECT_NE(e.find("soc.cci.data_width"), std::string::npos) << e;
  EXPECT_NE(e.find("data width must be a power of two from 4B to 128B, got 24B"), std::string::npos) << e;
  e = error_of(ports_and("  - {name: p}\n", "latency: {forward: 1001}\n"));
  EXPECT_NE(e.find("soc.cci.latency.forward"), std::string::npos) << e;
}

TEST(InterconnectConfig, AddressMapErrorsKeepTheirPath) {
  const std::string e = error_of(
      "ports: [{name: p}]\naddress_map:\n  targets:\n    - {name: a, base: 0, size: 8KiB}\n"
      "    - {name: b, base: 4KiB, size: 4KiB}\n");
  EXPECT_NE(e.find("soc.cci.address_map.targets"), std::string::npos) << e;
  EXPECT_NE(e.find("targets[0] 'a' [0x0, 0x1fff] and targets[1] 'b' [0x1000, 0x1fff] overlap"), std::string::npos)
      << e;
  // The same through check() for a config built in C++.
  InterconnectConfig c = read_text(ports_and("  - {name: p}\n"));
  c.address_map.targets.push_back(TargetConfig{"dup", TargetKind::Registers, Address{0x40001000}, ByteSize{4096}});
  try {
    c.check();
    FAIL() << "no error";
  } catch (const UserError& e2) {
    EXPECT_STREQ(e2.what(),
                 "interconnect configuration: address_map.targets: targets[0] 'dram' [0x40000000, 0xbfffffff] and "
                 "targets[1] 'dup' [0x40001000, 0x40001fff] overlap");
  }
}

TEST(InterconnectConfig, ArbiterFromConfig) {
  const InterconnectConfig c = read_text(ports_and(
      "  - {name: a, qos: 2}\n  - {name: b, qos: 9}\n", "arbitration: qos\nstarvation_limit: 3\n"));
  auto arb = make_arbiter(c.arbitration, c.port_qos(), c.starvation_limit);
  EXPECT_EQ(arb->ports(), 2u);
  EXPECT_EQ(arb->pick(0b11, 0), 1u);
}

}  // namespace
}  // namespace dmasim::interconnect
