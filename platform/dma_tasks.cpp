#include "platform/dma_tasks.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "models/common/error.h"
#include "models/iommu/page_table_builder.h"
#include "platform/soc.h"
#include "sw/programs/dma_driver.h"
#include "sw/programs/sysmmu_fault.h"

namespace dmasim::platform {
namespace {

constexpr std::uint64_t kTableArea = 512 * 1024;  // per SYSMMU: a 16 KiB level-1 table and level-2 tables

std::uint64_t buffer_bytes(const DmaTaskConfig& t, std::uint64_t size) {
  return t.job.op == devices::DmaOp::Copy && t.pacing == PacingKind::None ? 2 * size : size;
}

// The job a task runs, at bus address `bus` over `size` bytes (a copy writes the next `size`).
devices::DmaJob make_job(const DmaTaskConfig& t, std::uint64_t bus, std::uint64_t size) {
  const DmaJobConfig& c = t.job;
  devices::DmaJob j;
  j.op = c.op;
  j.width = c.width.bytes ? c.width.bytes : size;
  j.height = c.height;
  j.src_pitch = j.dst_pitch = c.pitch.bytes;
  j.tile_width = c.tile_width.bytes;
  j.tile_height = c.tile_height;
  j.burst = static_cast<unsigned>(c.burst.bytes);
  j.coherent = c.coherent;
  j.rate = c.rate.bytes;
  j.repeat = c.repeat;
  j.outstanding = c.outstanding;
  if (t.pacing != PacingKind::None) {
    const devices::VideoTiming& v = t.video.timing;
    j.width = v.line_bytes();
    j.height = v.height;
    j.repeat = t.video.frames;
  }
  j.src = bus;
  j.dst = c.op == devices::DmaOp::Copy ? bus + size : bus;
  return j;
}

std::uint64_t job_extent(const devices::DmaJob& j) {  // bytes of the buffer one pass touches
  const std::uint64_t pitch = j.src_pitch ? j.src_pitch : j.width;
  return (j.height - 1) * pitch + j.width;
}

}  // namespace

void DmaJobConfig::describe(cfg::Fields<DmaJobConfig>& f) {
  f("op", &DmaJobConfig::op, "read: the device reads the buffer; write: it writes it; copy: it reads the buffer and "
                             "writes the same size after it");
  f("width", &DmaJobConfig::width, "bytes per line (0: the whole buffer, one line)");
  f("height", &DmaJobConfig::height, "lines").range(1, 1 << 20);
  f("pitch", &DmaJobConfig::pitch, "bytes from one line to the next (0: the width)");
  f("tile_width", &DmaJobConfig::tile_width, "tiled access: bytes per tile line (0: not tiled)");
  f("tile_height", &DmaJobConfig::tile_height, "tiled access: lines per tile").range(0, 1 << 16);
  f("burst", &DmaJobConfig::burst, "bytes per transaction at most: a power of two from 4B to 256B");
  f("coherent", &DmaJobConfig::coherent, "IO-coherent transactions (snoop the CPU caches; needs an ace-lite port)");
  f("rate", &DmaJobConfig::rate, "bytes per second the engine may move at most (0: unlimited)");
  f("repeat", &DmaJobConfig::repeat, "passes over the buffer within the job").range(1, 1 << 20);
  f("outstanding", &DmaJobConfig::outstanding,
    "transactions the job keeps in flight at most (0: the engine's limit), as a display DMA's outstanding-request cap")
      .range(0, 1024);
}

void DmaTaskConfig::describe(cfg::Fields<DmaTaskConfig>& f) {
  f("device", &DmaTaskConfig::device, "the platform device (platform.devices[].name) that runs the job").required();
  f("core", &DmaTaskConfig::core, "the core whose driver thread programs the device and takes its interrupt");
  f("programming", &DmaTaskConfig::programming,
    "mmio: the driver writes the job's registers and sleeps until the completion interrupt (each access costs "
    "what it costs); direct: a driver helper hands the job over at no cost and waits for its completion");
  f("offset", &DmaTaskConfig::offset, "physical offset of the task's buffer from the DRAM base (default: buffer.offset)");
  f("size", &DmaTaskConfig::size, "bytes of the task's buffer (default: buffer.size)");
  f("mapped", &DmaTaskConfig::mapped,
    "for a device behind a SYSMMU: bytes of the buffer mapped, from its start (default: all); less makes the device "
    "fault on the rest, as after a driver that maps too little");
  f("job", &DmaTaskConfig::job, "the job over the buffer");
  f("jobs", &DmaTaskConfig::jobs, "times the driver runs the job, one after the other").range(1, 1 << 20);
  f("pacing", &DmaTaskConfig::pacing,
    "none; display: the job reads frames paced by a scan-out FIFO and counts underruns; camera: it writes frames "
    "as the pixels arrive and counts overflows (the frame shape comes from video)");
  f("video", &DmaTaskConfig::video, "the video stream of a display or camera task (frame size and count of presets)");
  f("preset", &DmaTaskConfig::preset,
    "none: run `job`; video-decoder, gpu, nic: run that master's access pattern (docs/devices.md) instead");
  f("preset_options", &DmaTaskConfig::preset_options, "parameters of the preset");
}

void IommuMappingConfig::describe(cfg::Fields<IommuMappingConfig>& f) {
  f("page_size", &IommuMappingConfig::page_size,
    "page size the buffers of devices behind a SYSMMU are mapped with: 4KiB, 64KiB or 1MiB");
  f("iova", &IommuMappingConfig::iova, "first IO virtual address of each device's mappings");
  f("tables", &IommuMappingConfig::tables,
    "physical offset from the DRAM base of the page tables (512 KiB per SYSMMU, in device order)");
  f("sysmmu", &IommuMappingConfig::sysmmu, "a SYSMMU configuration replacing the platform's for every device that has one");
}

PlatformConfig with_iommu_overrides(const PlatformConfig& platform, const IommuMappingConfig& iommu) {
  PlatformConfig p = platform;
  if (iommu.sysmmu)
    for (DeviceConfig& d : p.devices)
      if (d.sysmmu) d.sysmmu = *iommu.sysmmu;
  return p;
}

void validate_dma_tasks(const std::vector<DmaTaskConfig>& tasks, const IommuMappingConfig& iommu,
                        const PlatformConfig& platform, std::uint64_t default_offset, std::uint64_t default_size,
                        cfg::Validator& v) {
  const std::uint64_t page = iommu.page_size.bytes;
  std::uint64_t dram_size = 0;
  for (const auto& t : platform.interconnect.address_map.targets)
    if (t.name == platform.memory_target) dram_size = t.size.bytes;
  std::uint64_t mmus = 0;
  for (const auto& d : platform.devices) mmus += d.sysmmu.has_value();
  const std::uint64_t tables_end = iommu.tables.bytes + mmus * kTableArea;
  if (mmus && (iommu.tables.bytes % (16 * 1024) || tables_end > dram_size))
    v.fail("iommu.tables", "the page-table area must be 16 KiB aligned and inside the DRAM");
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const DmaTaskConfig& t = tasks[i];
    const std::string at = fmt::format("dma[{}]", i);
    const DeviceConfig* d = platform.find_device(t.device);
    if (d == nullptr) {
      std::string names;
      for (const auto& x : platform.devices) names += (names.empty() ? "" : ", ") + x.name;
      v.fail(at + ".device", fmt::format("the platform has no device named '{}' (devices: {})", t.device,
                                         names.empty() ? "none" : names));
    }
    if (t.core >= platform.core_count())
      v.fail(at + ".core", fmt::format("the platform has {} cores", platform.core_count()));
    const std::uint64_t offset = t.offset ? t.offset->bytes : default_offset;
    const std::uint64_t size = t.size ? t.size->bytes : default_size;
    if (size == 0 || size % 4096) v.fail(at + ".size", "the buffer size must be a non-zero multiple of 4 KiB");
    if (offset % 4096) v.fail(at + ".offset", "the buffer offset must be 4 KiB aligned");
    const std::uint64_t bytes = buffer_bytes(t, size);
    if (offset + bytes > dram_size)
      v.fail(at + ".size", fmt::format("the buffer ({} at offset {}) does not fit the DRAM ({})", units::format(ByteSize{bytes}),
                                       units::format(ByteSize{offset}), units::format(ByteSize{dram_size})));
    if (mmus && offset < tables_end && iommu.tables.bytes < offset + bytes)
      v.fail(at + ".offset", "the buffer overlaps the SYSMMU page-table area (iommu.tables)");
    if (t.pacing == PacingKind::Display && t.job.op != devices::DmaOp::Read)
      v.fail(at + ".job.op", "a display task reads its frame buffer: op must be read");
    if (t.pacing == PacingKind::Camera && t.job.op != devices::DmaOp::Write)
      v.fail(at + ".job.op", "a camera task writes its frame buffer: op must be write");
    if (t.preset != PresetKind::None) {
      if (t.pacing != PacingKind::None) v.fail(at + ".preset", "a preset is not paced: pacing must be none");
      const std::uint64_t need = preset_bytes(t.preset, t.preset_options, t.video);
      if (need > size)
        v.fail(at + ".size", fmt::format("the {} preset needs {} bytes of buffer, the task has {}",
                                         cfg::EnumNames<PresetKind>::names[static_cast<std::size_t>(t.preset)].second,
                                         need, size));
    }
    const devices::DmaJob job = make_job(t, 0, size);
    if (const char* p = devices::dma_job_problem(job)) v.fail(at + ".job", p);
    if (t.preset == PresetKind::None && job_extent(job) > size)
      v.fail(at + (t.pacing == PacingKind::None ? ".job.width" : ".video"),
             fmt::format("the job covers {} bytes but the buffer has {}", job_extent(job), size));
    if (d->sysmmu) {
      if (page != 4096 && page != 65536 && page != (1u << 20))
        v.fail("iommu.page_size", "the page size must be 4KiB, 64KiB or 1MiB");
      if (offset % page || bytes % page)
        v.fail(at + ".offset", fmt::format("a buffer mapped with {} pages must be aligned to and a multiple of them",
                                           units::format(iommu.page_size)));
      if (t.mapped && (t.mapped->bytes % page || t.mapped->bytes > bytes))
        v.fail(at + ".mapped", "the mapped bytes must be a multiple of the page size and at most the buffer's");
    }
  }
}

// ---- running --------------------------------------------------------------------------------

// Takes a device's SYSMMU faults while its tasks run (on the first task's core): aborts the
// faulting transaction, so a fault is a counted outcome instead of a device stalled for ever.
struct DmaTasks::FaultHandler {
  iommu::Sysmmu* sysmmu = nullptr;
  std::uint64_t regs = 0;
  unsigned core = 0;
  unsigned running = 0;  // tasks of the device still running
  std::uint64_t handled = 0;
};

struct DmaTasks::Task {
  DmaTaskConfig config;
  devices::DmaEngine* engine = nullptr;
  iommu::Sysmmu* sysmmu = nullptr;
  std::uint64_t regs = 0;  // ioremap address of the engine's registers
  std::vector<devices::DmaJob> jobs;  // run in order, config.jobs times
  std::unique_ptr<devices::DisplayScanout> display;
  std::unique_ptr<devices::CameraCapture> camera;
  devices::DmaPacing* pacing = nullptr;
  Picoseconds started = 0, finished = 0;
  std::vector<FaultHandler*> handlers;  // of its device's SYSMMUs
};

DmaTasks::DmaTasks(Soc& soc, const std::vector<DmaTaskConfig>& tasks, const IommuMappingConfig& iommu,
                   std::uint64_t default_offset, std::uint64_t default_size)
    : soc_(soc) {
  std::map<std::string, std::unique_ptr<iommu::PageTableBuilder>> tables;
  std::map<std::string, std::uint64_t> next_iova;
  std::uint64_t mmu_index = 0;
  for (const DeviceConfig& d : soc.config().devices) {
    if (!d.sysmmu) continue;
    const std::uint64_t lv1 = soc.dram_base() + iommu.tables.bytes + mmu_index++ * kTableArea;
    tables[d.name] = std::make_unique<iommu::PageTableBuilder>(soc.memory(), d.sysmmu->version, lv1, lv1 + 16 * 1024,
                                                               kTableArea - 16 * 1024);
    next_iova[d.name] = iommu.iova.value;
  }
  for (const DmaTaskConfig& c : tasks) {
    auto t = std::make_unique<Task>();
    t->config = c;
    t->engine = soc.device(c.device);
    t->sysmmu = soc.sysmmu(c.device);
    if (t->engine == nullptr) throw UserError(fmt::format("the platform has no device named '{}'", c.device));
    t->regs = *soc.io_va(c.device);
    const std::uint64_t size = c.size ? c.size->bytes : default_size;
    const std::uint64_t pa = soc.dram_base() + (c.offset ? c.offset->bytes : default_offset);
    std::uint64_t bus = pa;
    if (t->sysmmu != nullptr) {
      const std::uint64_t page = iommu.page_size.bytes;
      bus = next_iova[c.device];
      const std::uint64_t mapped = c.mapped ? c.mapped->bytes : buffer_bytes(c, size);
      if (mapped) tables[c.device]->map(bus, pa, mapped, page, iommu::Access::ReadWrite);
      next_iova[c.device] = (bus + buffer_bytes(c, size) + page - 1) / page * page;
    }
    if (c.preset == PresetKind::None) t->jobs.push_back(make_job(c, bus, size));
    else t->jobs = preset_jobs(c.preset, c.preset_options, c.video, bus, c.job.coherent);
    const std::string group = fmt::format("soc.{}", c.device);
    if (c.pacing == PacingKind::Display) {
      t->display = std::make_unique<devices::DisplayScanout>(c.video, stats::Group(soc.stats(), group + ".display"));
      t->pacing = t->display.get();
    } else if (c.pacing == PacingKind::Camera) {
      t->camera = std::make_unique<devices::CameraCapture>(c.video, stats::Group(soc.stats(), group + ".camera"));
      t->pacing = t->camera.get();
    }
    if (c.programming == Programming::Mmio && t->pacing != nullptr) t->engine->set_register_pacing(t->pacing);
    auto handle = [&](iommu::Sysmmu* mmu, const std::string& regs) {
      FaultHandler* handler = nullptr;
      for (auto& h : handlers_)
        if (h->sysmmu == mmu) handler = h.get();
      if (handler == nullptr) {
        handlers_.push_back(std::make_unique<FaultHandler>());
        handler = handlers_.back().get();
        handler->sysmmu = mmu;
        handler->regs = *soc.io_va(regs);
        handler->core = c.core;
      }
      ++handler->running;
      t->handlers.push_back(handler);
    };
    if (t->sysmmu != nullptr) handle(t->sysmmu, c.device + "_sysmmu");
    if (iommu::Sysmmu* w = soc.write_sysmmu(c.device)) handle(w, c.device + "_sysmmu_w");
    tasks_.push_back(std::move(t));
  }
  // Only the SYSMMUs of devices with tasks translate; the others stay disabled (bypass) for the
  // scenario's drivers, which attach the devices they want to an IOMMU domain themselves.
  for (const auto& [name, builder] : tables) {
    const bool used = std::any_of(tasks.begin(), tasks.end(), [&](const DmaTaskConfig& c) { return c.device == name; });
    if (!used) continue;
    soc.sysmmu(name)->enable_at_reset(builder->lv1());
    if (iommu::Sysmmu* w = soc.write_sysmmu(name)) w->enable_at_reset(builder->lv1());  // one domain
  }
}

DmaTasks::~DmaTasks() = default;

void DmaTasks::start() {
  for (auto& owned : tasks_) {
    Task* t = owned.get();
    soc_.start(
        t->config.core,
        [t](cpu::Core& c) {
          t->started = c.now();
          for (unsigned n = 0; n < t->config.jobs; ++n) {
            for (const devices::DmaJob& job : t->jobs) {
              if (t->config.programming == Programming::Mmio) {
                sw::dma_start_job(c, t->regs, job);
                sw::dma_wait_irq(c, t->regs, t->engine->irq());
              } else {
                const std::uint64_t before = t->engine->jobs_done();
                t->engine->submit(job, t->pacing, c.now());
                while (t->engine->jobs_done() == before) c.wait(t->engine->job_done_event());
              }
            }
          }
          t->finished = c.now();
          for (FaultHandler* h : t->handlers)
            if (--h->running == 0) h->sysmmu->irq().event().notify();
        },
        "dma " + t->config.device);
  }
  for (auto& owned : handlers_) {
    FaultHandler* h = owned.get();
    soc_.start(
        h->core,
        [h](cpu::Core& c) {
          InterruptLine& irq = h->sysmmu->irq();
          for (;;) {
            while (!irq.pending() && h->running > 0) c.wait(irq.event());
            if (!irq.pending()) return;  // its tasks are done
            sw::sysmmu_handle_fault(c, h->regs, h->sysmmu->register_file().layout());
            ++h->handled;
          }
        },
        "sysmmu fault handler");
  }
}

void DmaTasks::summarise(std::vector<std::pair<std::string, std::string>>& columns) const {
  const stats::Registry& r = soc_.stats();
  for (const auto& t : tasks_) {
    const std::string& dev = t->config.device;
    const std::string g = "soc." + dev + ".";
    auto col = [&](const std::string& name, std::string value) { columns.emplace_back(dev + "_" + name, std::move(value)); };
    const double bytes = r.number(g + "bytes_read") + r.number(g + "bytes_written");
    const double ns = static_cast<double>(t->finished - t->started) / 1000.0;
    col("bytes", fmt::format("{:.0f}", bytes));
    col("ns", fmt::format("{:.3f}", ns));
    col("mb_s", fmt::format("{:.1f}", ns > 0 ? bytes / ns * 1000.0 : 0.0));
    col("errors", fmt::format("{:.0f}", r.number(g + "errors")));
    if (t->sysmmu != nullptr) {
      // Summed over the device's SYSMMUs (a write port has its own, "sysmmu_w").
      auto both = [&](const std::string& leaf) { return r.number(g + "sysmmu." + leaf) + r.number(g + "sysmmu_w." + leaf); };
      double faults = 0;
      for (const char* kind : {"page", "permission", "multi_hit", "bus_error"}) faults += both(std::string("faults.") + kind);
      col("faults", fmt::format("{:.0f}", faults));
      col("walks", fmt::format("{:.0f}", both("walks")));
      col("tlb_misses", fmt::format("{:.0f}", both("tlb.misses")));
    }
    if (t->display) col("underruns", fmt::format("{}", t->display->underruns()));
    if (t->camera) col("overflows", fmt::format("{}", t->camera->overflows()));
  }
}

}  // namespace dmasim::platform
