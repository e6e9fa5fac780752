#include "sw/kernel/kernel.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "sw/kernel/cache_maint.h"
#include "sw/kernel/vmalloc.h"

namespace dmasim::sw {

std::string_view to_string(CostKind k) {
  switch (k) {
    case CostKind::DmaApi: return "dma_api";
    case CostKind::Maintenance: return "maintenance";
    case CostKind::Copy: return "copy";
    case CostKind::Iommu: return "iommu";
    case CostKind::Allocator: return "allocator";
    case CostKind::Count: break;
  }
  return "?";
}

Kernel::Kernel(Machine& machine, const KernelProfile& profile, stats::Group stats, trace::Recorder* trace)
    : machine_(machine),
      profile_(profile),
      stats_(std::move(stats)),
      trace_(trace),
      layout_(machine.layout()),
      cache_(std::make_unique<CacheMaint>(*this)),
      vmalloc_(std::make_unique<VmallocArea>(machine.address_space(), layout_.vmalloc_va, layout_.vmalloc_size)),
      cores_(machine.core_count()) {
  stats::Group time = stats_.group("time");
  for (std::size_t k = 0; k < cost_ps_.size(); ++k) {
    const auto kind = static_cast<CostKind>(k);
    cost_ps_[k] = &time.counter(fmt::format("{}_ps", to_string(kind)), "ps",
                                fmt::format("core time in {} (outermost scope, summed over cores)", to_string(kind)));
    self_ps_[k] = &time.counter(fmt::format("{}_self_ps", to_string(kind)), "ps",
                                fmt::format("core time with {} the innermost scope, summed over cores", to_string(kind)));
  }
  failures_ = &stats_.counter("failures_total", "calls", "DMA-API and allocator calls that failed");
}

Kernel::~Kernel() = default;

DmaMapOps& Kernel::direct_ops() const {
  if (direct == nullptr) throw std::logic_error("the kernel has no dma-direct ops (kernel setup missing)");
  return *direct;
}

void Kernel::count_failure(std::string_view call) {
  failures_->inc();
  auto it = failure_counters_.find(call);
  if (it == failure_counters_.end())
    it = failure_counters_
             .emplace(std::string(call),
                      &stats_.group("failures").counter(call, "calls", "calls that failed as the kernel would report"))
             .first;
  it->second->inc();
}

trace::TrackId Kernel::core_track(unsigned core) {
  CoreState& c = cores_.at(core);
  if (c.track == trace::kNoTrack && trace() != nullptr)
    c.track = trace_->slice_track(fmt::format("cpu{} kernel", core));
  return c.track;
}

unsigned Kernel::core_index(const cpu::Core& core) const {
  for (unsigned i = 0; i < machine_.core_count(); ++i)
    if (&machine_.core(i) == &core) return i;
  throw std::logic_error("core_index: a core of another machine");
}

VirtAddr Kernel::phys_to_virt(PhysAddr pa) const {
  if (!is_lowmem(pa)) throw std::logic_error(fmt::format("__va: {:#x} is not lowmem", pa));
  return layout_.linear_va + (pa - layout_.dram_base);
}

PhysAddr Kernel::virt_to_phys(VirtAddr va) const {
  if (va < layout_.linear_va || va - layout_.linear_va >= layout_.lowmem)
    throw std::logic_error(fmt::format("__pa: {:#x} is not in the linear map", va));
  return layout_.dram_base + (va - layout_.linear_va);
}

bool Kernel::is_lowmem(PhysAddr pa, std::uint64_t size) const {
  return pa >= layout_.dram_base && pa - layout_.dram_base <= layout_.lowmem &&
         size <= layout_.lowmem - (pa - layout_.dram_base);
}

std::optional<PhysAddr> Kernel::translate(VirtAddr va) const {
  const cpu::Translation t = machine_.address_space().translate(va);
  if (!t.ok()) return std::nullopt;
  return t.pa;
}

void Kernel::add_cost(CostKind kind, unsigned core, Picoseconds ps) {
  const auto k = static_cast<std::size_t>(kind);
  cores_.at(core).ps[k] += ps;
  cost_ps_[k]->inc(ps);
}

Picoseconds Kernel::cost(CostKind kind) const { return cost_ps_[static_cast<std::size_t>(kind)]->value(); }

Picoseconds Kernel::self_cost(CostKind kind) const { return self_ps_[static_cast<std::size_t>(kind)]->value(); }

void Kernel::charge_self(CoreState& c, Picoseconds now) {
  if (!c.open.empty() && now > c.self_mark) self_ps_[static_cast<std::size_t>(c.open.back())]->inc(now - c.self_mark);
  c.self_mark = now;
}

Picoseconds Kernel::cost(CostKind kind, unsigned core) const { return cores_.at(core).ps[static_cast<std::size_t>(kind)]; }

CostScope::CostScope(Kernel& kernel, cpu::Core& cpu, CostKind kind, std::string_view name,
                     std::initializer_list<trace::Arg> args)
    : kernel_(kernel), cpu_(cpu), kind_(kind), core_(kernel.core_index(cpu)), start_(cpu.now()) {
  Kernel::CoreState& c = kernel_.cores_[core_];
  outermost_ = c.depth[static_cast<std::size_t>(kind_)]++ == 0;
  kernel_.charge_self(c, start_);
  c.open.push_back(kind_);
  trace::Recorder* rec = kernel_.trace();
  traced_ = rec != nullptr;
  if (traced_) rec->begin(kernel_.core_track(core_), start_, name, args);
}

CostScope::~CostScope() {
  const Picoseconds end = cpu_.now();
  Kernel::CoreState& c = kernel_.cores_[core_];
  --c.depth[static_cast<std::size_t>(kind_)];
  kernel_.charge_self(c, end);
  // Scopes of one software thread nest, so this one is usually innermost; a core running several
  // threads can interleave theirs, hence the search for the latest scope of this kind.
  const auto it = std::find(c.open.rbegin(), c.open.rend(), kind_);
  if (it != c.open.rend()) c.open.erase(std::next(it).base());
  if (outermost_) kernel_.add_cost(kind_, core_, end - start_);
  if (traced_) kernel_.trace_->end(kernel_.core_track(core_), end);
}

}  // namespace dmasim::sw
