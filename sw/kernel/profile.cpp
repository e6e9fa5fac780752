#include "sw/kernel/profile.h"

namespace dmasim::sw {

void KernelProfile::describe(cfg::Fields<KernelProfile>& f) {
  f("arch", &KernelProfile::arch,
    "whose DMA cache maintenance the kernel performs: armv7-pl310 (L1 by MVA, then the PL310 by PA, CACHE_SYNC), "
    "armv7 (no outer cache), arm64-pre-5.19 (a FROM_DEVICE map invalidates), arm64 (every map cleans)");
  f("dma_mem_bufferable", &KernelProfile::dma_mem_bufferable,
    "CONFIG_ARM_DMA_MEM_BUFFERABLE: coherent DMA memory is Normal non-cacheable (true) or Strongly-ordered (false)");
  f("pre_6_0", &KernelProfile::pre_6_0,
    "a kernel before 6.0: dma_alloc_attrs with NO_KERNEL_MAPPING still zeroes and flushes the buffer");
  f("dma_debug", &KernelProfile::dma_debug, "CONFIG_DMA_API_DEBUG: check every DMA-API call (dma-debug)");
  f("iommu", &KernelProfile::iommu, "the IO address space of devices behind a SYSMMU (the iommu strategy)");
}

void IommuPolicy::describe(cfg::Fields<IommuPolicy>& f) {
  f("flush", &IommuPolicy::flush,
    "iommu.strict=: strict (unmap invalidates the IOTLB before returning) or lazy (dma-iommu on arm64: IOVAs "
    "wait in a per-CPU flush queue of 256 entries or 10 ms, then one invalidation of everything)");
  f("max_page", &IommuPolicy::max_page,
    "the largest IOMMU page mappings use: 4KiB, 64KiB or 1MiB (sections where the IOVA and the memory are 1 MiB "
    "aligned)");
  f("iova_base", &IommuPolicy::iova_base, "first IO virtual address of a device's address space (1 MiB aligned)");
  f("iova_size", &IommuPolicy::iova_size, "bytes of IO virtual address space per device (a multiple of 128 MiB)");
}

void IommuPolicy::validate(cfg::Validator& v) const {
  if (max_page.bytes != 4096 && max_page.bytes != 65536 && max_page.bytes != (1u << 20))
    v.fail("max_page", "must be 4KiB, 64KiB or 1MiB");
  if (iova_base % (1u << 20) != 0) v.fail("iova_base", "must be 1 MiB aligned");
  if (iova_size.bytes == 0 || iova_size.bytes % (128ull << 20) != 0)
    v.fail("iova_size", "must be a non-zero multiple of 128MiB");
  if (iova_base + iova_size.bytes > (1ull << 32)) v.fail("iova_size", "the IO address space must end below 4 GiB");
}

}  // namespace dmasim::sw
