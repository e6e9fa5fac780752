// AddressSpace: translation and faults, overlap and alignment errors, unmap / set_attr splitting,
// and the alias report (the ARM aliasing problem). Expected values are written out by hand.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "models/common/tlm/mem_ext.h"
#include "models/cpu/address_space.h"

namespace dmasim::cpu {
namespace {

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = 1024 * KiB;

TEST(AddressSpace, TranslatesInsideMappingsAndFaultsOutside) {
  AddressSpace as;
  as.map(0xC000'0000, 0x4000'0000, 16 * MiB, MemAttr::NormalWriteBack, "linear map");
  as.map(0xF000'0000, 0x1380'0000, 4 * KiB, MemAttr::Device, "ioremap uart");

  const Translation t = as.translate(0xC012'3456);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.pa, 0x4012'3456u);
  EXPECT_EQ(t.attr, MemAttr::NormalWriteBack);
  EXPECT_EQ(t.bytes_to_end, 0xC100'0000u - 0xC012'3456u);

  const Translation d = as.translate(0xF000'0FFC);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.pa, 0x1380'0FFCu);
  EXPECT_EQ(d.attr, MemAttr::Device);
  EXPECT_EQ(d.bytes_to_end, 4u);

  // Last byte of the linear map, first byte after it, below everything, between, above.
  EXPECT_EQ(as.translate(0xC0FF'FFFF).pa, 0x40FF'FFFFu);
  for (std::uint64_t va : {0xC100'0000ull, 0x0ull, 0xBFFF'FFFFull, 0xE000'0000ull, 0xF000'1000ull, ~0ull}) {
    const Translation f = as.translate(va);
    EXPECT_FALSE(f.ok()) << std::hex << va;
    EXPECT_EQ(f.fault, Fault::Translation);
    EXPECT_EQ(f.va, va);
  }
}

TEST(AddressSpace, LastHitCacheIsInvalidatedByChanges) {
  AddressSpace as;
  as.map(0x1000'0000, 0x8000'0000, 64 * KiB, MemAttr::NormalWriteBack, "buf");
  for (std::uint64_t off = 0; off < 64 * KiB; off += 4) ASSERT_EQ(as.translate(0x1000'0000 + off).pa, 0x8000'0000 + off);
  EXPECT_EQ(as.lookups(), 16u * KiB);
  EXPECT_EQ(as.last_hit_misses(), 1u);  // one ordered-map lookup for the whole stream

  as.set_attr(0x1000'0000, 4 * KiB, MemAttr::NormalNonCacheable);
  EXPECT_EQ(as.translate(0x1000'0010).attr, MemAttr::NormalNonCacheable);
  EXPECT_EQ(as.translate(0x1000'1010).attr, MemAttr::NormalWriteBack);
  as.unmap(0x1000'1000, 4 * KiB);
  EXPECT_FALSE(as.translate(0x1000'1010).ok());
  EXPECT_TRUE(as.translate(0x1000'2000).ok());
}

TEST(AddressSpace, OverlappingOrMisalignedMapsAreErrors) {
  AddressSpace as;
  as.map(0x10000, 0x90000, 0x4000, MemAttr::NormalWriteBack, "a");
  // Overlaps at the start, at the end, inside, around; adjacent ranges are fine.
  EXPECT_THROW(as.map(0xF000, 0x0, 0x2000, MemAttr::NormalWriteBack, "b"), MappingError);
  EXPECT_THROW(as.map(0x13000, 0x0, 0x2000, MemAttr::NormalWriteBack, "b"), MappingError);
  EXPECT_THROW(as.map(0x11000, 0x0, 0x1000, MemAttr::NormalWriteBack, "b"), MappingError);
  EXPECT_THROW(as.map(0x0, 0x0, 0x100000, MemAttr::NormalWriteBack, "b"), MappingError);
  EXPECT_NO_THROW(as.map(0xF000, 0x0, 0x1000, MemAttr::NormalWriteBack, "below"));
  EXPECT_NO_THROW(as.map(0x14000, 0x0, 0x1000, MemAttr::NormalWriteBack, "above"));
  EXPECT_EQ(as.size(), 3u);

  try {
    as.map(0x12000, 0x0, 0x1000, MemAttr::Device, "late");
    ADD_FAILURE() << "no error";
  } catch (const MappingError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'late'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'a'"), std::string::npos) << msg;
  }
  EXPECT_THROW(as.map(0x20800, 0x0, 0x1000, MemAttr::NormalWriteBack, "unaligned va"), MappingError);
  EXPECT_THROW(as.map(0x20000, 0x800, 0x1000, MemAttr::NormalWriteBack, "unaligned pa"), MappingError);
  EXPECT_THROW(as.map(0x20000, 0x0, 0x1800, MemAttr::NormalWriteBack, "unaligned size"), MappingError);
  EXPECT_THROW(as.map(0x20000, 0x0, 0, MemAttr::NormalWriteBack, "empty"), MappingError);
  EXPECT_THROW(as.map(~0xFFFull, 0x0, 0x2000, MemAttr::NormalWriteBack, "wraps"), MappingError);
  EXPECT_EQ(as.size(), 3u);
}

TEST(AddressSpace, UnmapCutsMappingsAndRefusesHoles) {
  AddressSpace as;
  as.map(0x100000, 0x500000, 0x10000, MemAttr::NormalWriteBack, "vmalloc");
  as.unmap(0x104000, 0x2000);  // a hole in the middle: two pieces remain
  const std::vector<Mapping> m = as.mappings();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].va, 0x100000u);
  EXPECT_EQ(m[0].size, 0x4000u);
  EXPECT_EQ(m[1].va, 0x106000u);
  EXPECT_EQ(m[1].pa, 0x506000u);
  EXPECT_EQ(m[1].size, 0xA000u);
  EXPECT_EQ(m[1].name, "vmalloc");
  EXPECT_EQ(as.translate(0x106123).pa, 0x506123u);
  // The hole is not mapped: unmapping across it is an error and changes nothing.
  EXPECT_THROW(as.unmap(0x103000, 0x4000), MappingError);
  EXPECT_EQ(as.mappings().size(), 2u);
  EXPECT_THROW(as.set_attr(0x103000, 0x4000, MemAttr::Device), MappingError);
  as.unmap(0x100000, 0x4000);
  as.unmap(0x106000, 0xA000);
  EXPECT_EQ(as.size(), 0u);
}

TEST(AddressSpace, MemAttrMapsOntoBusMemType) {
  EXPECT_EQ(to_mem_type(MemAttr::NormalWriteBack), MemType::NormalWriteBack);
  EXPECT_EQ(to_mem_type(MemAttr::NormalNonCacheable), MemType::NormalNonCacheable);
  EXPECT_EQ(to_mem_type(MemAttr::Device), MemType::Device);
  EXPECT_EQ(to_mem_type(MemAttr::StronglyOrdered), MemType::Device);
  EXPECT_EQ(to_string(MemAttr::StronglyOrdered), "strongly-ordered");
}

// dma_alloc_attrs on ARMv7, remap path: the buffer's pages keep their cacheable linear-map alias
// and gain a non-cacheable vmap alias. Both cover PA 0x4100_0000 .. +64 KiB.
TEST(AddressSpace, ReportsCacheableLinearMapPlusNonCacheableRemap) {
  AddressSpace as;
  as.map(0xC000'0000, 0x4000'0000, 256 * MiB, MemAttr::NormalWriteBack, "linear map");
  as.map(0xFF00'0000, 0x4100'0000, 64 * KiB, MemAttr::NormalNonCacheable, "dma coherent remap");
  as.map(0xF000'0000, 0x1380'0000, 4 * KiB, MemAttr::Device, "ioremap uart");

  const std::vector<AliasConflict> c = as.conflicting_aliases();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].pa, 0x4100'0000u);
  EXPECT_EQ(c[0].size, 64 * KiB);
  EXPECT_EQ(c[0].a.name, "linear map");
  EXPECT_EQ(c[0].a.va, 0xC100'0000u);
  EXPECT_EQ(c[0].a.attr, MemAttr::NormalWriteBack);
  EXPECT_EQ(c[0].b.name, "dma coherent remap");
  EXPECT_EQ(c[0].b.va, 0xFF00'0000u);
  EXPECT_EQ(c[0].b.attr, MemAttr::NormalNonCacheable);
  EXPECT_EQ(AddressSpace::format_report(c),
            "PA 0x41000000-0x41010000 (65536 bytes): 'linear map' VA 0xc1000000 normal-wb vs "
            "'dma coherent remap' VA 0xff000000 normal-nc\n");

  // Who maps one page of the buffer (plus the page after it, only in the linear map).
  const std::vector<Alias> a = as.aliases(0x4100'F000, 8 * KiB);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0], (Alias{0xC100'F000, 0x4100'F000, 8 * KiB, MemAttr::NormalWriteBack, "linear map"}));
  EXPECT_EQ(a[1], (Alias{0xFF00'F000, 0x4100'F000, 4 * KiB, MemAttr::NormalNonCacheable, "dma coherent remap"}));
  EXPECT_TRUE(as.aliases(0x2000'0000, 4 * KiB).empty());

  // The CMA path instead rewrites the linear-map PTEs of the buffer to the DMA type: after that
  // (and freeing the remap) there is no conflict left.
  as.unmap(0xFF00'0000, 64 * KiB);
  as.set_attr(0xC100'0000, 64 * KiB, MemAttr::NormalNonCacheable);
  as.map(0xFF00'0000, 0x4100'0000, 64 * KiB, MemAttr::NormalNonCacheable, "dma coherent remap");
  EXPECT_TRUE(as.conflicting_aliases().empty());
  EXPECT_EQ(as.translate(0xC100'0040).attr, MemAttr::NormalNonCacheable);
  EXPECT_EQ(as.translate(0xC101'0040).attr, MemAttr::NormalWriteBack);
}

TEST(AddressSpace, SameTypeAliasesAreNotReported) {
  AddressSpace as;
  as.map(0xC000'0000, 0x4000'0000, 1 * MiB, MemAttr::NormalWriteBack, "linear map");
  as.map(0xE000'0000, 0x4008'0000, 64 * KiB, MemAttr::NormalWriteBack, "vmap");
  as.map(0xE100'0000, 0x4008'0000, 64 * KiB, MemAttr::NormalWriteBack, "kmap");
  EXPECT_TRUE(as.conflicting_aliases().empty());
  EXPECT_EQ(AddressSpace::format_report(as.conflicting_aliases()), "");
  EXPECT_EQ(as.aliases(0x4008'0000, 4 * KiB).size(), 3u);
}

TEST(AddressSpace, ReportsEveryConflictingPairInPhysicalOrder) {
  AddressSpace as;
  // Three views of PA 0x8000_0000 .. +16 KiB, partly overlapping, plus a Device vs SO pair.
  as.map(0x1000'0000, 0x8000'0000, 16 * KiB, MemAttr::NormalWriteBack, "wb");
  as.map(0x2000'0000, 0x8000'2000, 8 * KiB, MemAttr::NormalNonCacheable, "nc");
  as.map(0x3000'0000, 0x8000'3000, 4 * KiB, MemAttr::StronglyOrdered, "so");
  as.map(0x4000'0000, 0x1000'0000, 4 * KiB, MemAttr::Device, "mmio");
  as.map(0x5000'0000, 0x1000'0000, 4 * KiB, MemAttr::StronglyOrdered, "mmio so");

  const std::vector<AliasConflict> c = as.conflicting_aliases();
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].pa, 0x1000'0000u);
  EXPECT_EQ(c[0].a.name, "mmio");
  EXPECT_EQ(c[0].b.name, "mmio so");
  EXPECT_EQ(c[1].pa, 0x8000'2000u);
  EXPECT_EQ(c[1].size, 8 * KiB);
  EXPECT_EQ(c[1].a.name, "wb");
  EXPECT_EQ(c[1].b.name, "nc");
  EXPECT_EQ(c[1].a.va, 0x1000'2000u);
  EXPECT_EQ(c[2].pa, 0x8000'3000u);
  EXPECT_EQ(c[2].size, 4 * KiB);
  EXPECT_EQ(c[2].a.name, "wb");
  EXPECT_EQ(c[2].b.name, "so");
  EXPECT_EQ(c[3].pa, 0x8000'3000u);
  EXPECT_EQ(c[3].a.name, "nc");
  EXPECT_EQ(c[3].a.va, 0x2000'1000u);
  EXPECT_EQ(c[3].b.name, "so");
}

}  // namespace
}  // namespace dmasim::cpu
