// PerfettoRecorder: the file it writes parses as our Perfetto subset (generated classes and
// protoc), and replaying it the way Perfetto's trace processor imports track events (sort by
// timestamp, file order on ties; per-track slice stacks; flows by id) gives back what the
// models recorded.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "models/common/trace/perfetto_recorder.h"
#include "models/common/trace/recorder.h"
#include "models/common/trace/slice_lanes.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#include "models/common/trace/perfetto_trace.pb.h"
#pragma GCC diagnostic pop

namespace dmasim::trace {
namespace {

namespace pb = dmasim::perfetto;

std::string temp_trace_path(const std::string& stem) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return (std::filesystem::path(::testing::TempDir()) /
          (stem + "_" + info->name() + "_" + std::to_string(::getpid()) + ".pftrace"))
      .string();
}

pb::Trace read_trace(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  pb::Trace trace;
  EXPECT_TRUE(trace.ParseFromIstream(&in)) << path;
  return trace;
}

using ArgValue = std::variant<std::int64_t, std::uint64_t, double, std::string, bool>;

struct Event {
  std::size_t index;  // position in the file
  std::uint64_t ts;
  pb::TrackEvent::Type type;
  std::uint64_t track;
  std::string name;  // resolved from the interned iid
  std::map<std::string, ArgValue> args;
  std::vector<std::uint64_t> flows;
  std::vector<std::uint64_t> terminating_flows;
  std::optional<double> counter;
};

struct Track {
  std::string name;
  std::uint64_t parent = 0;
  bool is_counter = false;
  std::string unit;
  int rank = 0;
};

// The trace decoded as a reader sees it, checking the sequence and interning rules on the way.
struct Decoded {
  std::map<std::uint64_t, Track> tracks;
  std::vector<std::uint64_t> track_order;
  std::vector<Event> events;
};

Decoded decode(const pb::Trace& trace) {
  Decoded out;
  std::map<std::uint64_t, std::string> event_names;
  std::map<std::uint64_t, std::string> arg_names;
  for (int i = 0; i < trace.packet_size(); ++i) {
    const pb::TracePacket& packet = trace.packet(i);
    EXPECT_EQ(packet.trusted_packet_sequence_id(), 1u) << "packet " << i;
    if (i == 0) {
      EXPECT_EQ(packet.sequence_flags(), pb::TracePacket::SEQ_INCREMENTAL_STATE_CLEARED);
      EXPECT_TRUE(packet.first_packet_on_sequence());
    } else {
      EXPECT_FALSE(packet.first_packet_on_sequence());
      EXPECT_EQ(packet.sequence_flags() & pb::TracePacket::SEQ_INCREMENTAL_STATE_CLEARED, 0u);
    }
    // Interned entries of a packet are usable by the packet itself.
    for (const auto& entry : packet.interned_data().event_names()) {
      EXPECT_GT(entry.iid(), 0u);
      EXPECT_TRUE(event_names.emplace(entry.iid(), entry.name()).second)
          << "event name iid " << entry.iid() << " reused";
    }
    for (const auto& entry : packet.interned_data().debug_annotation_names()) {
      EXPECT_GT(entry.iid(), 0u);
      EXPECT_TRUE(arg_names.emplace(entry.iid(), entry.name()).second)
          << "annotation name iid " << entry.iid() << " reused";
    }
    if (packet.has_track_descriptor()) {
      const pb::TrackDescriptor& d = packet.track_descriptor();
      EXPECT_GT(d.uuid(), 0u);
      EXPECT_FALSE(out.tracks.contains(d.uuid())) << "track " << d.uuid() << " described twice";
      if (d.has_parent_uuid()) {
        EXPECT_TRUE(out.tracks.contains(d.parent_uuid())) << "parent described after child";
      }
      out.tracks[d.uuid()] = Track{d.name(), d.parent_uuid(), d.has_counter(),
                                   d.counter().unit_name(), d.sibling_order_rank()};
      out.track_order.push_back(d.uuid());
    }
    if (packet.has_track_event()) {
      const pb::TrackEvent& e = packet.track_event();
      EXPECT_TRUE(packet.has_timestamp());
      EXPECT_TRUE(out.tracks.contains(e.track_uuid())) << "event before its track";
      EXPECT_FALSE(e.has_name()) << "names are interned";
      // Exactly the packets that use interned names say they need the interning state.
      const bool uses_interned = e.has_name_iid() || e.debug_annotations_size() > 0;
      EXPECT_EQ(packet.sequence_flags(),
                uses_interned ? std::uint32_t{pb::TracePacket::SEQ_NEEDS_INCREMENTAL_STATE} : 0u);
      Event ev{static_cast<std::size_t>(i), packet.timestamp(), e.type(), e.track_uuid(), {}, {},
               {e.flow_ids().begin(), e.flow_ids().end()},
               {e.terminating_flow_ids().begin(), e.terminating_flow_ids().end()}, {}};
      if (e.has_name_iid()) {
        EXPECT_TRUE(event_names.contains(e.name_iid())) << "name iid used before interned";
        ev.name = event_names[e.name_iid()];
      }
      for (const pb::DebugAnnotation& a : e.debug_annotations()) {
        EXPECT_TRUE(a.has_name_iid());
        EXPECT_TRUE(arg_names.contains(a.name_iid())) << "arg iid used before interned";
        ArgValue v;
        switch (a.value_case()) {
          case pb::DebugAnnotation::kIntValue: v = a.int_value(); break;
          case pb::DebugAnnotation::kUintValue: v = a.uint_value(); break;
          case pb::DebugAnnotation::kDoubleValue: v = a.double_value(); break;
          case pb::DebugAnnotation::kStringValue: v = a.string_value(); break;
          case pb::DebugAnnotation::kBoolValue: v = a.bool_value(); break;
          default: ADD_FAILURE() << "annotation without value";
        }
        ev.args[arg_names[a.name_iid()]] = v;
      }
      if (e.has_counter_value()) {
        ev.counter = static_cast<double>(e.counter_value());
      } else if (e.has_double_counter_value()) {
        ev.counter = e.double_counter_value();
      }
      out.events.push_back(std::move(ev));
    }
  }
  return out;
}

struct Slice {
  std::uint64_t track;
  std::string name;
  std::uint64_t ts;
  std::uint64_t dur;
  std::size_t depth;
  std::map<std::string, ArgValue> args;
  std::vector<std::uint64_t> flows;
  std::vector<std::uint64_t> terminating_flows;
};

struct Replayed {
  std::vector<Slice> slices;                     // in order of begin
  std::map<std::uint64_t, std::vector<std::pair<std::uint64_t, double>>> counters;
  std::vector<std::pair<std::size_t, std::size_t>> flow_arrows;  // slice index -> slice index
};

// What the trace processor builds: packets sorted by timestamp (file order on ties); on each
// track a stack of open slices that an END pops; instants are zero-length slices; the first
// slice carrying a flow id starts the flow and each later one draws an arrow from the previous.
Replayed replay(const Decoded& d) {
  std::vector<const Event*> order;
  for (const Event& e : d.events) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(),
                   [](const Event* a, const Event* b) { return a->ts < b->ts; });
  Replayed r;
  std::map<std::uint64_t, std::vector<std::size_t>> stacks;
  std::map<std::uint64_t, std::size_t> active_flows;
  auto bind_flows = [&](const Event& e, std::size_t slice) {
    for (std::uint64_t id : e.flows) {
      if (const auto it = active_flows.find(id); it != active_flows.end()) {
        r.flow_arrows.emplace_back(it->second, slice);
      }
      active_flows[id] = slice;
    }
    for (std::uint64_t id : e.terminating_flows) {
      if (const auto it = active_flows.find(id); it != active_flows.end()) {
        r.flow_arrows.emplace_back(it->second, slice);
        active_flows.erase(it);
      }
    }
  };
  for (const Event* e : order) {
    const bool is_counter_track = d.tracks.at(e->track).is_counter;
    auto& stack = stacks[e->track];
    switch (e->type) {
      case pb::TrackEvent::TYPE_SLICE_BEGIN:
      case pb::TrackEvent::TYPE_INSTANT: {
        EXPECT_FALSE(is_counter_track);
        const bool instant = e->type == pb::TrackEvent::TYPE_INSTANT;
        r.slices.push_back(Slice{e->track, e->name, e->ts, 0, stack.size(), e->args, e->flows,
                                 e->terminating_flows});
        if (!instant) stack.push_back(r.slices.size() - 1);
        bind_flows(*e, r.slices.size() - 1);
        break;
      }
      case pb::TrackEvent::TYPE_SLICE_END: {
        EXPECT_FALSE(stack.empty()) << "END without an open slice on track " << e->track;
        if (stack.empty()) break;
        Slice& s = r.slices[stack.back()];
        EXPECT_GE(e->ts, s.ts);
        s.dur = e->ts - s.ts;
        stack.pop_back();
        break;
      }
      case pb::TrackEvent::TYPE_COUNTER:
        EXPECT_TRUE(is_counter_track);
        EXPECT_TRUE(e->counter.has_value());
        r.counters[e->track].emplace_back(e->ts, e->counter.value_or(0));
        break;
      default:
        ADD_FAILURE() << "unexpected event type " << e->type;
    }
  }
  for (const auto& [track, stack] : stacks) {
    EXPECT_TRUE(stack.empty()) << "slice left open on track " << track;
  }
  return r;
}

const Slice* find_slice(const Replayed& r, const std::string& name) {
  for (const Slice& s : r.slices) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// A small SoC timeline: soc > dram0 > bank0/bank1, an interconnect track, a queue counter.
struct Fixture {
  TrackId soc, cci, dram, bank0, bank1, queue, temp;
};

Fixture record_sample(Recorder& rec) {
  Fixture f{};
  f.soc = rec.slice_track("soc");
  f.cci = rec.slice_track("cci", f.soc);
  f.dram = rec.slice_track("dram0", f.soc);
  f.bank0 = rec.slice_track("bank0", f.dram);
  f.bank1 = rec.slice_track("bank1", f.dram);
  f.queue = rec.counter_track("queue depth", "entries", f.dram);
  f.temp = rec.counter_track("temperature", "degC", f.dram);

  // A read transaction (flow 7) crossing the interconnect into bank0.
  rec.begin(f.cci, 1'000'000, "ReadNoSnoop",
            {{"addr", std::uint64_t{0x8000'1000}}, {"id", 7}, {"initiator", "camera"}},
            FlowIds{7});
  rec.complete(f.bank0, 1'200'000, 1'215'000, "ACT",
               {{"cycle", std::uint64_t{1234}}, {"bank", 0}, {"row", 17u}, {"hit", false}}, 7);
  rec.complete(f.bank0, 1'215'000, 1'230'000, "RD", {{"cycle", std::uint64_t{1252}}},
               FlowIds{7});
  // Sub-nanosecond slice: begins and ends inside the same nanosecond.
  rec.complete(f.bank1, 1'230'100, 1'230'900, "PRE", {{"cycle", std::uint64_t{1270}}});
  rec.end(f.cci, 1'240'000);
  rec.instant(f.cci, 1'240'000, "resp", {{"latency_ns", 240.5}}, FlowIds{7, true});

  // Nested streaming slices on the SoC track.
  rec.begin(f.soc, 2'000'000, "frame");
  rec.begin(f.soc, 2'100'000, "dma_map_single");
  rec.end(f.soc, 2'300'000);
  rec.end(f.soc, 3'000'000);

  rec.counter(f.queue, 1'000'000, 1);
  rec.counter(f.queue, 1'200'000, 3);
  rec.counter(f.queue, 1'240'000, 0);
  rec.counter(f.temp, 1'000'000, 41.25);
  return f;
}

TEST(PerfettoTrace, RoundTripsThroughGeneratedClasses) {
  const std::string path = temp_trace_path("roundtrip");
  Fixture f;
  {
    PerfettoRecorder rec(path);
    EXPECT_TRUE(rec.enabled());
    EXPECT_EQ(rec.path(), path);
    f = record_sample(rec);
    EXPECT_EQ(rec.dropped_events(), 0u);
  }
  const Decoded d = decode(read_trace(path));

  // Tracks: unique uuids, names, parents, counter units, creation order as sibling rank.
  ASSERT_EQ(d.tracks.size(), 7u);
  EXPECT_EQ(d.tracks.at(f.soc).name, "soc");
  EXPECT_EQ(d.tracks.at(f.soc).parent, 0u);
  EXPECT_EQ(d.tracks.at(f.cci).parent, f.soc);
  EXPECT_EQ(d.tracks.at(f.dram).parent, f.soc);
  EXPECT_EQ(d.tracks.at(f.bank0).parent, f.dram);
  EXPECT_EQ(d.tracks.at(f.bank1).parent, f.dram);
  EXPECT_EQ(d.tracks.at(f.bank1).name, "bank1");
  EXPECT_LT(d.tracks.at(f.bank0).rank, d.tracks.at(f.bank1).rank);
  EXPECT_TRUE(d.tracks.at(f.queue).is_counter);
  EXPECT_EQ(d.tracks.at(f.queue).unit, "entries");
  EXPECT_EQ(d.tracks.at(f.queue).parent, f.dram);
  EXPECT_FALSE(d.tracks.at(f.bank0).is_counter);
  const std::set<std::uint64_t> uuids(d.track_order.begin(), d.track_order.end());
  EXPECT_EQ(uuids.size(), d.track_order.size());

  // Each name is interned once and referred to by iid afterwards.
  const pb::Trace raw = read_trace(path);
  int interned_rd = 0;
  for (const auto& p : raw.packet()) {
    for (const auto& n : p.interned_data().event_names()) interned_rd += n.name() == "RD";
  }
  EXPECT_EQ(interned_rd, 1);

  const Replayed r = replay(d);
  const Slice* read = find_slice(r, "ReadNoSnoop");
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->ts, 1000u);  // ns
  EXPECT_EQ(read->dur, 240u);
  EXPECT_EQ(read->track, f.cci);
  EXPECT_EQ(std::get<std::uint64_t>(read->args.at("addr")), 0x8000'1000u);
  EXPECT_EQ(std::get<std::int64_t>(read->args.at("id")), 7);
  EXPECT_EQ(std::get<std::string>(read->args.at("initiator")), "camera");

  const Slice* act = find_slice(r, "ACT");
  ASSERT_NE(act, nullptr);
  EXPECT_EQ(act->ts, 1200u);
  EXPECT_EQ(act->dur, 15u);
  EXPECT_EQ(std::get<std::uint64_t>(act->args.at("cycle")), 1234u);
  EXPECT_EQ(std::get<std::int64_t>(act->args.at("bank")), 0);
  EXPECT_EQ(std::get<std::uint64_t>(act->args.at("row")), 17u);
  EXPECT_EQ(std::get<bool>(act->args.at("hit")), false);

  const Slice* rd = find_slice(r, "RD");
  ASSERT_NE(rd, nullptr);
  EXPECT_EQ(rd->depth, 0u) << "back-to-back slices are siblings, not nested";
  EXPECT_EQ(rd->ts, 1215u);

  const Slice* pre = find_slice(r, "PRE");
  ASSERT_NE(pre, nullptr);
  EXPECT_EQ(pre->ts, 1230u);
  EXPECT_EQ(pre->dur, 0u);

  const Slice* resp = find_slice(r, "resp");
  ASSERT_NE(resp, nullptr);
  EXPECT_DOUBLE_EQ(std::get<double>(resp->args.at("latency_ns")), 240.5);
  EXPECT_EQ(resp->terminating_flows, std::vector<std::uint64_t>{7});
  EXPECT_TRUE(resp->flows.empty());

  // Flow 7: ReadNoSnoop -> ACT -> RD -> resp.
  ASSERT_EQ(r.flow_arrows.size(), 3u);
  std::vector<std::string> hops{r.slices[r.flow_arrows[0].first].name};
  for (const auto& [from, to] : r.flow_arrows) hops.push_back(r.slices[to].name);
  EXPECT_EQ(hops, (std::vector<std::string>{"ReadNoSnoop", "ACT", "RD", "resp"}));

  const Slice* frame = find_slice(r, "frame");
  const Slice* map = find_slice(r, "dma_map_single");
  ASSERT_NE(frame, nullptr);
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(frame->dur, 1000u);
  EXPECT_EQ(map->depth, 1u);
  EXPECT_EQ(map->ts, 2100u);
  EXPECT_EQ(map->dur, 200u);

  using Samples = std::vector<std::pair<std::uint64_t, double>>;
  EXPECT_EQ(r.counters.at(f.queue), (Samples{{1000, 1.0}, {1200, 3.0}, {1240, 0.0}}));
  EXPECT_EQ(r.counters.at(f.temp), (Samples{{1000, 41.25}}));
  // Whole counter values use the varint field, others the double field.
  for (const auto& p : raw.packet()) {
    if (p.track_event().track_uuid() == f.queue) {
      EXPECT_TRUE(p.track_event().has_counter_value());
    }
    if (p.track_event().track_uuid() == f.temp) {
      EXPECT_TRUE(p.track_event().has_double_counter_value());
    }
  }
  std::filesystem::remove(path);
}

TEST(PerfettoTrace, ProtocDecodesTheFile) {
  if (std::system("command -v protoc >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "protoc is not on PATH";
  }
  const std::string path = temp_trace_path("protoc");
  {
    PerfettoRecorder rec(path);
    record_sample(rec);
  }
  const std::string command = std::string("protoc --decode=dmasim.perfetto.Trace --proto_path='") +
                              DMASIM_SOURCE_DIR +
                              "' models/common/trace/perfetto_trace.proto < '" + path + "' 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string text;
  char chunk[4096];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;) text.append(chunk, n);
  const int status = ::pclose(pipe);
  ASSERT_EQ(status, 0) << text;
  for (const char* expected :
       {"name: \"bank0\"", "name: \"ReadNoSnoop\"", "name: \"dma_map_single\"",
        "unit_name: \"entries\"", "type: TYPE_SLICE_BEGIN", "type: TYPE_COUNTER",
        "terminating_flow_ids: 7", "string_value: \"camera\"", "timestamp: 1215",
        "sequence_flags: 1", "first_packet_on_sequence: true"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  std::filesystem::remove(path);
}

TEST(PerfettoTrace, TimestampsStayMonotonicPerTrack) {
  const std::string path = temp_trace_path("monotonic");
  TrackId a = 0, b = 0, parent = 0;
  {
    PerfettoRecorder rec(path);
    a = rec.slice_track("a");
    b = rec.slice_track("b");
    parent = rec.slice_track("parent");
    rec.instant(a, 9'000, "late");
    rec.instant(a, 5'000, "early");  // goes back in time: clamped to 9 ns
    rec.instant(b, 1'000, "other");  // another track keeps its own time
    // A complete() slice writes its end early; a child recorded afterwards still nests.
    rec.complete(parent, 10'000, 20'999, "outer");
    rec.complete(parent, 12'000, 15'000, "inner");
    rec.complete(parent, 20'999, 21'000, "next");  // same ns as outer's end: after it
    // Reversed end is clamped to the start.
    rec.complete(parent, 30'000, 29'000, "reversed");
  }
  const Decoded d = decode(read_trace(path));
  const Replayed r = replay(d);
  EXPECT_EQ(find_slice(r, "early")->ts, 9u);
  EXPECT_EQ(find_slice(r, "other")->ts, 1u);
  const Slice* outer = find_slice(r, "outer");
  const Slice* inner = find_slice(r, "inner");
  const Slice* next = find_slice(r, "next");
  EXPECT_EQ(outer->ts, 10u);
  EXPECT_EQ(outer->dur, 10u);
  EXPECT_EQ(inner->depth, 1u);
  EXPECT_EQ(inner->ts, 12u);
  EXPECT_EQ(inner->dur, 3u);
  EXPECT_EQ(next->depth, 0u);
  EXPECT_EQ(next->ts, 20u);
  EXPECT_EQ(find_slice(r, "reversed")->dur, 0u);
  std::filesystem::remove(path);
}

TEST(PerfettoTrace, OverlappingSlicesGoToLanes) {
  const std::string path = temp_trace_path("lanes");
  std::size_t lane_count = 0;
  TrackId port = 0;
  {
    PerfettoRecorder rec(path);
    port = rec.slice_track("gpu");
    SliceLanes reads(rec, "reads", port);
    // Three transactions outstanding at once, then a fourth after the first completes.
    for (Picoseconds start : {Picoseconds{0}, Picoseconds{100'000}, Picoseconds{200'000}}) {
      rec.complete(reads.place(start, start + 500'000), start, start + 500'000, "RD");
    }
    const TrackId lane = reads.open(500'000);
    rec.begin(lane, 500'000, "WR");
    rec.end(lane, 900'000);
    reads.close(lane, 900'000);
    rec.complete(reads.place(650'000, 700'000), 650'000, 700'000, "RD");
    lane_count = reads.lanes();
  }
  EXPECT_EQ(lane_count, 3u);
  const Decoded d = decode(read_trace(path));
  int lanes_named_reads = 0;
  for (const auto& [uuid, track] : d.tracks) {
    if (track.name == "reads") {
      ++lanes_named_reads;
      EXPECT_EQ(track.parent, port);
    }
  }
  EXPECT_EQ(lanes_named_reads, 3);
  const Replayed r = replay(d);  // checks every track's slices nest
  EXPECT_EQ(r.slices.size(), 5u);
  for (const Slice& s : r.slices) EXPECT_EQ(s.depth, 0u) << s.name;
  std::filesystem::remove(path);
}

TEST(PerfettoTrace, MisuseIsDroppedNotWritten) {
  const std::string path = temp_trace_path("misuse");
  TrackId orphan = 0, under_counter = 0;
  {
    PerfettoRecorder rec(path);
    const TrackId slices = rec.slice_track("slices");
    const TrackId counter = rec.counter_track("depth", "");
    rec.end(slices, 10);                  // nothing open
    rec.counter(slices, 10, 1.0);         // value on a slice track
    rec.begin(counter, 10, "x");          // slice on a counter track
    rec.instant(kNoTrack, 10, "x");       // no track
    rec.instant(12345, 10, "x");          // unknown track
    rec.begin(slices, 20, "ok");
    rec.end(slices, 30);
    EXPECT_EQ(rec.dropped_events(), 5u);
    // A parent that is not a slice track yields a root track.
    orphan = rec.slice_track("orphan", 999);
    under_counter = rec.slice_track("under counter", counter);
  }
  const Decoded d = decode(read_trace(path));
  EXPECT_EQ(d.tracks.at(orphan).parent, 0u);
  EXPECT_EQ(d.tracks.at(under_counter).parent, 0u);
  EXPECT_EQ(d.events.size(), 2u);
  const Replayed r = replay(d);
  ASSERT_EQ(r.slices.size(), 1u);
  EXPECT_EQ(r.slices[0].name, "ok");
  std::filesystem::remove(path);
}

TEST(PerfettoTrace, StreamsToDiskAsItGoes) {
  const std::string path = temp_trace_path("stream");
  constexpr int kEvents = 60'000;
  {
    PerfettoRecorder rec(path);
    const TrackId bank = rec.slice_track("bank0");
    const TrackId depth = rec.counter_track("queue", "entries");
    for (int i = 0; i < kEvents; ++i) {
      const Picoseconds t = Picoseconds{833} * static_cast<Picoseconds>(i);
      rec.complete(bank, t, t + 833, i % 2 ? "RD" : "WR",
                   {{"cycle", static_cast<std::uint64_t>(i)}, {"row", i % 4096}});
      rec.counter(depth, t, i % 17);
    }
    // Well past the 1 MiB buffer: most of the trace is already in the file.
    EXPECT_GT(std::filesystem::file_size(path), std::uintmax_t{1} << 20);
    rec.flush();
    const auto flushed = std::filesystem::file_size(path);
    rec.close();
    EXPECT_EQ(std::filesystem::file_size(path), flushed);
    rec.instant(bank, 0, "after close");  // ignored
  }
  const pb::Trace trace = read_trace(path);
  // Sequence start + 2 descriptors + per iteration begin, end and counter.
  EXPECT_EQ(trace.packet_size(), 3 + 3 * kEvents);
  const Decoded d = decode(trace);
  const Replayed r = replay(d);
  EXPECT_EQ(r.slices.size(), static_cast<std::size_t>(kEvents));
  EXPECT_EQ(r.slices.back().args.size(), 2u);
  // Interning keeps it small: a slice with two arguments plus a counter sample is about 64 bytes.
  EXPECT_LT(std::filesystem::file_size(path), std::uintmax_t{72} * kEvents);
  std::filesystem::remove(path);
}

TEST(PerfettoTrace, UnwritablePathThrowsNamingIt) {
  const std::string path = "/nonexistent-dir-dmasim/trace.pftrace";
  try {
    PerfettoRecorder rec(path);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(PerfettoTrace, WriteErrorThrowsNamingThePath) {
  if (!std::filesystem::exists("/dev/full")) {
    GTEST_SKIP() << "no /dev/full";
  }
  PerfettoRecorder rec("/dev/full");
  const TrackId t = rec.slice_track("t");
  rec.instant(t, 0, "x");
  try {
    rec.flush();
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/full"), std::string::npos) << e.what();
  }
  rec.instant(t, 1, "x");  // the file is closed after the failure: ignored, no throw
  EXPECT_NO_THROW(rec.close());
}

TEST(TraceRecorder, NullRecorderIsDisabled) {
  NullRecorder& rec = NullRecorder::instance();
  EXPECT_FALSE(rec.enabled());
  const TrackId t = rec.slice_track("x");
  EXPECT_EQ(t, kNoTrack);
  EXPECT_EQ(rec.counter_track("c", "bytes", t), kNoTrack);
  rec.begin(t, 0, "a", {{"k", 1}}, 5);
  rec.end(t, 1);
  rec.complete(t, 0, 1, "b");
  rec.instant(t, 0, "c");
  rec.counter(t, 0, 1.0);
  rec.flush();
  SliceLanes lanes(rec, "lanes");
  EXPECT_EQ(lanes.place(0, 10), kNoTrack);
}

TEST(TraceRecorder, ArgsKeepTheirKind) {
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(Arg("k", 3).value));
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(Arg("k", std::int8_t{-3}).value));
  EXPECT_TRUE(std::holds_alternative<std::uint64_t>(Arg("k", 3u).value));
  EXPECT_TRUE(std::holds_alternative<std::uint64_t>(Arg("k", std::size_t{3}).value));
  EXPECT_TRUE(std::holds_alternative<std::uint64_t>(Arg("k", std::uint16_t{3}).value));
  EXPECT_TRUE(std::holds_alternative<double>(Arg("k", 1.5f).value));
  EXPECT_TRUE(std::holds_alternative<bool>(Arg("k", true).value));
  EXPECT_TRUE(std::holds_alternative<std::string_view>(Arg("k", "text").value));
  const std::string owned = "owned";
  EXPECT_EQ(std::get<std::string_view>(Arg("k", owned).value), "owned");

  const FlowIds none;
  EXPECT_TRUE(none.empty());
  const FlowIds one = 42;
  ASSERT_EQ(one.ids().size(), 1u);
  EXPECT_EQ(one.ids()[0], 42u);
  EXPECT_FALSE(one.terminating());
  const std::uint64_t many_ids[] = {1, 2, 3};
  const FlowIds many(many_ids, true);
  EXPECT_EQ(many.ids().size(), 3u);
  EXPECT_TRUE(many.terminating());
}

}  // namespace
}  // namespace dmasim::trace
