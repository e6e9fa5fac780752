// dma-debug through the DMA-API front end: each misuse gets the message kernel/dma/debug.c
// prints for it (check_unmap, check_sync, debug_dma_mapping_error, the unbind notifier), and
// correct use gets none; plus the two ownership checks the kernel lacks.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sw/dma_api/dma_mapping.h"
#include "sw/mm/page_alloc.h"
#include "tests/support/elaboration.h"
#include "tests/support/sw_dma_env.h"

namespace dmasim::sw {
namespace {

using test::DmaEnv;

DmaEnv* make_env() {
  return new DmaEnv("exynos4412", KernelProfile{.arch = KernelArch::Armv7Pl310}, test::small_memory(), true);
}

std::vector<std::string> kinds(const DmaEnv& e) {
  std::vector<std::string> out;
  for (const DebugViolation& v : e.debug->violations()) out.push_back(v.kind);
  return out;
}

std::string only_message(const DmaEnv& e) {
  EXPECT_EQ(e.debug->violations().size(), 1u);
  return e.debug->violations().empty() ? "" : e.debug->violations()[0].message;
}

constexpr std::uint64_t kSize = 4096;

TEST(DmaDebug, CorrectUseReportsNothing) {
  SKIP_IF_ELABORATED();
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), kSize, DmaDirection::FromDevice, 0);
    ASSERT_EQ(dma_mapping_error(e->dev, a), 0);
    dma_sync_single_for_cpu(c, e->dev, a, kSize, DmaDirection::FromDevice);
    dma_sync_single_for_device(c, e->dev, a, kSize, DmaDirection::FromDevice);
    dma_unmap_single_attrs(c, e->dev, a, kSize, DmaDirection::FromDevice, 0);
    const DmaAllocation buf = dma_alloc_coherent(c, e->dev, kSize, GFP_KERNEL);
    dma_free_coherent(c, e->dev, kSize, buf);
    dma_debug_device_release(e->dev);
  });
  EXPECT_TRUE(e->debug->violations().empty()) << e->debug->report();
  EXPECT_EQ(e->h.count("sw.dma_debug.total"), 0u);
}

TEST(DmaDebug, UnmapOfAnAddressNeverMappedIsReported) {
  SKIP_IF_ELABORATED();
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) { dma_unmap_single_attrs(c, e->dev, 0x50000000, kSize, DmaDirection::ToDevice, 0); });
  EXPECT_EQ(only_message(*e),
            "DMA-API: dev: device driver tries to free DMA memory it has not allocated "
            "[device address=0x0000000050000000] [size=4096 bytes]");
  EXPECT_EQ(e->h.count("sw.dma_debug.violations.unmap_not_mapped"), 1u);
  EXPECT_EQ(e->h.count("sw.dma_debug.total"), 1u);
}

TEST(DmaDebug, UnmapWithADifferentSizeIsReported) {
  SKIP_IF_ELABORATED();
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), kSize, DmaDirection::ToDevice, 0);
    dma_mapping_error(e->dev, a);
    dma_unmap_single_attrs(c, e->dev, a, 2048, DmaDirection::ToDevice, 0);
  });
  EXPECT_EQ(only_message(*e),
            "DMA-API: dev: device driver frees DMA memory with different size [device address=0x0000000050000000] "
            "[map size=4096 bytes] [unmap size=2048 bytes]");
}

TEST(DmaDebug, UnmapWithADifferentDirectionIsReported) {
  SKIP_IF_ELABORATED();
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), kSize, DmaDirection::FromDevice, 0);
    dma_mapping_error(e->dev, a);
    dma_unmap_single_attrs(c, e->dev, a, kSize, DmaDirection::ToDevice, 0);
  });
  EXPECT_EQ(only_message(*e),
            "DMA-API: dev: device driver frees DMA memory with different direction [device address=0x0000000050000000] "
            "[size=4096 bytes] [mapped with DMA_FROM_DEVICE] [unmapped with DMA_TO_DEVICE]");
}

TEST(DmaDebug, UnmapWithTheWrongFunctionIsReported) {
  SKIP_IF_ELABORATED();
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), kSize, DmaDirection::ToDevice, 0);
    dma_mapping_error(e->dev, a);
    dma_unmap_page_attrs(c, e->dev, a, kSize, DmaDirection::ToDevice, 0);
  });
  EXPECT_EQ(only_message(*e),
            "DMA-API: dev: device driver frees DMA memory with wrong function [device address=0x0000000050000000] "
            "[size=4096 bytes] [mapped as single] [unmapped as page]");
}

TEST(DmaDebug, UnmapOfACoherentAllocationIsTheWrongFunction) {
  SKIP_IF_ELABORATED();
  // check_unmap finds the coherent entry by its address (bucket_find_exact matches device and
  // address only) and reports the type mismatch; it is not an unknown address.
  std::unique_ptr<DmaEnv> e(make_env());
  DmaAllocation buf;
  e->h.run([&](cpu::Core& c) {
    buf = dma_alloc_coherent(c, e->dev, kSize, GFP_KERNEL);
    dma_unmap_single_attrs(c, e->dev, buf.dma_handle, kSize, DmaDirection::Bidirectional, 0);
  });
  EXPECT_EQ(kinds(*e), std::vector<std::string>{"unmap_function"});
  EXPECT_NE(only_message(*e).find("[mapped as coherent] [unmapped as single]"), std::string::npos) << e->debug->report();
}

TEST(DmaDebug, SyncWithinTheMappingIsFineAndSyncPastItsEndIsNotAllocatedMemory) {
  SKIP_IF_ELABORATED();
  // check_sync looks for the entry that contains the whole synced range (containing_match); a
  // range running past the mapping's end matches none: "tries to sync DMA memory it has not
  // allocated" (the "outside allocated range" branch needs a containing entry smaller than the
  // range, which cannot be).
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), kSize, DmaDirection::FromDevice, 0);
    dma_mapping_error(e->dev, a);
    dma_sync_single_range_for_cpu(c, e->dev, a, 1024, 2048, DmaDirection::FromDevice);  // inside: fine
    dma_sync_single_range_for_cpu(c, e->dev, a, 2048, kSize, DmaDirection::FromDevice);  // [2048, 6144): past the end
  });
  EXPECT_EQ(only_message(*e),
            "DMA-API: dev: device driver tries to sync DMA memory it has not allocated "
            "[device address=0x0000000050000800] [size=4096 bytes]");
  EXPECT_EQ(kinds(*e), std::vector<std::string>{"sync_not_mapped"});
}

TEST(DmaDebug, SyncForCpuWithTheWrongDirectionOfADeviceReadOnlyMappingGetsBothMessages) {
  SKIP_IF_ELABORATED();
  // Mapped TO_DEVICE, synced for the CPU as FROM_DEVICE: the directions differ, and the CPU is
  // asking to read memory the device only reads (entry not FROM_DEVICE, ref not TO_DEVICE).
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), kSize, DmaDirection::ToDevice, 0);
    dma_mapping_error(e->dev, a);
    dma_sync_single_for_cpu(c, e->dev, a, kSize, DmaDirection::FromDevice);
  });
  EXPECT_EQ(kinds(*e), (std::vector<std::string>{"sync_direction", "sync_read_only_for_cpu"}));
}

TEST(DmaDebug, AMappingNeverCheckedWithDmaMappingErrorIsReportedAtUnmap) {
  SKIP_IF_ELABORATED();
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), kSize, DmaDirection::ToDevice, 0);
    dma_unmap_single_attrs(c, e->dev, a, kSize, DmaDirection::ToDevice, 0);
  });
  EXPECT_EQ(only_message(*e),
            "DMA-API: dev: device driver failed to check map error [device address=0x0000000050000000] "
            "[size=4096 bytes] [mapped as single]");
}

TEST(DmaDebug, PendingMappingsAndAllocationsAreReportedAtRelease) {
  SKIP_IF_ELABORATED();
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), kSize, DmaDirection::ToDevice, 0);
    dma_mapping_error(e->dev, a);
    dma_alloc_coherent(c, e->dev, 8192, GFP_KERNEL);
    dma_debug_device_release(e->dev);
  });
  const std::string m = only_message(*e);
  EXPECT_EQ(kinds(*e), std::vector<std::string>{"pending_at_release"});
  EXPECT_NE(m.find("device driver has pending DMA allocations while released from device [count=2]"), std::string::npos) << m;
  // The leaked entry shown: the mapping (the lowest address), with its direction and type.
  EXPECT_NE(m.find("One of leaked entries details: [device address=0x0000000050000000] [size=4096 bytes] "
                   "[mapped with DMA_TO_DEVICE] [mapped as single]"),
            std::string::npos)
      << m;
}

TEST(DmaDebug, AFailedMappingIsNotAnEntryLeakedAtRelease) {
  SKIP_IF_ELABORATED();
  // debug_dma_map_page returns at once for DMA_MAPPING_ERROR: nothing is recorded, so a failed
  // mapping (here a bounce over 256 KiB), checked or not, is no pending allocation; unmapping
  // the error value is "free an invalid DMA memory address" (with SKIP_CPU_SYNC: otherwise
  // dma-direct would sync the non-existent physical address ~0, where the kernel would fault).
  std::unique_ptr<DmaEnv> e(make_env());
  e->dev.force_bounce = true;
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), 512 * 1024, DmaDirection::ToDevice, 0);
    ASSERT_EQ(a, DMA_MAPPING_ERROR);
    dma_debug_device_release(e->dev);
    dma_unmap_single_attrs(c, e->dev, a, 512 * 1024, DmaDirection::ToDevice, DMA_ATTR_SKIP_CPU_SYNC);
  });
  EXPECT_EQ(only_message(*e), "DMA-API: dev: device driver tries to free an invalid DMA memory address");
}

TEST(DmaDebug, FreeOfCoherentMemoryNeverAllocatedIsReported) {
  SKIP_IF_ELABORATED();
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    DmaAllocation fake;
    fake.dma_handle = 0x5C000000;
    fake.cpu_addr = 0xDC000000;
    dma_free_coherent(c, e->dev, kSize, fake);
  });
  EXPECT_EQ(only_message(*e),
            "DMA-API: dev: device driver tries to free DMA memory it has not allocated "
            "[device address=0x000000005c000000] [size=4096 bytes]");
}

TEST(DmaDebug, OverlappingFromDeviceMappingsOfOneCachelineAreReported) {
  SKIP_IF_ELABORATED();
  // Two FROM_DEVICE mappings starting in the same 64 B dma-debug cacheline (L1_CACHE_SHIFT 6):
  // the second insert finds the line taken (EEXIST).
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), 32, DmaDirection::FromDevice, 0);
    const DmaAddr b = dma_map_single_attrs(c, e->dev, e->buffer_va(32), 32, DmaDirection::FromDevice, 0);
    dma_mapping_error(e->dev, a);
    dma_mapping_error(e->dev, b);
  });
  EXPECT_EQ(kinds(*e), std::vector<std::string>{"cacheline_overlap"});
}

TEST(DmaDebug, OverlapTrackingKeysAMappingByItsFirstCachelineOnly) {
  SKIP_IF_ELABORATED();
  // [0, 96) and [64, 128) share the line at 64, but the second starts there and the first does
  // not: the kernel keys each mapping by its first line, so neither insert finds the other.
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), 96, DmaDirection::FromDevice, 0);
    const DmaAddr b = dma_map_single_attrs(c, e->dev, e->buffer_va(64), 64, DmaDirection::FromDevice, 0);
    dma_mapping_error(e->dev, a);
    dma_mapping_error(e->dev, b);
    dma_unmap_single_attrs(c, e->dev, a, 96, DmaDirection::FromDevice, 0);
    dma_unmap_single_attrs(c, e->dev, b, 64, DmaDirection::FromDevice, 0);
  });
  EXPECT_TRUE(kinds(*e).empty());
}

TEST(DmaDebug, OverlapIsNotReportedForSkipCpuSyncOrToDeviceMappings) {
  SKIP_IF_ELABORATED();
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), 32, DmaDirection::FromDevice, 0);
    // Shares the first line; the caller says the CPU caches need no work (a buffer shared on).
    const DmaAddr b =
        dma_map_single_attrs(c, e->dev, e->buffer_va(32), 32, DmaDirection::FromDevice, DMA_ATTR_SKIP_CPU_SYNC);
    // The device only reads: not tracked at all.
    const DmaAddr t = dma_map_single_attrs(c, e->dev, e->buffer_va(16), 16, DmaDirection::ToDevice, 0);
    for (DmaAddr x : {a, b, t}) dma_mapping_error(e->dev, x);
  });
  EXPECT_TRUE(kinds(*e).empty());
}

TEST(DmaDebug, MoreThanSevenOverlapsOfALineWarnOnceAndStopCounting) {
  SKIP_IF_ELABORATED();
  // Nine mappings starting in one line: eight extra, one more than the tracking's tag bits hold.
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    std::vector<DmaAddr> maps;
    for (unsigned i = 0; i < 9; ++i) {
      maps.push_back(dma_map_single_attrs(c, e->dev, e->buffer_va(4 * i), 4, DmaDirection::FromDevice,
                                          DMA_ATTR_SKIP_CPU_SYNC));
      dma_mapping_error(e->dev, maps.back());
    }
    for (DmaAddr m : maps) dma_unmap_single_attrs(c, e->dev, m, 4, DmaDirection::FromDevice, DMA_ATTR_SKIP_CPU_SYNC);
    // The count stopped at seven, so the line's key went with the eighth unmap: a new mapping of it
    // after all nine are gone is a first one again, and an overlapping one is EEXIST.
    const DmaAddr x = dma_map_single_attrs(c, e->dev, e->buffer_va(), 4, DmaDirection::FromDevice, 0);
    const DmaAddr y = dma_map_single_attrs(c, e->dev, e->buffer_va(8), 4, DmaDirection::FromDevice, 0);
    dma_mapping_error(e->dev, x);
    dma_mapping_error(e->dev, y);
  });
  EXPECT_EQ(kinds(*e), (std::vector<std::string>{"cacheline_overlap_limit", "cacheline_overlap"}));
  EXPECT_EQ(e->debug->violations().front().message,
            fmt::format("DMA-API: dev: exceeded 7 overlapping mappings of cacheline 0x{:x}", e->buffer_pa() >> 6));
}

TEST(DmaDebug, PagesFreedWhileStillMappedAreReported) {
  SKIP_IF_ELABORATED();
  // Not a kernel check: pages given back to the allocator while a mapping still covers them (the
  // device may still write there). Unmapped first, the same free is fine.
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    PageAllocator& pages = *e->kernel().page_allocator;
    const std::optional<Pfn> a = pages.alloc_pages(c, GFP_KERNEL, 1);
    const std::optional<Pfn> b = pages.alloc_pages(c, GFP_KERNEL, 1);
    ASSERT_TRUE(a && b);
    const DmaAddr ma = dma_map_page_attrs(c, e->dev, PFN_PHYS(*a), 100, 2000, DmaDirection::FromDevice, 0);
    const DmaAddr mb = dma_map_page_attrs(c, e->dev, PFN_PHYS(*b), 0, 2 * PAGE_SIZE, DmaDirection::ToDevice, 0);
    dma_mapping_error(e->dev, ma);
    dma_mapping_error(e->dev, mb);
    pages.free_pages(c, *a, 1);  // still mapped: flagged
    dma_unmap_page_attrs(c, e->dev, ma, 2000, DmaDirection::FromDevice, 0);
    dma_unmap_page_attrs(c, e->dev, mb, 2 * PAGE_SIZE, DmaDirection::ToDevice, 0);
    pages.free_pages(c, *b, 1);  // unmapped first: fine
  });
  ASSERT_EQ(kinds(*e), std::vector<std::string>{"free_pages_mapped"});
  EXPECT_NE(e->debug->violations()[0].message.find("[mapped as page] [map size=2000 bytes]"), std::string::npos)
      << e->debug->violations()[0].message;
}

TEST(DmaDebug, CpuAccessWhileTheDeviceOwnsTheBufferIsReported) {
  SKIP_IF_ELABORATED();
  std::unique_ptr<DmaEnv> e(make_env());
  std::vector<std::size_t> after;
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), kSize, DmaDirection::FromDevice, 0);
    dma_mapping_error(e->dev, a);
    e->debug->cpu_access("test", e->buffer_pa(100), 16, false);  // device owns it: flagged
    after.push_back(e->debug->violations().size());
    dma_sync_single_for_cpu(c, e->dev, a, kSize, DmaDirection::FromDevice);
    e->debug->cpu_access("test", e->buffer_pa(100), 16, false);  // CPU owns it: fine
    after.push_back(e->debug->violations().size());
    dma_sync_single_for_device(c, e->dev, a, kSize, DmaDirection::FromDevice);
    e->debug->cpu_access("test", e->buffer_pa(kSize - 8), 64, true);  // overlaps the end: flagged
    after.push_back(e->debug->violations().size());
    dma_unmap_single_attrs(c, e->dev, a, kSize, DmaDirection::FromDevice, 0);
    e->debug->cpu_access("test", e->buffer_pa(), kSize, true);  // unmapped: the CPU's again
    after.push_back(e->debug->violations().size());
  });
  EXPECT_EQ(after, (std::vector<std::size_t>{1, 1, 2, 2}));
  EXPECT_EQ(kinds(*e), (std::vector<std::string>{"cpu_access_device_owned", "cpu_access_device_owned"}));
}

TEST(DmaDebug, CpuReadOfAToDeviceMappingIsHarmlessButAWriteIsReported) {
  SKIP_IF_ELABORATED();
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), kSize, DmaDirection::ToDevice, 0);
    dma_mapping_error(e->dev, a);
    e->debug->cpu_access("test", e->buffer_pa(), kSize, false);
    e->debug->cpu_access("test", e->buffer_pa(), kSize, true);
  });
  EXPECT_EQ(kinds(*e), std::vector<std::string>{"cpu_access_device_owned"});
}

TEST(DmaDebug, DeviceAccessOutsideItsMappingsOrWhileTheCpuOwnsThemIsReported) {
  SKIP_IF_ELABORATED();
  std::unique_ptr<DmaEnv> e(make_env());
  e->h.run([&](cpu::Core& c) {
    const DmaAddr a = dma_map_single_attrs(c, e->dev, e->buffer_va(), kSize, DmaDirection::FromDevice, 0);
    dma_mapping_error(e->dev, a);
    e->debug->device_access(e->dev, a, kSize, true);          // fine: mapped, device-owned, writable
    e->debug->device_access(e->dev, a, kSize, false);         // FROM_DEVICE: the device may not read
    e->debug->device_access(e->dev, a + kSize, 64, true);     // past the mapping
    dma_sync_single_for_cpu(c, e->dev, a, kSize, DmaDirection::FromDevice);
    e->debug->device_access(e->dev, a, 64, true);             // the CPU owns it now
  });
  EXPECT_EQ(kinds(*e), (std::vector<std::string>{"device_access_direction", "device_access_unmapped",
                                                 "device_access_cpu_owned"}));
}

}  // namespace
}  // namespace dmasim::sw
