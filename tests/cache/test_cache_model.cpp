// The SystemC/TLM cache model (models/cache/cache.h) driven by a scripted initiator, with a
// TestMemory below: unloaded latency sums, MSHR merging and backpressure, write-backs and the
// write buffer, upgrades, snoops, maintenance from above, the PL310 outer mode and the
// prefetcher. Each test elaborates a model, which a process can do once: ctest runs every test in
// its own process; a direct run of the binary skips all but the first.
#include <gtest/gtest.h>

#include <memory>

#include "models/cache/cache.h"
#include "models/common/oracle/oracle.h"
#include "models/common/stats/registry.h"
#include "tests/cache/cache_harness.h"
#include "tests/support/elaboration.h"
#include "tests/support/test_memory.h"

namespace dmasim::cache {
namespace {

using test::Outcome;
using test::ScriptedInitiator;
using test::Step;
using test::TestMemory;

constexpr Picoseconds kNs = 1000;

CacheConfig small(unsigned size, unsigned ways, unsigned hit) {
  CacheConfig c;
  c.size = ByteSize{size};
  c.ways = ways;
  c.line_size = ByteSize{64};
  c.hit_latency = hit;
  return c;
}

ClockDomain clock_of(Picoseconds period) { return ClockDomain{"clk", period}; }

std::uint64_t counter(const stats::Registry& r, const std::string& name) {
  const stats::Stat* s = r.find(name);
  if (s == nullptr) {
    ADD_FAILURE() << "no statistic " << name;
    return 0;
  }
  return s->counter().value();
}

Step load(Picoseconds at, std::uint64_t addr, bool wait = true) {
  Step s;
  s.at = at;
  s.op = BusOp::Load;
  s.addr = addr;
  s.wait = wait;
  return s;
}
Step store(Picoseconds at, std::uint64_t addr, std::uint64_t version, bool wait = true) {
  Step s;
  s.at = at;
  s.op = BusOp::Store;
  s.addr = addr;
  s.versions = {version};
  s.wait = wait;
  return s;
}
Step op(Picoseconds at, BusOp o, std::uint64_t addr, std::vector<std::uint64_t> versions = {}) {
  Step s;
  s.at = at;
  s.op = o;
  s.addr = addr;
  s.len = 64;
  s.versions = std::move(versions);
  return s;
}
Step action(Picoseconds at, std::function<void()> f) {
  Step s;
  s.at = at;
  s.action = std::move(f);
  return s;
}

// One cache between a scripted initiator and a TestMemory.
struct Single {
  stats::Registry reg;
  Cache cache;
  TestMemory mem;
  ScriptedInitiator ini;
  Single(const CacheConfig& c, Picoseconds period, Picoseconds mem_latency, std::vector<Step> steps,
         oracle::Oracle* o = nullptr)
      : cache("l1", c, clock_of(period), ModelContext{&reg, "l1", o}),
        mem("mem", mem_latency, o),
        ini("ini", std::move(steps)) {
    ini.socket.bind(cache.upstream);
    cache.downstream.bind(mem.socket);
  }
  void run() {
    sc_core::sc_start();
    EXPECT_TRUE(ini.all_answered());
    EXPECT_TRUE(cache.idle());
  }
};

// ---- timing ------------------------------------------------------------------------------------

TEST(CacheModel, UnloadedLatencyIsTheSumOfL1L2AndMemory) {
  SKIP_IF_ELABORATED();
  stats::Registry reg;
  // L1: one 64-byte line, 3 cycles of 1 ns. L2: 10 cycles of 0.8 ns. Memory: 40 ns.
  Cache l1("l1", small(64, 1, 3), clock_of(1000), ModelContext{&reg, "l1"});
  Cache l2("l2", small(4096, 4, 10), clock_of(800), ModelContext{&reg, "l2"});
  TestMemory mem("mem", 40 * kNs);
  ScriptedInitiator ini("ini", {load(0, 0x1000), load(0, 0x1000), load(0, 0x2000), load(0, 0x1000)});
  ini.socket.bind(l1.upstream);
  l1.downstream.bind(l2.upstream);
  l2.downstream.bind(mem.socket);
  sc_core::sc_start();
  ASSERT_TRUE(ini.all_answered());
  const Picoseconds l1_hit = 3000, l2_hit = 8000, memory = 40000;
  EXPECT_EQ(ini.out[0].latency(), l1_hit + l2_hit + memory);  // miss everywhere
  EXPECT_EQ(ini.out[1].latency(), l1_hit);                    // L1 hit
  EXPECT_EQ(ini.out[2].latency(), l1_hit + l2_hit + memory);  // evicts 0x1000 from the L1 only
  EXPECT_EQ(ini.out[3].latency(), l1_hit + l2_hit);           // L2 hit
  EXPECT_EQ(mem.reads(), 2u);
  EXPECT_EQ(counter(reg, "l1.read_hits"), 1u);
  EXPECT_EQ(counter(reg, "l2.read_hits"), 1u);
  EXPECT_TRUE(l1.idle());
  EXPECT_TRUE(l2.idle());
}

TEST(CacheModel, AMissIsCountedOnceAndMergedTargetsAnswerTogether) {
  SKIP_IF_ELABORATED();
  Single s(small(4096, 4, 2), 1000, 20 * kNs,
           {load(0, 0x40, false), load(0, 0x44, false), load(0, 0x48, false)});
  s.run();
  EXPECT_EQ(s.mem.reads(), 1u);
  EXPECT_EQ(counter(s.reg, "l1.read_misses"), 1u);
  EXPECT_EQ(counter(s.reg, "l1.mshr.allocations"), 1u);
  EXPECT_EQ(counter(s.reg, "l1.mshr.merges"), 2u);
  // The miss leaves after the lookup (2 ns) and fills 20 ns later; all three answer then.
  for (const Outcome& o : s.ini.out) EXPECT_EQ(o.done, 22 * kNs);
}

// The memory answers at once, annotated with its latency (as the DRAM model does when a column
// command issues): the cache applies the fill then, ahead of its time, and keeps the time.
TEST(CacheModel, AHitBeforeItsFillArrivesWaitsForTheData) {
  SKIP_IF_ELABORATED();
  Single s(small(4096, 4, 2), 1000, 20 * kNs, {load(0, 0x40, false), load(1 * kNs, 0x44, false)});
  s.run();
  EXPECT_EQ(s.mem.reads(), 1u);
  EXPECT_EQ(s.ini.out[0].done, 22 * kNs);
  EXPECT_EQ(s.ini.out[1].done, 22 * kNs);  // not 1 + 2 ns: the data arrives at 22
  EXPECT_EQ(counter(s.reg, "l1.hits_before_ready"), 1u);
  EXPECT_EQ(counter(s.reg, "l1.read_misses"), 1u);
}

TEST(CacheModel, AMergedRequestRunningAheadIsAnsweredNoEarlierThanItsOwnHit) {
  SKIP_IF_ELABORATED();
  Step ahead = load(0, 0x44, false);
  ahead.ahead = 50 * kNs;  // its initiator's local time is 50 ns ahead
  Single s(small(4096, 4, 2), 1000, 20 * kNs, {load(0, 0x40, false), ahead});
  s.run();
  EXPECT_EQ(counter(s.reg, "l1.mshr.merges"), 1u);
  EXPECT_EQ(s.ini.out[0].done, 22 * kNs);
  EXPECT_EQ(s.ini.out[1].done, 52 * kNs);  // its own lookup ends at 52, after the fill at 22
}

TEST(CacheModel, AVictimLeavesNoEarlierThanTheFillThatEvictedIt) {
  SKIP_IF_ELABORATED();
  // One line. The load's fill (applied when the memory answers, at 32 ns) evicts the dirty line
  // the store left; the fill's time is 52 ns, and so is the writeback's.
  Single s(small(64, 1, 2), 1000, 20 * kNs, {store(0, 0x1000, 5), load(30 * kNs, 0x2000, false)});
  s.run();
  ASSERT_EQ(s.mem.writes(), 1u);
  for (const auto& a : s.mem.log)
    if (a.write) {
      EXPECT_EQ(a.arrival, 52 * kNs);
    }
  EXPECT_EQ(s.ini.out[1].done, 52 * kNs);
}

TEST(CacheModel, MayHoldAnswersWhatItsDuplicateTagsWould) {
  SKIP_IF_ELABORATED();
  // One line: the store's line is evicted (and written back) by the load's fill.
  Single s(small(64, 1, 2), 1000, 20 * kNs, {store(0, 0x1000, 5), load(30 * kNs, 0x2000, false)});
  s.run();
  EXPECT_TRUE(s.cache.may_hold(0x2000, 64));
  EXPECT_TRUE(s.cache.may_hold(0x2020, 32));   // a smaller requester line inside it
  EXPECT_FALSE(s.cache.may_hold(0x1000, 64));  // written back: a snoop would find nothing
  EXPECT_FALSE(s.cache.may_hold(0x3000, 64));
}

TEST(CacheModel, FullMshrsApplyBackpressureUntilAFillFreesOne) {
  SKIP_IF_ELABORATED();
  CacheConfig c = small(4096, 4, 2);
  c.mshrs = 2;
  Single s(c, 1000, 20 * kNs, {load(0, 0x000, false), load(0, 0x040, false), load(0, 0x080, false)});
  s.run();
  // One request per cycle at the port: misses leave at 2 and 3 ns, fill at 22 and 23 ns.
  EXPECT_EQ(s.ini.out[0].done, 22 * kNs);
  EXPECT_EQ(s.ini.out[1].done, 23 * kNs);
  // The third is held (TLM_ACCEPTED) from 2 ns until the first fill frees an MSHR at 22 ns.
  EXPECT_EQ(s.ini.out[2].accepted, 22 * kNs);
  EXPECT_EQ(s.ini.out[2].done, 22 * kNs + 2 * kNs + 20 * kNs);
  EXPECT_GE(counter(s.reg, "l1.mshr.full_stalls"), 1u);
  EXPECT_EQ(counter(s.reg, "l1.backpressure_cycles"), 20u);
}

// ---- write-backs ---------------------------------------------------------------------------------

TEST(CacheModel, DirtyEvictionWritesBackOnceWithTheStoresVersion) {
  SKIP_IF_ELABORATED();
  oracle::Oracle orc;
  const auto dom = orc.add_domain("cpus");
  const auto cpu = orc.register_agent("cpu0", dom, oracle::AgentKind::Cpu);
  const oracle::Version v = orc.write(cpu, 0x1000, 0);
  Single s(small(64, 1, 2), 1000, 10 * kNs, {store(0, 0x1008, v), load(0, 0x2000), load(0, 0x3000)}, &orc);
  s.run();
  ASSERT_EQ(s.mem.writes(), 1u);
  const auto& log = s.mem.log;
  EXPECT_EQ(log[0].op, BusOp::ReadUnique);  // the store miss
  std::size_t writes = 0;
  for (const auto& a : log) {
    if (!a.write) continue;
    ++writes;
    EXPECT_EQ(a.op, BusOp::WriteBack);
    EXPECT_EQ(a.address, 0x1000u);
    EXPECT_EQ(a.versions, std::vector<std::uint64_t>{v});
  }
  EXPECT_EQ(writes, 1u);
  EXPECT_EQ(orc.memory_version(0x1000), v);
  EXPECT_EQ(counter(s.reg, "l1.dirty_evictions"), 1u);
  EXPECT_EQ(orc.violation_count(), 0u);
}

TEST(CacheModel, AMissFindsItsLineInTheWriteBuffer) {
  SKIP_IF_ELABORATED();
  // The write-back of 0x1000 takes 100 ns below; 0x1000 is read again meanwhile.
  Single s(small(64, 1, 2), 1000, 100 * kNs, {store(0, 0x1000, 5), load(0, 0x2000), load(0, 0x1010)});
  s.run();
  EXPECT_EQ(s.ini.out[2].latency(), 2 * kNs);  // served from the buffer at hit latency
  EXPECT_EQ(s.ini.out[2].versions, std::vector<std::uint64_t>{5});
  EXPECT_EQ(counter(s.reg, "l1.write_buffer_hits"), 1u);
  EXPECT_EQ(s.mem.reads(), 2u);  // the store's ReadUnique and 0x2000; none for the re-read
  EXPECT_TRUE(s.cache.array().find(0x1000).dirty());
}

TEST(CacheModel, StoreToASharedLineIssuesCleanUniqueThenModified) {
  SKIP_IF_ELABORATED();
  Cache* cache = nullptr;
  SnoopResponse snooped;
  Single s(small(4096, 4, 2), 1000, 10 * kNs,
           {load(0, 0x100), action(20 * kNs, [&] { snooped = cache->snoop(SnoopRequest{BusOp::ReadShared, 0x100}); }),
            store(30 * kNs, 0x104, 42)});
  cache = &s.cache;
  s.run();
  EXPECT_TRUE(snooped.hit);
  EXPECT_TRUE(snooped.kept);
  ASSERT_EQ(s.mem.log.size(), 2u);
  EXPECT_EQ(s.mem.log[1].op, BusOp::CleanUnique);
  EXPECT_EQ(s.mem.log[1].address, 0x100u);
  EXPECT_EQ(s.ini.out[2].latency(), 2 * kNs + 10 * kNs);
  const LineInfo li = s.cache.array().find(0x100);
  EXPECT_EQ(li.state, LineState::Modified);
  EXPECT_EQ(li.version, 42u);
  EXPECT_EQ(counter(s.reg, "l1.upgrades"), 1u);
}

// ---- snoops ------------------------------------------------------------------------------------

TEST(CacheModel, SnoopTableUnderMoesi) {
  SKIP_IF_ELABORATED();
  Cache* c = nullptr;
  std::vector<SnoopResponse> r(6);
  std::vector<LineState> after(6);
  auto snoop = [&](std::size_t i, BusOp o, std::uint64_t line) {
    return action(50 * kNs + i, [&, i, o, line] {
      r[i] = c->snoop(SnoopRequest{o, line});
      after[i] = c->array().find(line).state;
    });
  };
  CacheConfig cfg = small(4096, 4, 2);
  cfg.snoop_latency = 6;
  Single s(cfg, 1000, 10 * kNs,
           {store(0, 0x000, 1), store(0, 0x040, 2), store(0, 0x080, 3), store(0, 0x0C0, 4), load(0, 0x100),
            snoop(0, BusOp::ReadShared, 0x000), snoop(1, BusOp::ReadUnique, 0x040),
            snoop(2, BusOp::MakeInvalid, 0x080), snoop(3, BusOp::CleanShared, 0x0C0),
            snoop(4, BusOp::ReadShared, 0x100), snoop(5, BusOp::ReadOnce, 0x1000)});
  c = &s.cache;
  s.run();
  // ReadShared on M: Owned, kept, not dirty, the line's version.
  EXPECT_TRUE(r[0].hit && r[0].kept && !r[0].dirty);
  EXPECT_EQ(r[0].version, 1u);
  EXPECT_EQ(after[0], LineState::Owned);
  EXPECT_EQ(r[0].latency, 6 * kNs);
  // ReadUnique: invalid, the dirty data passes with ownership.
  EXPECT_TRUE(r[1].hit && r[1].dirty && !r[1].kept);
  EXPECT_EQ(after[1], LineState::Invalid);
  // MakeInvalid on dirty: lost.
  EXPECT_TRUE(r[2].lost && !r[2].dirty);
  EXPECT_EQ(after[2], LineState::Invalid);
  EXPECT_EQ(counter(s.reg, "l1.lost_dirty"), 1u);
  // CleanShared on M: Exclusive, dirty handed back, kept.
  EXPECT_TRUE(r[3].dirty && r[3].kept);
  EXPECT_EQ(after[3], LineState::Exclusive);
  // ReadShared on E: Shared.
  EXPECT_TRUE(r[4].hit && !r[4].dirty);
  EXPECT_EQ(after[4], LineState::Shared);
  EXPECT_FALSE(r[5].hit);
  EXPECT_EQ(counter(s.reg, "l1.snoops_received"), 6u);
}

TEST(CacheModel, SnoopReadSharedOnDirtyUnderMesiHandsBackDirtyAndShares) {
  SKIP_IF_ELABORATED();
  Cache* c = nullptr;
  SnoopResponse r;
  CacheConfig cfg = small(4096, 4, 2);
  cfg.protocol = Protocol::Mesi;
  Single s(cfg, 1000, 10 * kNs, {store(0, 0x000, 7), action(50 * kNs, [&] { r = c->snoop({BusOp::ReadShared, 0}); })});
  c = &s.cache;
  s.run();
  EXPECT_TRUE(r.hit && r.dirty && r.kept);
  EXPECT_EQ(r.version, 7u);
  EXPECT_EQ(s.cache.array().find(0).state, LineState::Shared);
}

// ---- maintenance from above ----------------------------------------------------------------------

TEST(CacheModel, CleanSharedFromAboveSendsDirtyDataDownOnlyForDirtyLines) {
  SKIP_IF_ELABORATED();
  CacheConfig cfg = small(4096, 4, 4);
  cfg.level = 2;
  Single s(cfg, 1000, 10 * kNs,
           {op(0, BusOp::WriteBack, 0x1000, {9}), op(0, BusOp::ReadShared, 0x2000),
            op(0, BusOp::CleanShared, 0x1000), op(0, BusOp::CleanShared, 0x2000)});
  s.run();
  std::vector<const TestMemory::Access*> maint;
  for (const auto& a : s.mem.log)
    if (a.op == BusOp::CleanShared) maint.push_back(&a);
  ASSERT_EQ(maint.size(), 2u);
  EXPECT_TRUE(maint[0]->write);
  EXPECT_EQ(maint[0]->address, 0x1000u);
  EXPECT_EQ(maint[0]->versions, std::vector<std::uint64_t>{9});
  EXPECT_FALSE(maint[1]->write);
  EXPECT_EQ(s.mem.writes(), 1u);  // no WriteBack/WriteClean besides the data in the CleanShared
  EXPECT_EQ(s.cache.array().find(0x1000).state, LineState::Exclusive);
  // Answered when the answer from below arrives: lookup + memory.
  EXPECT_EQ(s.ini.out[2].latency(), 4 * kNs + 10 * kNs);
  EXPECT_EQ(counter(s.reg, "l1.maintenance.clean_pa"), 2u);
}

TEST(CacheModel, ACleanBehindAStoreMissWaitsForTheFillAndCleansTheStoredData) {
  SKIP_IF_ELABORATED();
  // A store misses (its fill is in flight) and a DC CVAC of the same line follows at once: the
  // clean must see the stored data, so it waits for the fill (same-address ordering).
  Step store = op(0, BusOp::Store, 0x1000, {5});
  store.len = 4;
  store.wait = false;
  Single s(small(4096, 4, 4), 1000, 10 * kNs, {store, op(0, BusOp::CleanShared, 0x1000)});
  s.run();
  std::vector<const TestMemory::Access*> maint;
  for (const auto& a : s.mem.log)
    if (a.op == BusOp::CleanShared) maint.push_back(&a);
  ASSERT_EQ(maint.size(), 1u);
  EXPECT_TRUE(maint[0]->write);
  EXPECT_EQ(maint[0]->versions, std::vector<std::uint64_t>{5});
  EXPECT_EQ(s.cache.array().find(0x1000).state, LineState::Exclusive);
  EXPECT_GE(s.ini.out[1].done, s.ini.out[0].done);
}

// ---- PL310 outer mode ----------------------------------------------------------------------------

constexpr std::uint64_t kRegs = 0x1F002000;

Step reg_write(Picoseconds at, std::uint64_t offset, std::uint32_t value, bool wait = true) {
  Step s;
  s.at = at;
  s.op = BusOp::WriteNoSnoop;
  s.addr = kRegs + offset;
  s.type = MemType::Device;
  s.data = value;
  s.wait = wait;
  return s;
}
Step reg_read(Picoseconds at, std::uint64_t offset) {
  Step s = reg_write(at, offset, 0);
  s.op = BusOp::ReadNoSnoop;
  return s;
}

CacheConfig outer_config(unsigned size, unsigned ways) {
  CacheConfig c = small(size, ways, 5);
  c.outer = true;
  c.level = 2;
  return c;
}

TEST(CacheModel, Pl310CleanLinePaWritesBackExactlyThatLine) {
  SKIP_IF_ELABORATED();
  Single s(outer_config(4096, 4), 1000, 10 * kNs,
           {op(0, BusOp::WriteBack, 0x1000, {3}), op(0, BusOp::WriteBack, 0x2000, {4}),
            reg_write(10 * kNs, pl310::kCleanLinePa, 0x1000), reg_read(40 * kNs, pl310::kCacheId)});
  s.cache.set_register_window(kRegs, 0x1000);
  s.run();
  ASSERT_EQ(s.mem.writes(), 1u);
  const auto& w = s.mem.log.back();
  EXPECT_EQ(w.address, 0x1000u);
  EXPECT_EQ(w.op, BusOp::WriteClean);
  EXPECT_EQ(w.versions, std::vector<std::uint64_t>{3});
  EXPECT_EQ(s.cache.array().find(0x1000).state, LineState::Exclusive);
  EXPECT_EQ(s.cache.array().find(0x2000).state, LineState::Modified);
  EXPECT_EQ(s.ini.out[2].latency(), 5 * kNs);
  EXPECT_EQ(s.ini.out[3].data, pl310::kCacheIdValue);
  EXPECT_EQ(counter(s.reg, "l1.maintenance.clean_pa"), 1u);
}

TEST(CacheModel, AnOuterCacheIsNeverSnooped) {
  SKIP_IF_ELABORATED();
  Single s(outer_config(4096, 4), 1000, 10 * kNs, {op(0, BusOp::ReadShared, 0x3000)});
  s.run();
  EXPECT_FALSE(s.cache.may_hold(0x3000, 64));
}

TEST(CacheModel, Pl310PortsStallDuringALineOperation) {
  SKIP_IF_ELABORATED();
  Single s(outer_config(4096, 4), 1000, 10 * kNs,
           {op(0, BusOp::ReadShared, 0x3000), reg_write(20 * kNs, pl310::kCleanInvLinePa, 0x1000, false),
            op(20 * kNs, BusOp::ReadShared, 0x3000)});
  s.cache.set_register_window(kRegs, 0x1000);
  s.run();
  EXPECT_EQ(s.ini.out[1].done, 25 * kNs);  // the line operation: hit latency, answered in its call
  // The read is taken when the operation is done, then hits: one cycle behind the register write
  // on the port (20 to 21 ns), then held by the operation until 25 ns.
  EXPECT_EQ(s.ini.out[2].done, 30 * kNs);
  EXPECT_EQ(counter(s.reg, "l1.port_stall_cycles"), 1u);
  EXPECT_EQ(counter(s.reg, "l1.backpressure_cycles"), 4u);
  // The answered operation ended without a wake-up; a read after it is not held.
  EXPECT_TRUE(s.cache.idle());
}

TEST(CacheModel, Pl310ReadAfterALineOperationIsNotHeld) {
  SKIP_IF_ELABORATED();
  Single s(outer_config(4096, 4), 1000, 10 * kNs,
           {op(0, BusOp::ReadShared, 0x3000), reg_write(20 * kNs, pl310::kCleanInvLinePa, 0x1000, false),
            op(26 * kNs, BusOp::ReadShared, 0x3000)});
  s.cache.set_register_window(kRegs, 0x1000);
  s.run();
  EXPECT_EQ(s.ini.out[2].done, 31 * kNs);  // a plain hit
  EXPECT_EQ(counter(s.reg, "l1.backpressure_cycles"), 0u);
}

TEST(CacheModel, Pl310InvWayRunsInTheBackgroundWhileTheRegisterReadsNonZero) {
  SKIP_IF_ELABORATED();
  // 16 sets x 4 ways: by-way operation takes 16 cycles, one set per cycle.
  std::vector<Step> steps = {op(0, BusOp::WriteBack, 0x0000, {1}), op(0, BusOp::ReadShared, 0x03C0),
                             reg_write(100 * kNs, pl310::kInvWay, 0xF)};
  // Accesses continue meanwhile: set 15 is only reached in the op's last cycle.
  steps.push_back(op(101 * kNs, BusOp::ReadShared, 0x03C0));
  for (int i = 0; i < 10; ++i) steps.push_back(reg_read(106 * kNs + i * 2 * kNs, pl310::kInvWay));
  Single s(outer_config(4096, 4), 1000, 10 * kNs, steps);
  s.cache.set_register_window(kRegs, 0x1000);
  s.run();
  EXPECT_EQ(s.ini.out[2].latency(), 5 * kNs);  // the write is answered at once
  EXPECT_EQ(s.ini.out[3].latency(), 5 * kNs);  // a hit, not stalled
  std::vector<std::uint32_t> polled;
  for (std::size_t i = 4; i < s.ini.out.size(); ++i) polled.push_back(s.ini.out[i].data);
  EXPECT_EQ(polled.front(), 0xFu);
  EXPECT_EQ(polled.back(), 0u);
  // The operation starts when the write arrives (100 ns) and takes one cycle per set: done at 116 ns.
  for (std::size_t i = 0; i < polled.size(); ++i) {
    const Picoseconds read_at = s.ini.out[4 + i].issued;
    EXPECT_EQ(polled[i] != 0, read_at < 116 * kNs) << "poll " << i << " at " << read_at;
  }
  EXPECT_EQ(s.cache.array().valid_count(), 0u);
  EXPECT_EQ(s.mem.writes(), 0u);  // invalidate: dirty data dropped
  EXPECT_EQ(counter(s.reg, "l1.lost_dirty"), 1u);
  EXPECT_EQ(counter(s.reg, "l1.maintenance.inv_way"), 1u);
}

TEST(CacheModel, Pl310CacheSyncWaitsForOutstandingWritebacks) {
  SKIP_IF_ELABORATED();
  // One line: the second absorbed write-back evicts the first, whose write takes 50 ns below.
  Single s(outer_config(64, 1), 1000, 50 * kNs,
           {op(0, BusOp::WriteBack, 0x1000, {1}), op(0, BusOp::WriteBack, 0x2000, {2}),
            reg_write(0, pl310::kCacheSync, 0)});
  s.cache.set_register_window(kRegs, 0x1000);
  s.run();
  ASSERT_EQ(s.mem.writes(), 1u);
  const Picoseconds wb_done = s.mem.log[0].arrival + 50 * kNs;
  EXPECT_EQ(s.ini.out[2].done, wb_done);
  EXPECT_GT(wb_done, s.ini.out[2].issued + 5 * kNs);
  EXPECT_EQ(counter(s.reg, "l1.registers.cache_sync"), 1u);
}

// ---- prefetcher --------------------------------------------------------------------------------

TEST(CacheModel, NextLinePrefetchIssuesTheNextLinesAndCountsAUsefulOneOnce) {
  SKIP_IF_ELABORATED();
  CacheConfig cfg = small(4096, 4, 2);
  cfg.prefetch.kind = PrefetchKind::NextLine;
  cfg.prefetch.degree = 2;
  Single s(cfg, 1000, 10 * kNs, {load(0, 0x1000), load(50 * kNs, 0x1040), load(100 * kNs, 0x1048)});
  s.run();
  // 0x1000 misses: 0x1040 and 0x1080 prefetched; the hit on 0x1040 prefetches 0x10C0.
  std::vector<std::uint64_t> reads;
  for (const auto& a : s.mem.log) reads.push_back(a.address);
  EXPECT_EQ(reads, (std::vector<std::uint64_t>{0x1000, 0x1040, 0x1080, 0x10C0}));
  EXPECT_EQ(counter(s.reg, "l1.prefetch.issued"), 3u);
  EXPECT_EQ(counter(s.reg, "l1.prefetch.useful"), 1u);
  EXPECT_EQ(counter(s.reg, "l1.prefetch.late"), 0u);
  EXPECT_EQ(s.ini.out[1].latency(), 2 * kNs);
  EXPECT_FALSE(s.cache.prefetched(0x1040));
  EXPECT_TRUE(s.cache.prefetched(0x1080));
}

TEST(CacheModel, PrefetchOffIssuesNone) {
  SKIP_IF_ELABORATED();
  Single s(small(4096, 4, 2), 1000, 10 * kNs, {load(0, 0x1000), load(50 * kNs, 0x1040), load(100 * kNs, 0x1048)});
  s.run();
  EXPECT_EQ(s.mem.reads(), 2u);
  EXPECT_EQ(counter(s.reg, "l1.prefetch.issued"), 0u);
}

TEST(CacheModel, StridePrefetchFollowsARepeatedStrideWithinThePage) {
  SKIP_IF_ELABORATED();
  CacheConfig cfg = small(8192, 4, 2);
  cfg.prefetch.kind = PrefetchKind::Stride;
  cfg.prefetch.degree = 1;
  Single s(cfg, 1000, 10 * kNs, {load(0, 0x1000), load(0, 0x1100), load(0, 0x1200), load(0, 0x1300)});
  s.run();
  // The stride 0x100 is seen at 0x1100 and confirmed at 0x1200: 0x1300 is prefetched (useful).
  EXPECT_EQ(counter(s.reg, "l1.prefetch.issued"), 2u);  // 0x1300, then 0x1400 on its first use
  EXPECT_EQ(counter(s.reg, "l1.prefetch.useful"), 1u);
  EXPECT_EQ(s.ini.out[3].latency(), 2 * kNs);
}

// ---- pass-through -------------------------------------------------------------------------------

TEST(CacheModel, NoSnoopAndDeviceAccessesPassThroughInZeroCycles) {
  SKIP_IF_ELABORATED();
  Step nc = op(0, BusOp::ReadNoSnoop, 0x5000);
  nc.type = MemType::NormalNonCacheable;
  Step dev = op(0, BusOp::WriteNoSnoop, 0x6000);
  dev.type = MemType::Device;
  Single s(small(4096, 4, 2), 1000, 10 * kNs, {nc, dev});
  s.run();
  EXPECT_EQ(s.ini.out[0].latency(), 10 * kNs);
  EXPECT_EQ(s.ini.out[1].latency(), 10 * kNs);
  EXPECT_EQ(s.cache.array().valid_count(), 0u);
  EXPECT_EQ(counter(s.reg, "l1.passed_through"), 2u);
}

// ---- inclusion -----------------------------------------------------------------------------------

struct RecordingSnooper : SnoopTarget {
  std::vector<SnoopRequest> seen;
  SnoopResponse answer;
  SnoopResponse snoop(const SnoopRequest& r) override {
    seen.push_back(r);
    return answer;
  }
};

TEST(CacheModel, InclusiveEvictionBackInvalidatesAboveAndWritesTheNewerDirtyData) {
  SKIP_IF_ELABORATED();
  CacheConfig cfg = small(64, 1, 4);
  cfg.level = 2;
  cfg.inclusion = Inclusion::Inclusive;
  RecordingSnooper above;
  above.answer = SnoopResponse{true, true, false, false, 77, 3 * kNs};
  Single s(cfg, 1000, 10 * kNs, {op(0, BusOp::ReadShared, 0x1000), op(0, BusOp::ReadShared, 0x2000)});
  s.cache.set_upstream_snooper(&above);
  s.run();
  ASSERT_EQ(above.seen.size(), 1u);
  EXPECT_EQ(above.seen[0].op, BusOp::CleanInvalid);
  EXPECT_EQ(above.seen[0].line, 0x1000u);
  ASSERT_EQ(s.mem.writes(), 1u);
  EXPECT_EQ(s.mem.log.back().op, BusOp::WriteBack);
  EXPECT_EQ(s.mem.log.back().versions, std::vector<std::uint64_t>{77});
  EXPECT_EQ(counter(s.reg, "l1.back_invalidations"), 1u);
}

TEST(CacheModel, SnoopOfANonInclusiveCacheIsForwardedUpAndAddsTheLatencies) {
  SKIP_IF_ELABORATED();
  CacheConfig cfg = small(4096, 4, 4);
  cfg.level = 2;
  cfg.snoop_latency = 5;
  RecordingSnooper above;
  above.answer = SnoopResponse{true, true, false, false, 12, 3 * kNs};
  Cache* c = nullptr;
  SnoopResponse r;
  Single s(cfg, 1000, 10 * kNs,
           {op(0, BusOp::ReadShared, 0x1000), action(30 * kNs, [&] { r = c->snoop({BusOp::ReadUnique, 0x1000}); })});
  c = &s.cache;
  s.cache.set_upstream_snooper(&above);
  s.run();
  EXPECT_EQ(above.seen.size(), 1u);
  EXPECT_TRUE(r.hit && r.dirty);
  EXPECT_EQ(r.version, 12u);  // the newer data from above
  EXPECT_EQ(r.latency, 5 * kNs + 3 * kNs);
  EXPECT_FALSE(s.cache.array().contains(0x1000));
}

}  // namespace
}  // namespace dmasim::cache
