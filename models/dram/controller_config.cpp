#include "models/dram/controller_config.h"

#include <fmt/format.h>

namespace dmasim::dram {

void ControllerConfig::describe(cfg::Fields<ControllerConfig>& f) {
  f("scheduler", &ControllerConfig::scheduler,
    "fcfs: each bank serves its requests in arrival order; frfcfs: row hits first (across banks both pick the "
    "command legal earliest, then column commands, then the oldest)");
  f("page_policy", &ControllerConfig::page_policy,
    "open: rows stay open until a conflict or refresh; closed: auto-precharge after every access; "
    "open-adaptive: close when no queued request hits the row but one to another row waits; closed-adaptive: "
    "close unless a queued request hits the row");
  f("read_queue", &ControllerConfig::read_queue, "read queue entries").range(1, 1024);
  f("write_queue", &ControllerConfig::write_queue, "write queue entries").range(1, 1024);
  f("rw_grouping", &ControllerConfig::rw_grouping, "serve reads and writes in groups (write drain on watermarks)");
  f("write_high_watermark", &ControllerConfig::write_high_watermark,
    "writes queued that start a write drain (at most write_queue)")
      .min(1);
  f("write_low_watermark", &ControllerConfig::write_low_watermark,
    "writes queued at which a drain stops (below the high watermark)");
  f("refresh", &ControllerConfig::refresh,
    "all-bank: REF to each rank every tREFI; per-bank: REFpb every tREFIpb (memspecs with tRFCpb and "
    "tREFIpb); none");
  f("frontend_latency", &ControllerConfig::frontend_latency,
    "cycles from arrival to the first possible command; also the latency of a read served from the write "
    "queue")
      .range(0, 1000);
  f("check_commands", &ControllerConfig::check_commands, "check every command with the independent checker");
}

void ControllerConfig::validate(cfg::Validator& v) const {
  if (write_high_watermark > write_queue)
    v.fail("write_high_watermark", fmt::format("high watermark {} exceeds the write queue depth {}",
                                               write_high_watermark, write_queue));
  if (write_low_watermark >= write_high_watermark)
    v.fail("write_low_watermark", fmt::format("low watermark {} must be below the high watermark {}",
                                              write_low_watermark, write_high_watermark));
}

}  // namespace dmasim::dram
