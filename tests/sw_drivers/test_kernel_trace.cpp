// The Perfetto trace of a driver scenario, decoded: each core's "kernel" track has a slice per
// DMA-API call with the call's cache maintenance nested inside it, and the device has a track
// of its jobs. Replays the file the way Perfetto's importer does (per track, in time order,
// slices as begin/end stacks).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "models/common/config/node.h"
#include "models/common/config/schema.h"
#include "models/common/stats/registry.h"
#include "models/common/trace/perfetto_recorder.h"
#include "platform/scenario.h"
#include "tests/support/elaboration.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#include "models/common/trace/perfetto_trace.pb.h"
#pragma GCC diagnostic pop

namespace dmasim {
namespace {

namespace pb = dmasim::perfetto;

struct Slice {
  std::string name;
  std::string parent;  // the slice open on the same track when it began ("" at top level)
};

TEST(KernelTrace, DmaApiCallsCarryTheirMaintenanceAndTheDeviceItsJobs) {
  SKIP_IF_ELABORATED();
  const std::string file = std::string(DMASIM_TEST_DATA_DIR) + "/scenarios/script-from-device.yaml";
  const auto config = cfg::read<platform::ScenarioConfig>(cfg::load_yaml_file(file));
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / ("kernel_trace_" + std::to_string(::getpid()) + ".pftrace")).string();
  {
    trace::PerfettoRecorder recorder(path);
    stats::Registry stats;
    platform::run_scenario(config, "script-from-device", stats, &recorder);
    recorder.flush();
  }
  pb::Trace trace;
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(trace.ParseFromIstream(&in));
  std::filesystem::remove(path);

  std::map<std::uint64_t, std::string> names, tracks;
  struct Ev {
    std::uint64_t ts, track;
    std::size_t index;
    bool begin;
    std::string name;
  };
  std::vector<Ev> events;
  for (int i = 0; i < trace.packet_size(); ++i) {
    const pb::TracePacket& p = trace.packet(i);
    for (const auto& n : p.interned_data().event_names()) names[n.iid()] = n.name();
    if (p.has_track_descriptor()) tracks[p.track_descriptor().uuid()] = p.track_descriptor().name();
    if (!p.has_track_event()) continue;
    const pb::TrackEvent& e = p.track_event();
    if (e.type() != pb::TrackEvent::TYPE_SLICE_BEGIN && e.type() != pb::TrackEvent::TYPE_SLICE_END) continue;
    events.push_back(Ev{p.timestamp(), e.track_uuid(), static_cast<std::size_t>(i),
                        e.type() == pb::TrackEvent::TYPE_SLICE_BEGIN, e.has_name_iid() ? names[e.name_iid()] : ""});
  }
  std::stable_sort(events.begin(), events.end(), [](const Ev& a, const Ev& b) { return a.ts < b.ts; });
  std::map<std::uint64_t, std::vector<std::string>> open;
  std::map<std::string, std::vector<Slice>> by_track;  // track name -> slices
  for (const Ev& e : events) {
    std::vector<std::string>& stack = open[e.track];
    if (e.begin) {
      by_track[tracks[e.track]].push_back(Slice{e.name, stack.empty() ? "" : stack.back()});
      stack.push_back(e.name);
    } else {
      ASSERT_FALSE(stack.empty()) << "an end without a begin on " << tracks[e.track];
      stack.pop_back();
    }
  }
  for (const auto& [track, stack] : open) EXPECT_TRUE(stack.empty()) << tracks[track] << " left open";

  const auto kernel = std::find_if(by_track.begin(), by_track.end(),
                                   [](const auto& t) { return t.first.find("kernel") != std::string::npos; });
  ASSERT_NE(kernel, by_track.end()) << "no core kernel track";
  auto count = [&](const std::string& name, const std::string& parent) {
    return std::count_if(kernel->second.begin(), kernel->second.end(),
                         [&](const Slice& s) { return s.name == name && s.parent == parent; });
  };
  // repeat: 2 -> one map (FROM_DEVICE: the invalidate inside it), then a sync for the device on
  // the buffer still mapped; two syncs for the CPU, each with its invalidate.
  EXPECT_EQ(count("dma_map_single_attrs", ""), 1);
  EXPECT_EQ(count("sync_for_device", "dma_map_single_attrs"), 1);
  EXPECT_EQ(count("sync_for_device", "dma_sync_single_for_device"), 1);
  EXPECT_EQ(count("sync_for_cpu", "dma_sync_single_for_cpu"), 2);
  const auto jobs = by_track.find("mdma jobs");
  ASSERT_NE(jobs, by_track.end());
  EXPECT_EQ(jobs->second.size(), 2u);
}

}  // namespace
}  // namespace dmasim
