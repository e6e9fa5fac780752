// AddressMap: configuration checks (with the messages a user sees) and lookups, against
// expectations worked out by hand from the ranges.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "models/common/config/node.h"
#include "models/common/error.h"
#include "models/interconnect/address_map.h"

#include "tests/support/config_text.h"
namespace dmasim::interconnect {
namespace {

AddressMapConfig read_text(const std::string& text) {
  return dmasim::testing::read_config_text<AddressMapConfig>(text, "map.yaml", "soc.map");
}

std::string error_of(const std::string& text) {
  return dmasim::testing::config_error<AddressMapConfig>(text, "map.yaml", "soc.map");
}

TargetConfig target(std::string name, std::uint64_t base, std::uint64_t size, TargetKind kind = TargetKind::Memory) {
  return TargetConfig{std::move(name), kind, Address{base}, ByteSize{size}};
}

// An Exynos-like map: register blocks below DRAM, in non-sorted configuration order.
AddressMapConfig exynos_like() {
  AddressMapConfig c;
  c.targets = {target("dram", 0x40000000, 0x80000000),
               target("sysmmu", 0x13e80000, 0x1000, TargetKind::Registers),
               target("pl310", 0x10502000, 0x1000, TargetKind::Registers)};
  return c;
}

TEST(AddressMapConfig, ReadsTargetsInHexAndUnits) {
  const AddressMapConfig c = read_text(
      "targets:\n"
      "  - {name: dram, kind: memory, base: 0x40000000, size: 2GiB}\n"
      "  - {name: pl310, kind: registers, base: 0x10502000, size: 4KiB}\n"
      "  - {name: sram, base: 512MiB, size: 64KiB}\n"
      "  - {name: high, base: 0x100000000, size: 4KiB}\n");
  ASSERT_EQ(c.targets.size(), 4u);
  EXPECT_EQ(c.targets[0].base.value, 0x40000000u);
  EXPECT_EQ(c.targets[0].size.bytes, 2ull << 30);
  EXPECT_EQ(c.targets[1].kind, TargetKind::Registers);
  EXPECT_EQ(c.targets[2].kind, TargetKind::Memory);  // the default
  EXPECT_EQ(c.targets[2].base.value, 1ull << 29);
  EXPECT_EQ(c.targets[3].base.value, 0x100000000u);
  // Written back in hex, and read again the same.
  const cfg::Node out = cfg::write(c);
  EXPECT_EQ(out.find("targets")->items()[1].find("base")->value(), "0x10502000");
  const AddressMapConfig again = cfg::read<AddressMapConfig>(out, "x");
  EXPECT_EQ(again.targets[3].base, c.targets[3].base);
  EXPECT_EQ(again.targets[0].size, c.targets[0].size);
}

TEST(AddressMapConfig, OverlapNamesBothEntries) {
  const std::string e = error_of(
      "targets:\n"
      "  - {name: dram, base: 0x40000000, size: 1GiB}\n"
      "  - {name: rom, base: 0x0, size: 64KiB}\n"
      "  - {name: regs, base: 0x7ffff000, size: 8KiB}\n");
  EXPECT_NE(e.find("soc.map.targets"), std::string::npos) << e;
  EXPECT_NE(e.find("targets[0] 'dram' [0x40000000, 0x7fffffff] and targets[2] 'regs' [0x7ffff000, 0x80000fff] overlap"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("map.yaml:"), std::string::npos) << e;
}

TEST(AddressMapConfig, OverlapOfANestedRangeBehindAnotherIsFound) {
  // Sorted by base: big [0, 1MiB), a [4KiB, 8KiB), b [512KiB, 516KiB): b overlaps big, not a.
  AddressMapConfig c;
  c.targets = {target("a", 0x1000, 0x1000), target("b", 0x80000, 0x1000), target("big", 0, 0x100000)};
  ASSERT_TRUE(c.problem().has_value());
  EXPECT_NE(c.problem()->message.find("'a'"), std::string::npos);
  EXPECT_NE(c.problem()->message.find("'big'"), std::string::npos);
  c.targets.erase(c.targets.begin());  // remove a: b inside big is still an overlap
  ASSERT_TRUE(c.problem().has_value());
  EXPECT_EQ(c.problem()->message,
            "targets[0] 'b' [0x80000, 0x80fff] and targets[1] 'big' [0x0, 0xfffff] overlap");
}

TEST(AddressMapConfig, AdjacentRangesAreFine) {
  AddressMapConfig c;
  c.targets = {target("lo", 0, 0x1000), target("hi", 0x1000, 0x1000)};
  EXPECT_FALSE(c.problem().has_value());
}

TEST(AddressMapConfig, ZeroSizeAlignmentAndOverflow) {
  std::string e = error_of("targets:\n  - {name: dram, base: 0x40000000, size: 0}\n");
  EXPECT_NE(e.find("soc.map.targets[0].size"), std::string::npos) << e;
  EXPECT_NE(e.find("target 'dram' has size zero"), std::string::npos) << e;

  e = error_of("targets:\n  - {name: dram, base: 0x40000100, size: 1GiB}\n");
  EXPECT_NE(e.find("soc.map.targets[0].base"), std::string::npos) << e;
  EXPECT_NE(e.find("base 0x40000100 of target 'dram' is not a multiple of the alignment 4KiB"), std::string::npos)
      << e;

  e = error_of("targets:\n  - {name: regs, base: 0x10000000, size: 100}\n");
  EXPECT_NE(e.find("size 100B of target 'regs' is not a multiple of the alignment 4KiB"), std::string::npos) << e;
  // A smaller alignment accepts it.
  EXPECT_NO_THROW(read_text("alignment: 4\ntargets:\n  - {name: regs, base: 0x10000000, size: 100}\n"));

  e = error_of("alignment: 3KiB\ntargets:\n  - {name: regs, base: 0, size: 4KiB}\n");
  EXPECT_NE(e.find("soc.map.alignment"), std::string::npos) << e;
  EXPECT_NE(e.find("alignment must be a power of two, got 3KiB"), std::string::npos) << e;

  e = error_of("targets:\n  - {name: top, base: 0xfffffffffffff000, size: 8KiB}\n");
  EXPECT_NE(e.find("runs past the end of the 64-bit address space"), std::string::npos) << e;
  // Ending exactly at 2^64 - 1 is fine.
  EXPECT_NO_THROW(read_text("targets:\n  - {name: top, base: 0xfffffffffffff000, size: 4KiB}\n"));
}

TEST(AddressMapConfig, DuplicateNamesMissingKeysAndBadAddresses) {
  std::string e = error_of("targets:\n  - {name: x, base: 0, size: 4KiB}\n  - {name: x, base: 4KiB, size: 4KiB}\n");
  EXPECT_NE(e.find("target name 'x' is used twice (targets[0] and targets[1])"), std::string::npos) << e;
  e = error_of("targets:\n  - {name: x, size: 4KiB}\n");
  EXPECT_NE(e.find("soc.map.targets[0].base"), std::string::npos) << e;
  EXPECT_NE(e.find("missing required key"), std::string::npos) << e;
  e = error_of("targets:\n  - {name: x, base: 0x12g, size: 4KiB}\n");
  EXPECT_NE(e.find("expected an address (e.g. 0x40000000 or 1GiB), got '0x12g'"), std::string::npos) << e;
  e = error_of("targets: []\n");
  EXPECT_NE(e.find("the address map needs at least one target"), std::string::npos) << e;
  e = error_of("targets:\n  - {name: x, kind: rom, base: 0, size: 4KiB}\n");
  EXPECT_NE(e.find("soc.map.targets[0].kind"), std::string::npos) << e;
}

TEST(AddressMapConfig, CheckThrowsForConfigsBuiltInCpp) {
  AddressMapConfig c = exynos_like();
  EXPECT_NO_THROW(c.check());
  c.targets[1].size = ByteSize{0};
  try {
    c.check();
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "address map: targets[1]: target 'sysmmu' has size zero");
  }
  EXPECT_THROW(AddressMap{c}, UserError);
}

TEST(AddressMap, LooksUpTargetAndOffset) {
  const AddressMap map(exynos_like());
  ASSERT_EQ(map.size(), 3u);
  Decode d = map.lookup(0x40000000, 64);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.target, 0u);
  EXPECT_EQ(d.offset, 0u);
  d = map.lookup(0xbfffffc0, 64);  // the last line of DRAM
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.offset, 0x7fffffc0u);
  d = map.lookup(0x10502100, 4);  // PL310 register: target index is the configuration position
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.target, 2u);
  EXPECT_EQ(d.offset, 0x100u);
  EXPECT_EQ(map.target(d.target).kind, TargetKind::Registers);
  d = map.lookup(0x13e80ffc, 4);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.target, 1u);
  EXPECT_EQ(d.offset, 0xffcu);
  EXPECT_EQ(map.find("sysmmu"), 1u);
  EXPECT_FALSE(map.find("gpu").has_value());
}

TEST(AddressMap, UnmappedAndStraddlingAccessesAreDecodeErrors) {
  const AddressMap map(exynos_like());
  EXPECT_EQ(map.lookup(0, 4).status, Decode::Status::Unmapped);  // below every target
  EXPECT_EQ(map.lookup(0x10503000, 4).status, Decode::Status::Unmapped);  // just past the PL310
  EXPECT_EQ(map.lookup(0xc0000000, 64).status, Decode::Status::Unmapped);  // just past DRAM
  EXPECT_EQ(map.lookup(0x3fffffc0, 64).status, Decode::Status::Unmapped);  // starts below DRAM
  const Decode d = map.lookup(0xbfffffe0, 64);  // runs 32 bytes past DRAM's end
  EXPECT_EQ(d.status, Decode::Status::Straddles);
  EXPECT_EQ(d.target, 0u);
  EXPECT_EQ(map.explain(d, 0xbfffffe0, 64),
            "decode error: 64 bytes at 0xbfffffe0 run past the end of 'dram' [0x40000000, 0xbfffffff]");
  EXPECT_EQ(map.explain(map.lookup(0x20000000, 4), 0x20000000, 4),
            "decode error: 0x20000000 is in no target of the address map");
  // Two adjacent targets: an access crossing the boundary is an error, not a split.
  AddressMapConfig c;
  c.targets = {target("lo", 0, 0x1000), target("hi", 0x1000, 0x1000)};
  const AddressMap two(c);
  EXPECT_EQ(two.lookup(0xff8, 16).status, Decode::Status::Straddles);
  EXPECT_TRUE(two.lookup(0xff0, 16).ok());
  EXPECT_TRUE(two.lookup(0x1ff0, 0).ok());  // length 0 counts as one byte
}

TEST(AddressMap, TopOfTheAddressSpaceDoesNotWrap) {
  AddressMapConfig c;
  c.targets = {target("top", 0xfffffffffffff000, 0x1000)};
  const AddressMap map(c);
  EXPECT_TRUE(map.lookup(0xffffffffffffffc0, 64).ok());
  EXPECT_EQ(map.lookup(0xffffffffffffffc0, 128).status, Decode::Status::Straddles);
  EXPECT_EQ(map.lookup(0xffffffffffffffff, std::numeric_limits<std::uint64_t>::max()).status,
            Decode::Status::Straddles);
}

TEST(AddressMap, AgreesWithALinearScanOnManyAddresses) {
  // Brute force: the target is the one whose [base, base + size) holds the address.
  AddressMapConfig c;
  for (unsigned i = 0; i < 40; ++i)  // every third 4 KiB page, scattered order, gaps between
    c.targets.push_back(target(fmt::format("t{}", i), ((i * 17) % 40) * 0x3000, 0x1000 + (i % 2) * 0x1000));
  const AddressMap map(c);
  std::uint64_t x = 12345;
  for (int k = 0; k < 20000; ++k) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const std::uint64_t addr = (x >> 20) % (40 * 0x3000 + 0x1000);
    const std::uint64_t len = 1 + (x >> 8) % 128;
    int expect = -1;
    for (unsigned i = 0; i < c.targets.size(); ++i)
      if (addr >= c.targets[i].base.value && addr < c.targets[i].base.value + c.targets[i].size.bytes) expect = int(i);
    const Decode d = map.lookup(addr, len);
    if (expect < 0) {
      ASSERT_EQ(d.status, Decode::Status::Unmapped) << addr;
      continue;
    }
    ASSERT_EQ(d.target, unsigned(expect)) << addr;
    const bool fits = addr + len <= c.targets[expect].base.value + c.targets[expect].size.bytes;
    ASSERT_EQ(d.ok(), fits) << addr << " " << len;
    if (fits) {
      ASSERT_EQ(d.offset, addr - c.targets[expect].base.value);
    }
  }
}

}  // namespace
}  // namespace dmasim::interconnect
