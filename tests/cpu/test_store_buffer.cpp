// StoreBuffer: merging (write-combining), Device ordering, full-buffer eviction, store-to-load
// forwarding, drain reasons and the statistics. Expectations are written out by hand.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "models/common/config/node.h"
#include "models/common/error.h"
#include "models/common/stats/registry.h"
#include "models/cpu/store_buffer.h"

namespace dmasim::cpu {
namespace {

StoreBufferConfig config(unsigned entries, std::uint64_t entry_size) {
  StoreBufferConfig c;
  c.entries = entries;
  c.entry_size = ByteSize{entry_size};
  return c;
}

struct Fixture {
  explicit Fixture(unsigned entries = 4, std::uint64_t entry_size = 32)
      : sb(config(entries, entry_size), stats::Group(registry, "cpu0.sb")) {}
  std::uint64_t stat(const std::string& name) const {
    const stats::Stat* s = registry.find("cpu0.sb." + name);
    if (s == nullptr) {
      ADD_FAILURE() << "no stat " << name;
      return 0;
    }
    return s->counter().value();
  }
  stats::Registry registry;
  StoreBuffer sb;
  std::vector<DrainedStore> out;
};

TEST(StoreBuffer, EightWordStoresToOneLineDrainAsOneFullLine) {
  for (MemAttr attr : {MemAttr::NormalWriteBack, MemAttr::NormalNonCacheable}) {
    Fixture f;
    for (unsigned i = 0; i < 8; ++i) {
      const StoreOutcome o = f.sb.store(0x8000'0040 + 4 * i, 4, attr, 100 + i, f.out);
      EXPECT_EQ(o, i == 0 ? StoreOutcome::Allocated : StoreOutcome::Merged);
    }
    EXPECT_EQ(f.sb.size(), 1u);
    EXPECT_TRUE(f.out.empty());
    f.sb.drain(f.out);
    ASSERT_EQ(f.out.size(), 1u);
    EXPECT_EQ(f.out[0], (DrainedStore{0x8000'0040, 0xFFFF'FFFF, attr, true, 107, 8, DrainReason::Explicit}));
    EXPECT_TRUE(f.sb.empty());
    EXPECT_EQ(f.stat("stores"), 8u);
    EXPECT_EQ(f.stat("merges"), 7u);
    EXPECT_EQ(f.stat("drained"), 1u);
    EXPECT_EQ(f.stat("full_line_drains"), 1u);
    EXPECT_EQ(f.stat("drained_by.explicit"), 1u);
  }
}

TEST(StoreBuffer, PartialLineDrainCarriesItsByteMask) {
  Fixture f(4, 64);
  f.sb.store(0x1000 + 2, 2, MemAttr::NormalWriteBack, 1, f.out);   // bytes 2-3
  f.sb.store(0x1000 + 60, 4, MemAttr::NormalWriteBack, 2, f.out);  // bytes 60-63
  f.sb.store(0x1000 + 3, 1, MemAttr::NormalWriteBack, 3, f.out);   // byte 3 again
  f.sb.dsb(f.out);
  ASSERT_EQ(f.out.size(), 1u);
  EXPECT_EQ(f.out[0].addr, 0x1000u);
  EXPECT_EQ(f.out[0].mask, 0xF000'0000'0000'000Cull);
  EXPECT_FALSE(f.out[0].full_line);
  EXPECT_EQ(f.out[0].version, 3u);
  EXPECT_EQ(f.out[0].stores, 3u);
  EXPECT_EQ(f.out[0].reason, DrainReason::Dsb);

  // A whole 64-byte slot in one store is a full line.
  f.out.clear();
  f.sb.store(0x2000, 64, MemAttr::NormalNonCacheable, 4, f.out);
  f.sb.dmb(f.out);
  ASSERT_EQ(f.out.size(), 1u);
  EXPECT_EQ(f.out[0].mask, ~0ull);
  EXPECT_TRUE(f.out[0].full_line);
}

TEST(StoreBuffer, DeviceAndStronglyOrderedStoresAreNeverMerged) {
  for (MemAttr attr : {MemAttr::Device, MemAttr::StronglyOrdered}) {
    Fixture f;
    for (unsigned i = 0; i < 8; ++i) EXPECT_EQ(f.sb.store(0x1380'0000 + 4 * i, 4, attr, i, f.out), StoreOutcome::Unbuffered);
    EXPECT_TRUE(f.sb.empty());
    EXPECT_TRUE(f.out.empty());
    EXPECT_EQ(f.stat("merges"), 0u);
    EXPECT_EQ(f.stat("unbuffered_stores"), 8u);
  }
}

TEST(StoreBuffer, DeviceStoreDrainsOlderEntriesFirstInOrder) {
  Fixture f;
  f.sb.store(0x100, 4, MemAttr::NormalWriteBack, 1, f.out);
  f.sb.store(0x200, 4, MemAttr::NormalNonCacheable, 2, f.out);
  f.sb.store(0x300, 4, MemAttr::NormalWriteBack, 3, f.out);
  f.sb.store(0x104, 4, MemAttr::NormalWriteBack, 4, f.out);  // merges into the first entry
  EXPECT_EQ(f.sb.store(0x1380'0000, 4, MemAttr::Device, 5, f.out), StoreOutcome::Unbuffered);
  ASSERT_EQ(f.out.size(), 3u);
  EXPECT_EQ(f.out[0], (DrainedStore{0x100, 0xFF, MemAttr::NormalWriteBack, false, 4, 2, DrainReason::DeviceAccess}));
  EXPECT_EQ(f.out[1], (DrainedStore{0x200, 0xF, MemAttr::NormalNonCacheable, false, 2, 1, DrainReason::DeviceAccess}));
  EXPECT_EQ(f.out[2], (DrainedStore{0x300, 0xF, MemAttr::NormalWriteBack, false, 3, 1, DrainReason::DeviceAccess}));
  EXPECT_TRUE(f.sb.empty());
  EXPECT_EQ(f.stat("drained_by.device_access"), 3u);

  // A Device load orders the same way.
  f.out.clear();
  f.sb.store(0x400, 4, MemAttr::NormalWriteBack, 6, f.out);
  EXPECT_EQ(f.sb.load(0x1380'0010, 4, MemAttr::StronglyOrdered, f.out).outcome, LoadOutcome::Unbuffered);
  ASSERT_EQ(f.out.size(), 1u);
  EXPECT_EQ(f.out[0].addr, 0x400u);
  EXPECT_EQ(f.stat("drained_by.device_access"), 4u);
}

TEST(StoreBuffer, FullBufferEvictsTheOldest) {
  Fixture f(2, 32);
  EXPECT_EQ(f.sb.store(0x000, 4, MemAttr::NormalWriteBack, 1, f.out), StoreOutcome::Allocated);
  EXPECT_EQ(f.sb.store(0x020, 4, MemAttr::NormalWriteBack, 2, f.out), StoreOutcome::Allocated);
  EXPECT_TRUE(f.sb.full());
  EXPECT_EQ(f.sb.store(0x004, 4, MemAttr::NormalWriteBack, 3, f.out), StoreOutcome::Merged);  // no stall
  EXPECT_TRUE(f.out.empty());
  EXPECT_EQ(f.sb.store(0x040, 4, MemAttr::NormalWriteBack, 4, f.out), StoreOutcome::AllocatedAfterFull);
  ASSERT_EQ(f.out.size(), 1u);
  EXPECT_EQ(f.out[0], (DrainedStore{0x000, 0xFF, MemAttr::NormalWriteBack, false, 3, 2, DrainReason::Full}));
  EXPECT_EQ(f.sb.store(0x060, 4, MemAttr::NormalWriteBack, 5, f.out), StoreOutcome::AllocatedAfterFull);
  ASSERT_EQ(f.out.size(), 2u);
  EXPECT_EQ(f.out[1].addr, 0x020u);
  EXPECT_EQ(f.stat("full_stalls"), 2u);
  EXPECT_EQ(f.stat("drained_by.full"), 2u);
  // What is left: 0x40 then 0x60, oldest first.
  f.out.clear();
  EXPECT_TRUE(f.sb.drain_oldest(DrainReason::Idle, f.out));
  f.sb.cache_maintenance(f.out);
  EXPECT_FALSE(f.sb.drain_oldest(DrainReason::Idle, f.out));
  ASSERT_EQ(f.out.size(), 2u);
  EXPECT_EQ(f.out[0].addr, 0x040u);
  EXPECT_EQ(f.out[0].reason, DrainReason::Idle);
  EXPECT_EQ(f.out[1].addr, 0x060u);
  EXPECT_EQ(f.out[1].reason, DrainReason::CacheMaintenance);
}

TEST(StoreBuffer, DifferentMemoryTypesOfOneLineDoNotMerge) {
  // The same physical line stored through a cacheable and a non-cacheable alias.
  Fixture f;
  f.sb.store(0x4100'0000, 4, MemAttr::NormalWriteBack, 1, f.out);
  EXPECT_EQ(f.sb.store(0x4100'0004, 4, MemAttr::NormalNonCacheable, 2, f.out), StoreOutcome::Allocated);
  EXPECT_EQ(f.sb.store(0x4100'0008, 4, MemAttr::NormalNonCacheable, 3, f.out), StoreOutcome::Merged);
  // The youngest entry of the line is non-cacheable: a cacheable store must not merge past it.
  EXPECT_EQ(f.sb.store(0x4100'000C, 4, MemAttr::NormalWriteBack, 4, f.out), StoreOutcome::Allocated);
  EXPECT_EQ(f.sb.size(), 3u);
}

TEST(StoreBuffer, LoadsForwardWhenEveryByteIsPresent) {
  Fixture f;
  f.sb.store(0x1000, 4, MemAttr::NormalWriteBack, 10, f.out);
  f.sb.store(0x1004, 4, MemAttr::NormalWriteBack, 11, f.out);
  // Exact, inside, across both stores.
  EXPECT_EQ(f.sb.load(0x1000, 4, MemAttr::NormalWriteBack, f.out).outcome, LoadOutcome::Forwarded);
  EXPECT_EQ(f.sb.load(0x1005, 2, MemAttr::NormalWriteBack, f.out).outcome, LoadOutcome::Forwarded);
  const LoadResult r = f.sb.load(0x1002, 4, MemAttr::NormalWriteBack, f.out);
  EXPECT_EQ(r.outcome, LoadOutcome::Forwarded);
  EXPECT_EQ(r.version, 11u);
  // Other line, or other bytes of the line: not in the buffer at all.
  EXPECT_EQ(f.sb.load(0x2000, 4, MemAttr::NormalWriteBack, f.out).outcome, LoadOutcome::Miss);
  EXPECT_EQ(f.sb.load(0x1010, 8, MemAttr::NormalWriteBack, f.out).outcome, LoadOutcome::Miss);
  EXPECT_TRUE(f.out.empty());
  EXPECT_EQ(f.sb.size(), 1u);
  EXPECT_EQ(f.stat("loads"), 5u);
  EXPECT_EQ(f.stat("forwarded_loads"), 3u);
  EXPECT_EQ(f.stat("load_stalls"), 0u);
}

TEST(StoreBuffer, ForwardingComposesBytesFromTwoEntriesOfOneLine) {
  Fixture f;
  f.sb.store(0x1000, 4, MemAttr::NormalWriteBack, 20, f.out);
  f.sb.store(0x1004, 4, MemAttr::NormalNonCacheable, 21, f.out);  // second entry, same line
  const LoadResult r = f.sb.load(0x1000, 8, MemAttr::NormalWriteBack, f.out);
  EXPECT_EQ(r.outcome, LoadOutcome::Forwarded);
  EXPECT_EQ(r.version, 21u);
}

TEST(StoreBuffer, PartialOverlapStallsAndDrainsUpToTheEntryInOrder) {
  Fixture f;
  f.sb.store(0x0000, 4, MemAttr::NormalWriteBack, 1, f.out);
  f.sb.store(0x1000, 4, MemAttr::NormalWriteBack, 2, f.out);
  f.sb.store(0x2000, 4, MemAttr::NormalWriteBack, 3, f.out);
  // 8 bytes at 0x1000: only 4 present.
  const LoadResult r = f.sb.load(0x1000, 8, MemAttr::NormalWriteBack, f.out);
  EXPECT_EQ(r.outcome, LoadOutcome::Stall);
  ASSERT_EQ(f.out.size(), 2u);
  EXPECT_EQ(f.out[0].addr, 0x0000u);
  EXPECT_EQ(f.out[1].addr, 0x1000u);
  EXPECT_EQ(f.out[1].reason, DrainReason::LoadHazard);
  EXPECT_EQ(f.sb.size(), 1u);  // 0x2000 stays
  EXPECT_EQ(f.stat("load_stalls"), 1u);
  EXPECT_EQ(f.stat("drained_by.load_hazard"), 2u);
  // After the drain the same load misses the buffer and goes to the cache.
  EXPECT_EQ(f.sb.load(0x1000, 8, MemAttr::NormalWriteBack, f.out).outcome, LoadOutcome::Miss);
}

TEST(StoreBuffer, DrainReasonsAreCountedSeparately) {
  Fixture f;
  auto one = [&](std::uint64_t a) { f.sb.store(a, 4, MemAttr::NormalNonCacheable, a, f.out); };
  one(0x000);
  one(0x020);
  f.sb.dmb(f.out);
  one(0x040);
  f.sb.dsb(f.out);
  one(0x060);
  one(0x080);
  one(0x0A0);
  f.sb.cache_maintenance(f.out);
  one(0x0C0);
  f.sb.drain(f.out);
  f.sb.dsb(f.out);  // empty: nothing more
  EXPECT_EQ(f.out.size(), 7u);
  EXPECT_EQ(f.stat("drained_by.dmb"), 2u);
  EXPECT_EQ(f.stat("drained_by.dsb"), 1u);
  EXPECT_EQ(f.stat("drained_by.cache_maintenance"), 3u);
  EXPECT_EQ(f.stat("drained_by.explicit"), 1u);
  EXPECT_EQ(f.stat("drained_by.full"), 0u);
  EXPECT_EQ(f.stat("drained"), 7u);
  EXPECT_EQ(f.stat("full_line_drains"), 0u);
}

TEST(StoreBuffer, AccessesOutsideOneSlotAreRejected) {
  Fixture f;
  EXPECT_THROW(f.sb.store(0x101C, 8, MemAttr::NormalWriteBack, 1, f.out), std::invalid_argument);
  EXPECT_THROW(f.sb.store(0x1000, 0, MemAttr::NormalWriteBack, 1, f.out), std::invalid_argument);
  EXPECT_THROW(f.sb.load(0x1000, 33, MemAttr::NormalWriteBack, f.out), std::invalid_argument);
  EXPECT_TRUE(f.sb.empty());
}

TEST(StoreBufferConfig, ReadsFromYamlAndChecksValues) {
  const StoreBufferConfig c =
      cfg::read<StoreBufferConfig>(cfg::load_yaml_string("entries: 4\nentry_size: 64\n", "t.yaml"), "soc.cpu0.store_buffer");
  EXPECT_EQ(c.entries, 4u);
  EXPECT_EQ(c.entry_size.bytes, 64u);
  EXPECT_FALSE(StoreBufferConfig{}.problem().has_value());
  EXPECT_THROW(cfg::read<StoreBufferConfig>(cfg::load_yaml_string("entry_size: 48\n", "t.yaml"), "sb"), UserError);
  EXPECT_THROW(cfg::read<StoreBufferConfig>(cfg::load_yaml_string("entries: 0\n", "t.yaml"), "sb"), UserError);
  EXPECT_THROW(config(4, 128).check(), UserError);
}

}  // namespace
}  // namespace dmasim::cpu
