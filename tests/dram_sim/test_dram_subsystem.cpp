// The DRAM subsystem through its TLM-2.0 socket, driven by the trace player: end-to-end timing,
// backpressure, burst splitting, channels, and the figures the DRAM issue sets. Each test
// elaborates a SystemC model, which a process can do once: ctest runs every test in its own
// process (gtest_discover_tests); a direct run of the binary skips all but the first.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "models/common/config/overrides.h"
#include "models/common/stats/registry.h"
#include "models/common/trace/perfetto_recorder.h"
#include "models/dram/dram_config.h"
#include "models/dram/dram_subsystem.h"
#include "models/dram/trace_player.h"

namespace dmasim::dram {
namespace {

std::string source(const std::string& relative) { return std::string(DMASIM_SOURCE_DIR) + "/" + relative; }

DramConfig load(const std::string& scenario, const std::vector<std::string>& overrides = {}) {
  cfg::Node node = cfg::load_yaml_file(source(scenario));
  cfg::apply_overrides(node, overrides);
  return cfg::read<DramConfig>(node);
}

std::string write_trace(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("dmasim_" + name + ".trace");
  std::ofstream(path) << text;
  return path.string();
}

struct Outcome {
  std::uint64_t cycles = 0, completed = 0, errors = 0;
  double bandwidth_gbps = 0;
  stats::Registry registry;
};

// Plays the trace on the configuration and fills `out` (registry stats under "dram").
void play(const DramConfig& config, const std::string& trace_path, Outcome& out) {
  if (sc_core::sc_get_curr_simcontext()->elaboration_done())
    GTEST_SKIP() << "a SystemC model elaborates once per process: run this test through ctest";
  TraceReader reader(trace_path, format_from_path(trace_path));
  DramSubsystem dram("dram", config, out.registry, "dram");
  TracePlayer player("player", reader, dram.clock());
  player.socket.bind(dram.socket);
  sc_core::sc_start();
  dram.finish();
  ASSERT_FALSE(player.error());
  out.cycles = player.last_completion_cycle();
  out.completed = player.completed();
  out.errors = player.errors();
  const double tck_ns = static_cast<double>(dram.spec().t.tCK) / 1000.0;
  out.bandwidth_gbps = static_cast<double>(player.bytes()) / (static_cast<double>(out.cycles) * tck_ns);
  EXPECT_TRUE(dram.violations().empty());
}

double stat(const Outcome& run, const std::string& name) {
  const stats::Stat* s = run.registry.find(name);
  if (s == nullptr) {
    ADD_FAILURE() << "no statistic " << name;
    return 0;
  }
  switch (s->kind()) {
    case stats::Kind::Counter: return static_cast<double>(s->counter().value());
    case stats::Kind::Scalar: return s->scalar().value();
    case stats::Kind::Histogram: return s->histogram().mean();
    default: return 0;
  }
}

// Plays and leaves the test at once if play() skipped or failed fatally.
#define PLAY(...)                                                 \
  do {                                                            \
    play(__VA_ARGS__);                                            \
    if (IsSkipped() || HasFatalFailure()) return;                 \
  } while (false)

const std::vector<std::string> kChecked = {"controller.check_commands=true", "controller.refresh=none"};

TEST(DramSubsystem, OneReadCompletesAtItsLastDataBeat) {
  Outcome run;
  PLAY(load("scenarios/dram/ddr4-2400-reference.yaml", kChecked), write_trace("one", "0x0 READ 0\n"), run);
  // Front end 2 + tRCD 16 + CL 16 + BL/2 4: the response arrives at the last data beat.
  EXPECT_EQ(run.cycles, 38u);
  EXPECT_EQ(run.completed, 1u);
}

TEST(DramSubsystem, BackpressureDelaysLaterRequestsButNotTheRowHitRate) {
  std::string text;
  for (int i = 0; i < 10; ++i) text += fmt::format("{:#x} READ 0\n", i * 64);
  Outcome run;
  auto overrides = kChecked;
  overrides.push_back("controller.read_queue=2");
  PLAY(load("scenarios/dram/ddr4-2400-reference.yaml", overrides), write_trace("bp", text), run);
  // One ACT at 2, ten reads of one row tCCD_L (6) apart from 18: the last at 72, data by 92.
  EXPECT_EQ(run.cycles, 18u + 9 * 6 + 20);
  EXPECT_EQ(stat(run, "dram.ch0.row_hits"), 9);
  EXPECT_EQ(stat(run, "dram.ch0.read_queue.max"), 2);
}

TEST(DramSubsystem, AddressesOutsideTheMemoryGetAnAddressError) {
  Outcome run;
  PLAY(load("scenarios/dram/ddr4-2400-reference.yaml", kChecked),
       write_trace("range", "0x40 READ 0\n0x200000000 READ 1\n0x80 WRITE 2\n"), run);
  EXPECT_EQ(run.completed, 3u);
  EXPECT_EQ(run.errors, 1u);
}

TEST(DramSubsystem, RequestsLargerThanABurstAreSplit) {
  // LPDDR3 x32 moves 32 B per burst: each 64 B request is two column commands.
  Outcome run;
  PLAY(load("scenarios/dram/lpddr3-1600-x32.yaml", kChecked),
       write_trace("split", "0x0 READ 0\n0x40 READ 1\n0x1000 WRITE 2\n"), run);
  EXPECT_EQ(run.completed, 3u);
  EXPECT_EQ(stat(run, "dram.ch0.commands.RD"), 4);
  EXPECT_EQ(stat(run, "dram.ch0.commands.WR"), 2);
  EXPECT_EQ(stat(run, "dram.ch0.bytes_read"), 128);
}

TEST(DramSubsystem, ChannelsServeTheirShareOfTheAddresses) {
  auto overrides = kChecked;
  overrides.push_back("memspec.organisation.channels=2");
  overrides.push_back("address_mapping.channel=[6]");
  overrides.push_back("address_mapping.column=[3-5, 7-13]");
  overrides.push_back("address_mapping.bank_group=[14-15]");
  overrides.push_back("address_mapping.bank=[16-17]");
  overrides.push_back("address_mapping.row=[18-33]");
  Outcome run;
  PLAY(load("scenarios/dram/ddr4-2400-reference.yaml", overrides), source("scenarios/dram/traces/stream-10k.trace"),
       run);
  EXPECT_EQ(run.completed, 10000u);
  const double ch0 = stat(run, "dram.ch0.reads") + stat(run, "dram.ch0.writes");
  const double ch1 = stat(run, "dram.ch1.reads") + stat(run, "dram.ch1.writes");
  EXPECT_EQ(ch0 + ch1, 10000);
  EXPECT_NEAR(ch0, 5000, 1);
}

// The figures on the bundled traces (the 5 M-request reference runs are in bench/).
TEST(DramFigures, UnloadedRandomReadLatencyIsAbout64Cycles) {
  Outcome run;
  PLAY(load("scenarios/dram/ddr4-2400-reference.yaml"), source("scenarios/dram/traces/random-read-gap100-5k.trace"),
       run);
  const double mean = stat(run, "dram.ch0.read_latency");
  EXPECT_GT(mean, 64 * 0.9);
  EXPECT_LT(mean, 64 * 1.1);
  EXPECT_LT(stat(run, "dram.ch0.row_hit_rate"), 0.01);
}

TEST(DramFigures, Ddr4ReadStreamReachesNinetyPercentOfPeak) {
  Outcome run;
  PLAY(load("scenarios/dram/ddr4-2400-bg-interleaved.yaml"), source("scenarios/dram/traces/read-stream-20k.trace"),
       run);
  const double peak = 64.0 / 8 * 2 / 0.833;  // 64-bit bus, double data rate, tCK 0.833 ns
  EXPECT_GE(run.bandwidth_gbps, 0.90 * peak) << run.bandwidth_gbps << " GB/s";
}

TEST(DramFigures, Lpddr4X32ReadStreamReachesEightyFivePercentOf12_8GBps) {
  Outcome run;
  PLAY(load("scenarios/dram/lpddr4-3200-x32.yaml"), source("scenarios/dram/traces/read-stream-20k.trace"), run);
  EXPECT_GE(run.bandwidth_gbps, 0.85 * 12.8) << run.bandwidth_gbps << " GB/s";
}

// Golden figures of the reference configuration on the bundled 10 k traces: any change to the
// controller's timing shows here first.
TEST(DramFigures, ReferenceConfigurationGoldenCycles) {
  Outcome run;
  PLAY(load("scenarios/dram/ddr4-2400-reference.yaml", {"controller.check_commands=true"}),
       source("scenarios/dram/traces/random-10k.trace"), run);
  EXPECT_EQ(run.completed, 10000u);
  EXPECT_EQ(run.cycles, 69618u);
}

}  // namespace
}  // namespace dmasim::dram

namespace dmasim::dram {
namespace {

TEST(DramTrace, PerfettoTraceOfARunDecodesWithProtoc) {
  if (sc_core::sc_get_curr_simcontext()->elaboration_done())
    GTEST_SKIP() << "a SystemC model elaborates once per process: run this test through ctest";
  const auto path = (std::filesystem::temp_directory_path() / "dmasim_dram_test.pftrace").string();
  {
    trace::PerfettoRecorder recorder(path);
    stats::Registry registry;
    TraceReader reader(source("scenarios/dram/traces/random-10k.trace"), TraceFormat::Trace);
    DramSubsystem dram("dram", load("scenarios/dram/ddr4-2400-reference.yaml"), registry, "dram", &recorder);
    TracePlayer player("player", reader, dram.clock());
    player.socket.bind(dram.socket);
    sc_core::sc_start();
    dram.finish();
    recorder.close();
  }
  const std::string cmd = fmt::format(
      "protoc --decode=dmasim.perfetto.Trace --proto_path={0} {0}/models/common/trace/perfetto_trace.proto < {1}",
      DMASIM_SOURCE_DIR, path);
  if (std::system("command -v protoc > /dev/null") != 0) GTEST_SKIP() << "protoc is not installed";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string text;
  char buffer[65536];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
  ASSERT_EQ(pclose(pipe), 0) << "protoc could not decode the trace";
  for (const char* expected : {"dram channel 0", "bank 15", "read queue", "row open", "\"RD\"", "\"REF\""})
    EXPECT_NE(text.find(expected), std::string::npos) << expected;
}

}  // namespace
}  // namespace dmasim::dram
