// The SystemC crossbar (CCI-400-like) between scripted initiators, TestMemory targets and stub
// snoop targets: routing and rebasing, exact unloaded latency sums, arbitration at the point of
// serialisation, outstanding-limit backpressure, snoops (broadcast and filter), coherent and
// non-coherent reads against the oracle, maintenance with dirty snoop data, speculative reads and
// decode errors. Each test elaborates once: run through ctest. Clock 1 GHz (1000 ps cycles),
// latencies request 3, forward 4, response 2, snoop 3, snoop_response 4, data width 16 B.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "models/common/model_context.h"
#include "models/common/oracle/oracle.h"
#include "models/common/stats/registry.h"
#include "models/interconnect/crossbar.h"
#include "tests/interconnect/crossbar_bench.h"
#include "tests/support/test_memory.h"

namespace dmasim::interconnect {
namespace {

using test::hit;
using test::map_target;
using test::port;
using test::StubSnooper;
using test::TestInitiator;
using Req = TestInitiator::Request;

constexpr Picoseconds P = 1000;              // crossbar cycle
constexpr Picoseconds kMemLatency = 10'000;  // TestMemory
constexpr std::uint64_t kMem = 0x40000000, kRegs = 0x10000000, kNext = 0x80000000;

// A crossbar with one initiator per port, a memory, a register block and a `next` target (all
// TestMemory), and a stub snooper behind every ACE port.
struct Bench {
  stats::Registry registry;
  std::unique_ptr<oracle::Oracle> oracle = std::make_unique<oracle::Oracle>();
  std::unique_ptr<Crossbar> xbar;
  std::unique_ptr<test::TestMemory> mem, regs, next;
  std::vector<std::unique_ptr<TestInitiator>> init;
  std::vector<std::unique_ptr<StubSnooper>> snoopers;

  explicit Bench(std::vector<PortConfig> ports, void (*tweak)(InterconnectConfig&) = nullptr,
                 const std::string& name = "xbar") {
    InterconnectConfig c;
    c.clock = ClockSpec::from_period(Duration{P});
    c.ports = std::move(ports);
    c.address_map.targets = {map_target("mem", TargetKind::Memory, kMem, 1ull << 30),
                             map_target("regs", TargetKind::Registers, kRegs, 4096),
                             map_target("below", TargetKind::Next, kNext, 1ull << 30)};
    if (tweak != nullptr) tweak(c);
    ModelContext ctx;
    ctx.stats = &registry;
    ctx.stats_path = name;
    ctx.oracle = oracle.get();
    xbar = std::make_unique<Crossbar>(name.c_str(), c, ctx);
    // The memory gets no oracle: the crossbar in front of it fills versions and publishes.
    mem = std::make_unique<test::TestMemory>((name + "_mem").c_str(), kMemLatency);
    regs = std::make_unique<test::TestMemory>((name + "_regs").c_str(), kMemLatency);
    next = std::make_unique<test::TestMemory>((name + "_next").c_str(), kMemLatency);
    regs->read_value = 0x1234;
    xbar->target("mem").bind(mem->socket);
    xbar->target("regs").bind(regs->socket);
    xbar->target(2).bind(next->socket);
    for (unsigned i = 0; i < c.ports.size(); ++i) {
      init.push_back(std::make_unique<TestInitiator>((name + "_" + c.ports[i].name).c_str()));
      init.back()->socket.bind(xbar->port(i));
      snoopers.push_back(std::make_unique<StubSnooper>());
      if (c.ports[i].kind == PortKind::Ace) xbar->set_snoop_target(i, snoopers.back().get());
    }
  }
  std::uint64_t stat(const std::string& n) const {
    const stats::Stat* s = registry.find(n);
    if (s == nullptr) {
      ADD_FAILURE() << "no statistic " << n;
      return 0;
    }
    return s->counter().value();
  }
  void run() {
    sc_core::sc_start();
    EXPECT_TRUE(xbar->idle());
  }
};

Req read(Picoseconds at, std::uint64_t address, unsigned length = 64, BusOp op = BusOp::ReadNoSnoop,
         Coherence coh = Coherence::NonCoherent) {
  Req r;
  r.at = at;
  r.address = address;
  r.length = length;
  r.op = op;
  r.coherence = coh;
  return r;
}

Req write(Picoseconds at, std::uint64_t address, std::vector<std::uint64_t> versions, unsigned length = 64,
          BusOp op = BusOp::WriteNoSnoop, Coherence coh = Coherence::NonCoherent) {
  Req r = read(at, address, length, op, coh);
  r.cmd = tlm::TLM_WRITE_COMMAND;
  r.versions = std::move(versions);
  return r;
}

Req dataless(Picoseconds at, std::uint64_t address, BusOp op) {
  Req r = read(at, address, 64, op);
  r.cmd = tlm::TLM_IGNORE_COMMAND;
  return r;
}

TEST(Crossbar, RoutesAndRebasesByTargetKind) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b({port("dma", PortKind::NonCoherent)});
  oracle::Oracle& o = *b.oracle;
  const auto dev = o.register_agent("dev", oracle::kPrivateDomain, oracle::AgentKind::Device);
  const auto v = o.write(dev, kMem + 0x1000, 0);
  auto& in = *b.init[0];
  in.add(write(0, kMem + 0x1000, {v}));
  in.add(read(100'000, kMem + 0x1000));
  in.add(read(200'000, kRegs + 0x10, 4));
  in.add(read(300'000, kNext + 0x2040));
  b.run();
  ASSERT_EQ(in.completed(), 4u);
  ASSERT_EQ(b.mem->log.size(), 2u);
  EXPECT_EQ(b.mem->log[0].address, 0x1000u);  // rebased to the target's offset
  EXPECT_TRUE(b.mem->log[0].write);
  EXPECT_EQ(o.memory_version(kMem + 0x1000), v);  // published at the point of coherency
  EXPECT_EQ(in.results[1].versions, std::vector<std::uint64_t>{v});  // read versions from memory
  ASSERT_EQ(b.regs->log.size(), 1u);
  EXPECT_EQ(b.regs->log[0].address, 0x10u);
  ASSERT_EQ(b.next->log.size(), 1u);
  EXPECT_EQ(b.next->log[0].address, kNext + 0x2040);  // a `next` target sees the full address
  EXPECT_EQ(b.stat("xbar.targets.mem.requests"), 2u);
  EXPECT_EQ(b.stat("xbar.ports.dma.requests"), 4u);
  EXPECT_EQ(b.stat("xbar.ports.dma.bytes"), 64u * 3 + 4);
}

TEST(Crossbar, UnloadedLatencyIsTheSumOfTheConfiguredLatencies) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b({port("dma", PortKind::NonCoherent)});
  auto& in = *b.init[0];
  in.add(read(0, kMem, 64));           // 4 data cycles
  in.add(read(100'000, kMem, 16));     // 1 data cycle
  in.add(write(200'000, kMem, {1}));   // 4 data cycles
  b.run();
  ASSERT_EQ(in.completed(), 3u);
  // request 3 + forward 4, memory, response 2 + data cycles - 1.
  EXPECT_EQ(b.mem->log[0].arrival, 7 * P);
  EXPECT_EQ(in.results[0].completed, 7 * P + kMemLatency + (2 + 3) * P);
  EXPECT_EQ(in.results[1].completed - 100'000, 7 * P + kMemLatency + 2 * P);
  EXPECT_EQ(in.results[2].completed - 200'000, 7 * P + kMemLatency + (2 + 3) * P);
}

TEST(Crossbar, QosGivesTheHigherPortTheFirstSlot) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b({port("low", PortKind::NonCoherent, 0), port("high", PortKind::NonCoherent, 8)},
          [](InterconnectConfig& c) { c.arbitration = ArbitrationPolicy::Qos; });
  b.init[0]->add(read(0, kMem));
  b.init[1]->add(read(0, kMem + 0x40));
  b.run();
  EXPECT_EQ(b.init[1]->results[0].completed, 7 * P + kMemLatency + 5 * P);
  EXPECT_EQ(b.init[0]->results[0].completed, 8 * P + kMemLatency + 5 * P);  // one cycle later
  ASSERT_EQ(b.mem->log.size(), 2u);
  EXPECT_EQ(b.mem->log[0].address, 0x40u);
}

TEST(Crossbar, RoundRobinAlternatesBetweenPorts) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b({port("a", PortKind::NonCoherent), port("b", PortKind::NonCoherent)});
  for (int i = 0; i < 2; ++i) {
    b.init[0]->add(read(0, kMem + 0x000 + 0x40 * i));
    b.init[1]->add(read(0, kMem + 0x100 + 0x40 * i));
  }
  b.run();
  ASSERT_EQ(b.mem->log.size(), 4u);
  const std::vector<std::uint64_t> order = {b.mem->log[0].address, b.mem->log[1].address, b.mem->log[2].address,
                                            b.mem->log[3].address};
  EXPECT_EQ(order, (std::vector<std::uint64_t>{0x000, 0x100, 0x040, 0x140}));
  for (unsigned i = 0; i < 4; ++i) EXPECT_EQ(b.mem->log[i].arrival, (7 + i) * P);  // one grant per cycle
}

TEST(Crossbar, OutstandingLimitAppliesBackpressure) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b({port("dma", PortKind::NonCoherent, 0, /*outstanding=*/1)});
  auto& in = *b.init[0];
  in.add(read(0, kMem));
  in.add(read(0, kMem + 0x40));
  b.run();
  ASSERT_EQ(in.completed(), 2u);
  const Picoseconds one = 7 * P + kMemLatency + 5 * P;  // 22 ns
  EXPECT_EQ(in.results[0].completed, one);
  EXPECT_EQ(in.results[1].fw_status, tlm::TLM_ACCEPTED);
  EXPECT_EQ(in.results[1].accepted, one);  // END_REQ when the first one's slot frees
  EXPECT_EQ(in.results[1].completed, 2 * one);
  EXPECT_EQ(b.stat("xbar.ports.dma.stall_cycles"), one / P);
}

// c0 reads a line, c1 reads it (c0 keeps a copy), c2 takes it unique.
void snoop_sequence(Bench& b) {
  b.snoopers[0]->answer = hit(0, false, true, 2 * P);
  b.snoopers[1]->answer = hit(0, false, true, 2 * P);
  b.init[0]->add(read(0, kMem, 64, BusOp::ReadShared));
  b.init[1]->add(read(100'000, kMem, 64, BusOp::ReadShared));
  b.init[2]->add(read(200'000, kMem, 64, BusOp::ReadUnique));
  // A line nobody read: the filter knows no port holds it.
  b.init[2]->add(read(300'000, kMem + 0x1000, 64, BusOp::ReadShared));
}

std::vector<PortConfig> three_ace() {
  return {port("c0", PortKind::Ace), port("c1", PortKind::Ace), port("c2", PortKind::Ace)};
}

TEST(Crossbar, BroadcastSnoopsEveryOtherAcePort) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b(three_ace());
  snoop_sequence(b);
  b.run();
  EXPECT_EQ(b.stat("xbar.snoops.sent"), 8u);
  EXPECT_EQ(b.stat("xbar.snoops.filtered"), 0u);
  EXPECT_EQ(b.snoopers[2]->calls.size(), 2u);  // c2 (a stub that misses) was snooped twice
}

TEST(Crossbar, SnoopFilterSnoopsOnlyPortsThatMayHoldTheLine) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b(three_ace(), [](InterconnectConfig& c) { c.snoop = SnoopMode::Filter; });
  snoop_sequence(b);
  b.run();
  // c0's read: none (2 filtered); c1's: c0 (c2 filtered); c2's: c0 and c1; the last: none (2).
  EXPECT_EQ(b.stat("xbar.snoops.sent"), 3u);
  EXPECT_EQ(b.stat("xbar.snoops.filtered"), 5u);
  EXPECT_EQ(b.stat("xbar.snoops.hits"), 3u);
  EXPECT_TRUE(b.snoopers[2]->calls.empty());
  EXPECT_TRUE(b.init[1]->results[0].shared);  // c0 kept a copy
  EXPECT_EQ(b.mem->reads(), 2u);              // c1 and c2 were served by snoops
}

TEST(Crossbar, DuplicateTagsSnoopOnlyTheCachesThatHoldTheLine) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b(three_ace(), [](InterconnectConfig& c) { c.snoop = SnoopMode::Tags; });
  for (auto& s : b.snoopers) s->tags = true;
  b.snoopers[0]->held = {kMem};
  b.snoopers[0]->answer = hit(0, false, true, 2 * P);
  b.init[1]->add(read(0, kMem, 64, BusOp::ReadShared));                  // c0 holds it: snooped
  b.init[2]->add(read(100'000, kMem + 0x1000, 64, BusOp::ReadShared));  // nobody does: no snoop
  b.run();
  EXPECT_EQ(b.snoopers[0]->calls.size(), 1u);
  EXPECT_TRUE(b.snoopers[1]->calls.empty());
  EXPECT_TRUE(b.snoopers[2]->calls.empty());
  EXPECT_EQ(b.stat("xbar.snoops.sent"), 1u);
  EXPECT_EQ(b.stat("xbar.snoops.filtered"), 3u);  // c2 for the first read, c0 and c1 for the second
  EXPECT_TRUE(b.init[1]->results[0].shared);
  // The second read costs what an unsnooped one does: no snoop latency.
  const auto& r = b.init[2]->results[0];
  EXPECT_EQ(r.completed - r.issued, 7 * P + kMemLatency + 5 * P);
}

TEST(Crossbar, AceLiteReadTakesDirtySnoopDataWithoutReadingMemory) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b({port("cpu", PortKind::Ace), port("gpu", PortKind::AceLite)});
  oracle::Oracle& o = *b.oracle;
  const auto d = o.add_domain("coherent");
  const auto cpu = o.register_agent("cpu", d, oracle::AgentKind::Cpu);
  const auto gpu = o.register_agent("gpu", d, oracle::AgentKind::Device);
  const auto v = o.write(cpu, kMem + 0x80, 0, oracle::kNoCycle, oracle::Scope::Domain);
  b.snoopers[0]->answer = hit(v, /*dirty=*/true, /*kept=*/true, 5 * P);
  b.init[1]->oracle = &o;
  b.init[1]->agent = gpu;
  b.init[1]->add(read(0, kMem + 0x80, 64, BusOp::ReadNoSnoop, Coherence::IoCoherent));
  b.run();
  ASSERT_EQ(b.snoopers[0]->calls.size(), 1u);
  EXPECT_EQ(b.snoopers[0]->calls[0].op, BusOp::ReadOnce);
  EXPECT_EQ(b.init[1]->results[0].versions, std::vector<std::uint64_t>{v});
  EXPECT_EQ(b.mem->reads(), 0u);
  // The dirty data it does not take is written to memory before the read completes.
  ASSERT_EQ(b.mem->writes(), 1u);
  EXPECT_EQ(b.mem->log[0].op, BusOp::WriteBack);
  EXPECT_EQ(o.memory_version(kMem + 0x80), v);
  EXPECT_GE(b.init[1]->results[0].completed, b.mem->log[0].arrival + kMemLatency);
  EXPECT_EQ(o.reads_checked(), 1u);
  EXPECT_EQ(o.violation_count(), 0u);
}

TEST(Crossbar, NonCoherentReadGetsTheMemoryVersionWithoutSnooping) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b({port("cpu", PortKind::Ace), port("dma", PortKind::NonCoherent)});
  oracle::Oracle& o = *b.oracle;
  const auto d = o.add_domain("coherent");
  const auto cpu = o.register_agent("cpu", d, oracle::AgentKind::Cpu);
  const auto dma = o.register_agent("dma", oracle::kPrivateDomain, oracle::AgentKind::Device);
  const auto v = o.write(cpu, kMem + 0x80, 0, oracle::kNoCycle, oracle::Scope::Domain);
  b.snoopers[0]->answer = hit(v, true, true, 5 * P);
  b.init[1]->oracle = &o;
  b.init[1]->agent = dma;
  // Even with an IoCoherent attribute: a non-coherent port never snoops.
  b.init[1]->add(read(0, kMem + 0x80, 64, BusOp::ReadNoSnoop, Coherence::IoCoherent));
  b.run();
  EXPECT_TRUE(b.snoopers[0]->calls.empty());
  EXPECT_EQ(b.mem->reads(), 1u);
  EXPECT_EQ(b.init[1]->results[0].versions, std::vector<std::uint64_t>{oracle::kInitialVersion});
  // The oracle sees the stale read a missing clean would cause.
  EXPECT_EQ(o.violation_count(oracle::ViolationKind::DeviceReadStale), 1u);
}

TEST(Crossbar, CleanSharedWritesDirtySnoopDataAndCompletesAfterTheWrite) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b({port("c0", PortKind::Ace), port("c1", PortKind::Ace)});
  const auto cpu = b.oracle->register_agent("cpu", b.oracle->add_domain("coherent"), oracle::AgentKind::Cpu);
  const auto v = b.oracle->write(cpu, kMem, 0);  // the versions the oracle tracks are its own
  b.snoopers[1]->answer = hit(v, /*dirty=*/true, /*kept=*/true, 5 * P);
  b.snoopers[1]->hit_lines = {kMem};
  b.init[0]->add(dataless(0, kMem, BusOp::CleanShared));
  b.init[0]->add(dataless(100'000, kMem + 0x40, BusOp::CleanShared));  // a miss: no data to write
  b.run();
  // PoS at 3, snoops out at 6, back at 6 + 5 + 4 = 15; the write leaves at 19, is done at 29.
  ASSERT_EQ(b.mem->log.size(), 1u);
  EXPECT_TRUE(b.mem->log[0].write);
  EXPECT_EQ(b.mem->log[0].op, BusOp::WriteBack);
  EXPECT_EQ(b.mem->log[0].arrival, 19 * P);
  EXPECT_EQ(b.mem->log[0].versions, std::vector<std::uint64_t>{v});
  EXPECT_EQ(b.oracle->memory_version(kMem), v);
  EXPECT_EQ(b.init[0]->results[0].completed, 19 * P + kMemLatency + 2 * P);
  EXPECT_EQ(b.init[0]->results[1].completed - 100'000, 15 * P + 2 * P);  // the snoop path only
  EXPECT_EQ(b.stat("xbar.snoops.writebacks"), 1u);
}

TEST(Crossbar, SpeculativeReadOverlapsTheSnoops) {
  SKIP_UNLESS_FRESH_KERNEL();
  // Two crossbars in one elaboration: without and with speculative reads.
  auto ports = [] { return std::vector<PortConfig>{port("c0", PortKind::Ace), port("c1", PortKind::Ace)}; };
  Bench plain(ports(), nullptr, "plain");
  Bench spec(ports(), [](InterconnectConfig& c) { c.speculative_read = true; }, "spec");
  for (Bench* b : {&plain, &spec}) {
    b->snoopers[1]->answer = hit(7, false, true, 5 * P);
    b->snoopers[1]->hit_lines = {kMem + 0x1000};
    b->init[0]->add(read(0, kMem, 64, BusOp::ReadShared));                 // snoop miss
    b->init[0]->add(read(100'000, kMem + 0x1000, 64, BusOp::ReadShared));  // snoop hit
  }
  sc_core::sc_start();
  // Snoop path: 3 + 3 + 5 + 4 = 15 cycles. Memory path: 3 + 4 + 10 = 17 (speculative) or
  // 15 + 4 + 10 = 29; then response 2 + data 3.
  EXPECT_EQ(plain.init[0]->results[0].completed, 29 * P + 5 * P);
  EXPECT_EQ(spec.init[0]->results[0].completed, 17 * P + 5 * P);
  // A snoop hit answers from the snoop path; the speculative read still went to memory.
  EXPECT_EQ(plain.init[0]->results[1].completed - 100'000, 15 * P + 5 * P);
  EXPECT_EQ(spec.init[0]->results[1].completed - 100'000, 15 * P + 5 * P);
  EXPECT_EQ(spec.init[0]->results[1].versions, std::vector<std::uint64_t>{7});
  EXPECT_TRUE(spec.init[0]->results[1].shared);
  EXPECT_EQ(plain.mem->reads(), 1u);
  EXPECT_EQ(spec.mem->reads(), 2u);
  EXPECT_EQ(spec.stat("spec.speculative_reads_dropped"), 1u);
  EXPECT_TRUE(plain.xbar->idle());
  EXPECT_TRUE(spec.xbar->idle());
}

TEST(Crossbar, DecodeErrorsAreAnsweredAtOnce) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b({port("dma", PortKind::NonCoherent)});
  auto& in = *b.init[0];
  in.add(read(0, 0x1000));                 // unmapped
  in.add(read(1000, kRegs + 4096 - 8, 16)); // runs past the end of the register block
  b.run();
  ASSERT_EQ(in.completed(), 2u);
  EXPECT_EQ(in.results[0].fw_status, tlm::TLM_COMPLETED);
  EXPECT_EQ(in.results[0].status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(in.results[0].completed, 5 * P);  // request + response
  EXPECT_EQ(in.results[1].status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(b.stat("xbar.decode_errors"), 2u);
  EXPECT_TRUE(b.regs->log.empty());
}

TEST(Crossbar, UpwardSnooperMergesEveryAcePort) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b({port("c0", PortKind::Ace), port("c1", PortKind::Ace), port("io", PortKind::AceLite)});
  b.snoopers[0]->answer = hit(3, false, true, 2 * P);
  b.snoopers[1]->answer = hit(5, true, false, 6 * P);
  SnoopRequest r;
  r.op = BusOp::CleanInvalid;
  r.line = kMem;
  r.at = 0;
  const SnoopResponse out = b.xbar->upward_snooper().snoop(r);
  EXPECT_TRUE(out.hit);
  EXPECT_TRUE(out.dirty);
  EXPECT_TRUE(out.kept);
  EXPECT_EQ(out.version, 5u);
  EXPECT_EQ(out.latency, (3 + 4) * P + 6 * P);
  ASSERT_EQ(b.snoopers[0]->calls.size(), 1u);
  EXPECT_EQ(b.snoopers[0]->calls[0].at, 3 * P);
  EXPECT_TRUE(b.snoopers[2]->calls.empty());  // not an ACE port
}

TEST(Crossbar, ReadUniqueTakesDirtyDataAndAceLiteWriteInvalidates) {
  SKIP_UNLESS_FRESH_KERNEL();
  Bench b({port("c0", PortKind::Ace), port("c1", PortKind::Ace), port("io", PortKind::AceLite)});
  b.snoopers[1]->answer = hit(9, true, false, P);
  b.snoopers[1]->hit_lines = {kMem};
  b.init[0]->add(read(0, kMem, 64, BusOp::ReadUnique));
  const auto io = b.oracle->register_agent("io", oracle::kPrivateDomain, oracle::AgentKind::Device);
  const auto v = b.oracle->write(io, kMem + 0x40, 0);
  b.init[2]->add(write(100'000, kMem + 0x40, {v}, 32, BusOp::WriteNoSnoop, Coherence::IoCoherent));
  b.run();
  const auto& r = b.init[0]->results[0];
  EXPECT_EQ(r.versions, std::vector<std::uint64_t>{9});
  EXPECT_TRUE(r.dirty);   // ownership of the dirty data passes
  EXPECT_FALSE(r.shared);
  ASSERT_EQ(b.mem->log.size(), 1u);  // only the WriteUnique: no read, no writeback
  EXPECT_EQ(b.mem->log[0].op, BusOp::WriteUnique);
  EXPECT_EQ(b.snoopers[0]->calls.back().op, BusOp::WriteUnique);
  EXPECT_FALSE(b.snoopers[0]->calls.back().full_line);
  EXPECT_EQ(b.oracle->memory_version(kMem + 0x40), v);
}

}  // namespace
}  // namespace dmasim::interconnect
