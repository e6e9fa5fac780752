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
}

}  // namespace dmasim::sw
