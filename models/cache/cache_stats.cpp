#include "models/cache/cache_stats.h"

namespace dmasim::cache {

CacheStats::CacheStats(stats::Group g)
    : read_hits(g.counter("read_hits", "accesses", "reads that hit")),
      read_misses(g.counter("read_misses", "accesses", "reads that missed")),
      write_hits(g.counter("write_hits", "accesses", "writes that hit a Modified or Exclusive line")),
      write_misses(g.counter("write_misses", "accesses", "writes that missed")),
      upgrades(g.counter("upgrades", "accesses", "writes that hit a Shared or Owned line (ownership needed)")),
      fills(g.counter("fills", "lines", "lines allocated")),
      evictions(g.counter("evictions", "lines", "valid lines replaced by a fill")),
      dirty_evictions(g.counter("dirty_evictions", "lines", "evicted lines that were dirty")),
      writebacks(g.counter("writebacks", "lines", "lines written back (dirty evictions and cleans)")),
      lost_dirty(g.counter("lost_dirty", "lines", "dirty lines dropped by an invalidate")),
      snoops_received(g.counter("snoops_received", "snoops", "snoop requests received")) {
  stats::Group m = g.group("maintenance");
  auto reg = [&](MaintStat kind, const char* name, const char* doc) {
    maintenance[static_cast<std::size_t>(kind)] = &m.counter(name, "operations", doc);
  };
  reg(MaintStat::CleanPa, "clean_pa", "clean by physical address (DC CVAC, CLEAN_LINE_PA)");
  reg(MaintStat::InvPa, "inv_pa", "invalidate by physical address (DC IVAC, INV_LINE_PA)");
  reg(MaintStat::CleanInvPa, "clean_inv_pa", "clean and invalidate by physical address (DC CIVAC, CLEAN_INV_LINE_PA)");
  reg(MaintStat::CleanSetWay, "clean_sw", "clean by set/way (DC CSW)");
  reg(MaintStat::InvSetWay, "inv_sw", "invalidate by set/way (DC ISW)");
  reg(MaintStat::CleanInvSetWay, "clean_inv_sw", "clean and invalidate by set/way (DC CISW)");
  reg(MaintStat::CleanWay, "clean_way", "clean by way (CLEAN_WAY)");
  reg(MaintStat::InvWay, "inv_way", "invalidate by way (INV_WAY)");
  reg(MaintStat::CleanInvWay, "clean_inv_way", "clean and invalidate by way (CLEAN_INV_WAY)");
}

}  // namespace dmasim::cache
