// CoreConfig from YAML: defaults, nested store buffer, and the errors of inconsistent values.
#include <gtest/gtest.h>

#include <string>

#include "models/cpu/core_config.h"
#include "tests/support/config_text.h"

namespace dmasim::cpu {
namespace {

CoreConfig read(const std::string& text) { return dmasim::testing::read_config_text<CoreConfig>(text, "test.yaml", "soc.cpu"); }
std::string error(const std::string& text) { return dmasim::testing::config_error<CoreConfig>(text, "test.yaml", "soc.cpu"); }

TEST(CoreConfig, DefaultsAndKeys) {
  const CoreConfig d = read("{}");
  EXPECT_EQ(d.clock.period_ps(), 1000u);
  EXPECT_EQ(d.line_size, 64u);
  EXPECT_EQ(d.max_outstanding_loads, 4u);
  EXPECT_EQ(d.max_outstanding_writes, 8u);
  EXPECT_EQ(d.drain_idle_cycles, 16u);
  EXPECT_EQ(d.quantum_cycles, 256u);
  EXPECT_NO_THROW(d.check());

  const CoreConfig c = read(
      "clock: 800MHz\nline_size: 32\nstore_buffer: {entries: 8, entry_size: 32B}\n"
      "max_outstanding_loads: 8\nmax_outstanding_writes: 16\ndrain_idle_cycles: 32\nquantum_cycles: 1000\n");
  EXPECT_EQ(c.clock.period_ps(), 1250u);
  EXPECT_EQ(c.line_size, 32u);
  EXPECT_EQ(c.store_buffer.entries, 8u);
  EXPECT_EQ(c.store_buffer.entry_size.bytes, 32u);
  EXPECT_EQ(c.max_outstanding_loads, 8u);
  EXPECT_EQ(c.max_outstanding_writes, 16u);
  EXPECT_EQ(c.drain_idle_cycles, 32u);
  EXPECT_EQ(c.quantum_cycles, 1000u);
}

TEST(CoreConfig, InconsistentValuesAreReportedAtTheirKey) {
  EXPECT_NE(error("line_size: 48\n").find("line_size"), std::string::npos);
  const std::string e = error("line_size: 32\nstore_buffer: {entry_size: 64B}\n");
  EXPECT_NE(e.find("store_buffer.entry_size"), std::string::npos) << e;
  EXPECT_NE(error("max_outstanding_loads: 0\n").find("max_outstanding_loads"), std::string::npos);
  EXPECT_NE(error("store_buffer: {entries: 0}\n").find("entries"), std::string::npos);
  EXPECT_NE(error("line_sise: 64\n").find("line_size"), std::string::npos);  // did you mean

  CoreConfig c;
  c.line_size = 32;
  c.store_buffer.entry_size = ByteSize{64};
  EXPECT_THROW(c.check(), UserError);
}

}  // namespace
}  // namespace dmasim::cpu
