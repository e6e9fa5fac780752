// MemSpec: a DRAM memspec read through the schema layer, JEDEC time-to-cycle rounding, and the
// cross-field checks that reject impossible devices. Expected cycle counts are worked out by hand
// with nCK = trunc((t[ps] * 1000 / tCK[ps] + 974) / 1000).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "models/common/config/node.h"
#include "models/common/config/overrides.h"
#include "models/common/config/schema.h"
#include "models/dram/memspec.h"

namespace dmasim::dram {

// A scenario-like struct that includes a memspec file by path.
struct ScenarioWithMemspec {
  MemSpecConfig memspec;
  static void describe(cfg::Fields<ScenarioWithMemspec>& f) {
    f("memspec", &ScenarioWithMemspec::memspec, "DRAM device").required();
  }
};

namespace {

const std::string kFixture = std::string(DMASIM_TEST_DATA_DIR) + "/config/ddr4_2400_8gb_x8.yaml";

std::string fixture_text() {
  std::ifstream in(kFixture);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The fixture with one line replaced (the line must exist exactly once).
std::string fixture_with(const std::string& old_line, const std::string& new_line) {
  std::string text = fixture_text();
  const auto at = text.find(old_line + "\n");
  EXPECT_NE(at, std::string::npos) << old_line;
  EXPECT_EQ(text.find(old_line + "\n", at + 1), std::string::npos) << old_line;
  if (at != std::string::npos) text.replace(at, old_line.size(), new_line);
  return text;
}

MemSpecConfig read_text(const std::string& text) {
  return cfg::read<MemSpecConfig>(cfg::load_yaml_string(text, "ddr4.yaml"));
}

std::string error_of(const std::string& text) {
  try {
    read_text(text);
  } catch (const cfg::ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError";
  return {};
}

TEST(MemSpecRounding, JedecTimeToCycles) {
  EXPECT_EQ(time_to_cycles(13'750, 833), 17u);  // 16.51 -> 17
  EXPECT_EQ(time_to_cycles(15'000, 1'250), 12u);  // exactly 12: not rounded up
  EXPECT_EQ(time_to_cycles(15'001, 1'250), 12u);  // within the guard band
  EXPECT_EQ(time_to_cycles(15'100, 1'250), 13u);  // 12.08 -> 13
  EXPECT_EQ(time_to_cycles(32'000, 833), 39u);
  EXPECT_EQ(time_to_cycles(350'000, 833), 421u);
  EXPECT_EQ(time_to_cycles(7'800'000, 833), 9364u);
  EXPECT_EQ(time_to_cycles(833, 833), 1u);
  EXPECT_EQ(time_to_cycles(0, 833), 0u);
}

TEST(MemSpecLoad, ResolvesTheDdr4Fixture) {
  const MemSpec m = load_memspec(kFixture);
  EXPECT_EQ(m.name, "DDR4-2400_8Gb_x8");
  EXPECT_EQ(m.standard, Standard::DDR4);
  EXPECT_EQ(m.org.bank_groups, 4u);
  EXPECT_EQ(m.org.banks, 16u);
  EXPECT_EQ(m.org.banks_per_group(), 4u);
  EXPECT_EQ(m.org.devices_per_rank(), 8u);
  EXPECT_EQ(m.org.bytes_per_burst(), 64u);
  EXPECT_EQ(m.org.total_bytes(), 8ull << 30);
  const Timings& t = m.t;
  EXPECT_EQ(t.tCK, 833u);
  EXPECT_EQ(t.CL, 17u);
  EXPECT_EQ(t.CWL, 12u);
  EXPECT_EQ(t.tRCD, 17u);  // 13.75 ns at 0.833 ns
  EXPECT_EQ(t.tRP, 17u);
  EXPECT_EQ(t.tRPab, 17u);  // defaults to tRP
  EXPECT_EQ(t.tRAS, 39u);
  EXPECT_EQ(t.tRC, 56u);
  EXPECT_EQ(t.tWR, 18u);
  EXPECT_EQ(t.tRTP, 9u);
  EXPECT_EQ(t.tWTR_S, 3u);
  EXPECT_EQ(t.tWTR_L, 9u);
  EXPECT_EQ(t.tRRD_S, 4u);
  EXPECT_EQ(t.tRRD_L, 6u);
  EXPECT_EQ(t.tFAW, 26u);
  EXPECT_EQ(t.tCCD_S, 4u);
  EXPECT_EQ(t.tCCD_L, 6u);
  EXPECT_EQ(t.tRFC, 421u);
  EXPECT_EQ(t.tREFI, 9364u);
  EXPECT_EQ(t.tRTRS, 1u);  // default
  EXPECT_FALSE(m.has_per_bank_refresh());
  EXPECT_TRUE(m.has_bank_groups());
  ASSERT_EQ(m.power.size(), 2u);
  EXPECT_EQ(m.power[0].rail, "VDD");
  EXPECT_DOUBLE_EQ(m.power[0].voltage.volts, 1.2);
  EXPECT_DOUBLE_EQ(m.power[0].IDD0.amps, 0.058);
  EXPECT_EQ(m.power[1].rail, "VPP");
  EXPECT_DOUBLE_EQ(m.power[1].voltage.volts, 2.5);
}

TEST(MemSpecLoad, FifteenNanosecondsAtTck1250Is12Cycles) {
  std::string text = fixture_with("  tCK: 0.833ns", "  tCK: 1.25ns");
  text.replace(text.find("  tRCD: 13.75ns"), 15, "  tRCD: 15ns");
  const MemSpec m = resolve(read_text(text));
  EXPECT_EQ(m.t.tCK, 1250u);
  EXPECT_EQ(m.t.tRCD, 12u);
  EXPECT_EQ(m.t.tRP, 11u);  // 13.75 / 1.25 = 11 exactly
}

TEST(MemSpecErrors, TrcBelowTrasPlusTrpNamesTimingTrcAndItsLine) {
  EXPECT_EQ(error_of(fixture_with("  tRC: 56", "  tRC: 40")),
            "ddr4.yaml:22:8: key 'timing.tRC': tRC (40) must be at least tRAS + tRP (39 + 17 = 56)");
}

TEST(MemSpecErrors, ZeroBanksIsOutOfRange) {
  EXPECT_EQ(error_of(fixture_with("  banks: 16", "  banks: 0")),
            "ddr4.yaml:9:10: key 'organisation.banks': value 0 is out of range [1, 64]");
}

TEST(MemSpecErrors, BanksNotDivisibleByBankGroups) {
  std::string text = fixture_with("  banks: 16", "  banks: 4");
  text.replace(text.find("  bank_groups: 4"), 16, "  bank_groups: 8");
  EXPECT_EQ(error_of(text), "ddr4.yaml:9:10: key 'organisation.banks': 4 banks cannot be split into 8 bank groups");
  EXPECT_EQ(error_of(fixture_with("  bank_groups: 4", "  bank_groups: 3")),
            "ddr4.yaml:8:16: key 'organisation.bank_groups': must be a power of two, got 3");
}

TEST(MemSpecErrors, Ddr4WithoutBankGroups) {
  const std::string what = error_of(fixture_with("  bank_groups: 4", "  bank_groups: 1"));
  EXPECT_EQ(what.rfind("ddr4.yaml:8:16: key 'organisation.bank_groups': DDR4 has bank groups", 0), 0u) << what;
}

TEST(MemSpecErrors, SchemaErrorsInTimings) {
  EXPECT_EQ(error_of(fixture_with("  CL: 17", "  CL: 17.5")),
            "ddr4.yaml:17:7: key 'timing.CL': expected a whole number of cycles or a time such as 13.75ns, got '17.5'");
  EXPECT_EQ(error_of(fixture_with("  tFAW: 21ns", "  tFWA: 21ns")),
            "ddr4.yaml:29:3: key 'timing.tFWA': unknown key; did you mean 'tFAW'?");
  EXPECT_EQ(error_of(fixture_with("  tFAW: 21ns", "")), "ddr4.yaml:16:3: key 'timing.tFAW': missing required key");
  EXPECT_EQ(error_of(fixture_with("  tCK: 0.833ns", "  tCK: 0ns")),
            "ddr4.yaml:16:8: key 'timing.tCK': value 0ns is below the minimum 1");
  const std::string std_err = error_of(fixture_with("standard: DDR4", "standard: DDR5"));
  EXPECT_EQ(std_err.rfind("ddr4.yaml:4:11: key 'standard': 'DDR5' is not a valid choice; did you mean 'DDR", 0), 0u)
      << std_err;
}

TEST(MemSpecLoad, IncludedFromAScenarioAndOverridden) {
  cfg::Node root = cfg::load_yaml_string("memspec: " + kFixture + "\n", "scenario.yaml");
  cfg::apply_overrides(root, {"memspec.timing.CL=18", "memspec.timing.tRCD=15ns"});
  const MemSpec m = resolve(cfg::read<ScenarioWithMemspec>(root).memspec);
  EXPECT_EQ(m.t.CL, 18u);
  EXPECT_EQ(m.t.tRCD, 18u);  // 15 ns at 0.833 ns: 18007 + 974 -> 18
  EXPECT_EQ(m.t.tRP, 17u);   // the rest comes from the file
}

TEST(MemSpecLoad, CrossFieldErrorAfterAnOverrideCitesIt) {
  cfg::Node root = cfg::load_yaml_string("memspec: " + kFixture + "\n", "scenario.yaml");
  cfg::apply_overrides(root, {"memspec.timing.tRC=50"});
  try {
    cfg::read<ScenarioWithMemspec>(root);
    FAIL();
  } catch (const cfg::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--set memspec.timing.tRC=50: key 'memspec.timing.tRC': tRC (50) must be at least tRAS + tRP (39 + 17 = 56)");
  }
}

TEST(MemSpecLoad, ErrorInIncludedMemspecNamesTheFile) {
  const std::string dir = ::testing::TempDir();
  const std::string bad = dir + "/memspec_bad_trc.yaml";
  std::ofstream(bad) << fixture_with("  tRC: 56", "  tRC: 40");
  try {
    cfg::read<ScenarioWithMemspec>(cfg::load_yaml_string("memspec: " + bad + "\n", "scenario.yaml"));
    FAIL();
  } catch (const cfg::ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("memspec_bad_trc.yaml:22:8: key 'memspec.timing.tRC'"), std::string::npos) << what;
  }
  std::remove(bad.c_str());
}

TEST(MemSpecWrite, WriteAndReReadGivesTheSameMemspec) {
  const MemSpecConfig c = cfg::read<MemSpecConfig>(cfg::load_yaml_file(kFixture));
  const std::string text = cfg::to_yaml(cfg::write(c));
  const MemSpecConfig back = read_text(text);
  EXPECT_EQ(cfg::to_yaml(cfg::write(back)), text);
  const MemSpec a = resolve(c), b = resolve(back);
  EXPECT_EQ(a.t.tRCD, b.t.tRCD);
  EXPECT_EQ(a.t.tREFI, b.t.tREFI);
  EXPECT_EQ(a.t.tCK, b.t.tCK);
  EXPECT_EQ(back.timing.tRCD, c.timing.tRCD);  // still a time, not converted to cycles
  EXPECT_EQ(back.power[0].IDD0, c.power[0].IDD0);
}

TEST(MemSpecDocument, ListsNestedTimingFields) {
  std::vector<cfg::FieldDoc> rows;
  cfg::document<MemSpecConfig>(rows);
  bool found = false;
  for (const auto& r : rows) {
    if (r.path == "timing.tRCD") {
      found = true;
      EXPECT_EQ(r.default_value, "(required)");
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace dmasim::dram
