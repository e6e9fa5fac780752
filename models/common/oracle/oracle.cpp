#include "models/common/oracle/oracle.h"

#include <algorithm>
#include <cassert>
#include <ostream>
#include <sstream>
#include <utility>

#include "models/common/error.h"

namespace dmasim::oracle {

std::string_view to_string(ViolationKind kind) {
  switch (kind) {
    case ViolationKind::DeviceReadStale: return "device_read_stale";
    case ViolationKind::CpuStaleAfterDma: return "cpu_stale_after_dma";
    case ViolationKind::StaleWriteback: return "stale_writeback";
    case ViolationKind::StaleRead: return "stale_read";
  }
  return "unknown";
}

std::string_view to_string(AgentKind kind) {
  switch (kind) {
    case AgentKind::Cpu: return "cpu";
    case AgentKind::Device: return "device";
  }
  return "unknown";
}

std::string_view to_string(Scope scope) {
  switch (scope) {
    case Scope::Writer: return "writer";
    case Scope::Domain: return "domain";
    case Scope::PoC: return "poc";
  }
  return "unknown";
}

namespace {

constexpr std::array<ViolationKind, kViolationKinds> kAllKinds = {
    ViolationKind::DeviceReadStale, ViolationKind::CpuStaleAfterDma,
    ViolationKind::StaleWriteback, ViolationKind::StaleRead};

std::string_view kind_text(ViolationKind kind) {
  switch (kind) {
    case ViolationKind::DeviceReadStale:
      return "device read stale data: the newest data is only in a CPU cache or store buffer "
             "(missing dma_sync_*_for_device / clean)";
    case ViolationKind::CpuStaleAfterDma:
      return "stale cached line after DMA: CPU read older data than the device wrote to memory "
             "(missing invalidate / dma_sync_*_for_cpu)";
    case ViolationKind::StaleWriteback:
      return "older data written back over newer data at the point of coherency (dirty CPU "
             "line not invalidated before DMA, or a cache line shared by CPU and device)";
    case ViolationKind::StaleRead:
      return "read returned stale data (coherence violation)";
  }
  return "unknown violation";
}

std::string hex(Address a) {
  std::ostringstream s;
  s << "0x" << std::hex << a;
  return s.str();
}

}  // namespace

Oracle::Oracle(Config config) : config_(config) {
  if (config_.line_bytes != 32 && config_.line_bytes != 64) {
    throw UserError("oracle: line size must be 32 or 64 bytes, got " +
                    std::to_string(config_.line_bytes));
  }
  for (std::size_t i = 0; i < kViolationKinds; ++i) c_by_kind_[i] = &own_.by_kind[i];
}

void Oracle::attach_stats(stats::Group group) {
  auto redirect = [](stats::Counter*& ptr, stats::Counter& target) {
    target.inc(ptr->value());
    ptr = &target;
  };
  redirect(c_writes_, group.counter("writes", "versions", "line versions created by writes"));
  redirect(c_publishes_, group.counter("publishes", "events",
                                   "versions made visible to a domain or at the PoC"));
  redirect(c_reads_, group.counter("reads_checked", "lines", "line reads checked"));
  redirect(c_violations_, group.counter("violations", "violations", "coherence violations, all kinds"));
  redirect(c_history_misses_,
       group.counter("history_misses", "checks",
                     "checks relaxed because several publications raced with the read"));
  redirect(c_lines_, group.counter("lines_tracked", "lines", "lines with oracle state (written)"));
  stats::Group kinds = group.group("violations_by_kind");
  for (std::size_t i = 0; i < kViolationKinds; ++i) {
    redirect(c_by_kind_[i], kinds.counter(to_string(kAllKinds[i]), "violations", kind_text(kAllKinds[i])));
  }
}

DomainId Oracle::add_domain(std::string name) {
  domains_.push_back(std::move(name));
  return static_cast<DomainId>(domains_.size() - 1);
}

AgentId Oracle::register_agent(std::string name, DomainId domain, AgentKind kind) {
  if (domain == kPrivateDomain) {
    domain = add_domain(name);
  } else {
    assert(domain < domains_.size() && "register_agent: unknown domain");
  }
  agents_.push_back(Agent{std::move(name), domain, kind});
  return static_cast<AgentId>(agents_.size() - 1);
}

std::size_t Oracle::lines_covered(Address address, std::uint64_t bytes) const {
  if (bytes == 0) return 0;
  return static_cast<std::size_t>((line_of(address + bytes - 1) - line_of(address)) /
                                  config_.line_bytes) + 1;
}

Oracle::LineState* Oracle::find(Address line) {
  auto it = lines_.find(line);
  return it == lines_.end() ? nullptr : &it->second;
}

const Oracle::LineState* Oracle::find(Address line) const {
  auto it = lines_.find(line);
  return it == lines_.end() ? nullptr : &it->second;
}

Oracle::LineState& Oracle::touch(Address line) {
  auto [it, inserted] = lines_.try_emplace(line);
  if (inserted) c_lines_->inc();
  return it->second;
}

const WriteInfo* Oracle::record_of(const LineState& s, Version v) {
  for (const WriteInfo& w : s.writes) {
    if (w.version == v && w.writer != kNoAgent) return &w;
  }
  return nullptr;
}

WriteInfo Oracle::info_of(const LineState& s, Version v) const {
  if (const WriteInfo* w = record_of(s, v)) return *w;
  WriteInfo unknown;
  unknown.version = v;
  return unknown;
}

const Oracle::Visible* Oracle::as_of(const std::array<Visible, 2>& h, Picoseconds t,
                                     bool filter_domain, DomainId domain, bool& unknown) {
  bool skipped_late = false;
  for (const Visible& e : h) {
    if (e.version == kInitialVersion) return nullptr;  // no older entries
    if (filter_domain && e.domain != domain) continue;
    if (e.time > t) {
      skipped_late = true;
      continue;
    }
    return &e;
  }
  // Ran out of history: an entry older than h[1], visible at t, may have been forgotten.
  if (skipped_late) unknown = true;
  return nullptr;
}

void Oracle::push(std::array<Visible, 2>& h, Visible v) {
  h[1] = h[0];
  h[0] = v;
}

Version Oracle::write(AgentId agent, Address address, Picoseconds time, std::uint64_t cycle,
                      Scope visible) {
  if (!config_.enabled) return kInitialVersion;
  assert(agent < agents_.size() && "write: unknown agent");
  const Version v = next_version_++;
  LineState& s = touch(line_of(address));
  s.head = static_cast<std::uint8_t>((s.head + 1) % kHistory);
  s.writes[s.head] = WriteInfo{v, agent, time, cycle};
  c_writes_->inc();
  if (visible != Scope::Writer) publish(address, v, time, visible);
  return v;
}

void Oracle::publish(Address address, Version version, Picoseconds time, Scope scope) {
  if (!config_.enabled || scope == Scope::Writer || version == kInitialVersion) return;
  const Address line = line_of(address);
  LineState* s = find(line);
  assert(s != nullptr && "publish: version of a line never written");
  if (s == nullptr) return;
  c_publishes_->inc();
  if (scope == Scope::Domain) {
    const WriteInfo* w = record_of(*s, version);
    if (w == nullptr) return;  // older than the remembered history: superseded anyway
    if (version > s->dom[0].version) push(s->dom, Visible{version, time, agents_[w->writer].domain});
    return;
  }
  s->memory = version;
  if (version > s->poc[0].version) {
    push(s->poc, Visible{version, time, kPrivateDomain});
  } else if (version < s->poc[0].version) {
    Violation v;
    v.kind = ViolationKind::StaleWriteback;
    v.address = line;
    v.line = line;
    v.time = time;
    v.got = info_of(*s, version);
    v.expected = info_of(*s, s->poc[0].version);
    record(v);
  }
}

void Oracle::read(AgentId reader, Address address, Version got, Picoseconds issued_at,
                  std::uint64_t cycle) {
  if (!config_.enabled) return;
  assert(reader < agents_.size() && "read: unknown agent");
  c_reads_->inc();
  const Address line = line_of(address);
  const LineState* s = find(line);
  if (s == nullptr) {
    assert(got == kInitialVersion && "read: a version of a line never written");
    return;
  }
  assert(got <= s->writes[s->head].version && "read: a version never written to this line");
  const Agent& a = agents_[reader];

  // The newest version this reader must see: at the PoC, in its domain, or its own (program
  // order, CPUs only), each as of the issue time.
  bool poc_unknown = false;
  bool unknown = false;
  Version required = kInitialVersion;
  const Visible* poc = as_of(s->poc, issued_at, false, 0, poc_unknown);
  if (poc != nullptr) required = poc->version;
  if (const Visible* d = as_of(s->dom, issued_at, true, a.domain, unknown)) {
    required = std::max(required, d->version);
  }
  if (a.kind == AgentKind::Cpu) {
    for (const WriteInfo& w : s->writes) {
      if (w.writer == reader && w.time <= issued_at) required = std::max(required, w.version);
    }
  }
  if (unknown || poc_unknown) c_history_misses_->inc();

  Violation v;
  v.address = address;
  v.line = line;
  v.reader = reader;
  v.time = issued_at;
  v.cycle = cycle;
  if (got < required) {
    v.expected = info_of(*s, required);
    const bool by_device = v.expected.writer != kNoAgent &&
                           agents_[v.expected.writer].kind == AgentKind::Device;
    v.kind = (a.kind == AgentKind::Cpu && by_device) ? ViolationKind::CpuStaleAfterDma
                                                     : ViolationKind::StaleRead;
    v.got = info_of(*s, got);
    record(v);
    return;
  }
  if (poc_unknown) return;  // cannot tell what was at the PoC at issue time: stay lenient

  // The newest CPU write from another domain, made before the read was issued and still not
  // at the PoC then: its data sits in a cache or store buffer the reader cannot see.
  const WriteInfo* hazard = nullptr;
  for (const WriteInfo& w : s->writes) {
    if (w.writer == kNoAgent || w.version <= got || w.time > issued_at) continue;
    const Agent& writer = agents_[w.writer];
    if (writer.kind != AgentKind::Cpu || writer.domain == a.domain) continue;
    if (poc != nullptr && w.version <= poc->version) continue;  // was at the PoC in time
    if (hazard == nullptr || w.version > hazard->version) hazard = &w;
  }
  if (hazard != nullptr) {
    v.kind = a.kind == AgentKind::Device ? ViolationKind::DeviceReadStale : ViolationKind::StaleRead;
    v.got = info_of(*s, got);
    v.expected = *hazard;
    v.expected_published = false;
    record(v);
  }
}

void Oracle::write_range(AgentId agent, Address address, std::uint64_t bytes, Picoseconds time,
                         std::span<Version> out, std::uint64_t cycle, Scope visible) {
  const std::size_t n = lines_covered(address, bytes);
  assert(out.size() == n && "write_range: one version per line covered");
  const Address first = line_of(address);
  for (std::size_t i = 0; i < n && i < out.size(); ++i) {
    out[i] = write(agent, first + i * config_.line_bytes, time, cycle, visible);
  }
}

void Oracle::publish_range(Address address, std::uint64_t bytes, std::span<const Version> versions,
                           Picoseconds time, Scope scope) {
  const std::size_t n = lines_covered(address, bytes);
  assert(versions.size() == n && "publish_range: one version per line covered");
  const Address first = line_of(address);
  for (std::size_t i = 0; i < n && i < versions.size(); ++i) {
    publish(first + i * config_.line_bytes, versions[i], time, scope);
  }
}

void Oracle::read_range(AgentId reader, Address address, std::uint64_t bytes,
                        std::span<const Version> got, Picoseconds issued_at, std::uint64_t cycle) {
  const std::size_t n = lines_covered(address, bytes);
  assert(got.size() == n && "read_range: one version per line covered");
  const Address first = line_of(address);
  for (std::size_t i = 0; i < n && i < got.size(); ++i) {
    // The first line is reported with the address asked for, the others from their start.
    read(reader, i == 0 ? address : first + i * config_.line_bytes, got[i], issued_at, cycle);
  }
}

Version Oracle::memory_version(Address address) const {
  const LineState* s = find(line_of(address));
  return s == nullptr ? kInitialVersion : s->memory;
}

Version Oracle::newest_version(Address address) const {
  const LineState* s = find(line_of(address));
  return s == nullptr ? kInitialVersion : s->writes[s->head].version;
}

const std::string& Oracle::agent_name(AgentId id) const { return agents_.at(id).name; }

std::uint64_t Oracle::violation_count(ViolationKind kind) const {
  return c_by_kind_[static_cast<std::size_t>(kind)]->value();
}

void Oracle::record(Violation v) {
  v.seq = c_violations_->value();
  c_violations_->inc();
  c_by_kind_[static_cast<std::size_t>(v.kind)]->inc();
  if (violations_.size() < config_.max_recorded) violations_.push_back(v);
}

std::string Oracle::who(AgentId id) const {
  if (id == kNoAgent || id >= agents_.size()) return "(unknown)";
  return agents_[id].name;
}

std::string Oracle::describe_version(const WriteInfo& w) const {
  std::ostringstream s;
  s << "version " << w.version;
  if (w.version == kInitialVersion) {
    s << " (initial contents)";
  } else if (w.writer == kNoAgent) {
    s << " (writer no longer remembered)";
  } else {
    s << " written by " << who(w.writer) << " at " << w.time << " ps";
    if (w.cycle != kNoCycle) s << " (cycle " << w.cycle << ")";
  }
  return s.str();
}

std::string Oracle::message(const Violation& v) const {
  std::ostringstream s;
  s << "dmasim-oracle: " << (v.reader == kNoAgent ? std::string("memory") : who(v.reader)) << ": "
    << kind_text(v.kind) << " [address=" << hex(v.address) << "] [line=" << hex(v.line)
    << " size=" << config_.line_bytes << "]";
  if (v.kind == ViolationKind::StaleWriteback) {
    s << " [written back=" << describe_version(v.got) << "] [memory held="
      << describe_version(v.expected) << "]";
  } else {
    s << " [read=" << describe_version(v.got) << "] [newest="
      << describe_version(v.expected)
      << (v.expected_published ? "" : ", not at the point of coherency") << "]";
  }
  return s.str();
}

void Oracle::write_report(std::ostream& out) const {
  std::vector<const Violation*> order;
  order.reserve(violations_.size());
  for (const Violation& v : violations_) order.push_back(&v);
  std::sort(order.begin(), order.end(), [](const Violation* a, const Violation* b) {
    if (a->time != b->time) return a->time < b->time;
    if (a->line != b->line) return a->line < b->line;
    return a->seq < b->seq;
  });

  out << "# dmasim data-version oracle: coherence violations\n";
  out << "# oracle: " << (config_.enabled ? "enabled" : "disabled") << ", line size "
      << config_.line_bytes << " B\n";
  out << "# violations: " << violation_count() << " total, " << violations_.size() << " listed";
  if (violations_.size() < violation_count()) out << " (the first " << violations_.size() << ")";
  out << "\n# by kind:";
  for (ViolationKind k : kAllKinds) out << " " << to_string(k) << "=" << violation_count(k);
  out << "\n";

  for (const Violation* p : order) {
    const Violation& v = *p;
    out << "\nviolation " << (v.seq + 1) << " [" << to_string(v.kind) << "]\n";
    out << "  message:  " << message(v) << "\n";
    if (v.kind == ViolationKind::StaleWriteback) {
      out << "  at:       arrival at the point of coherency at " << v.time << " ps\n";
      out << "  address:  " << hex(v.address) << "\n";
      out << "  written:  " << describe_version(v.got) << "\n";
      out << "  replaced: " << describe_version(v.expected) << "\n";
      continue;
    }
    const Agent& r = agents_[v.reader];
    out << "  reader:   " << r.name << " (" << to_string(r.kind) << ", domain "
        << domains_[r.domain] << "), read issued at " << v.time << " ps";
    if (v.cycle != kNoCycle) out << " (cycle " << v.cycle << ")";
    out << "\n";
    out << "  address:  " << hex(v.address) << " (line " << hex(v.line) << ")\n";
    out << "  obtained: " << describe_version(v.got) << "\n";
    out << "  expected: " << describe_version(v.expected);
    if (!v.expected_published) out << "; not at the point of coherency when the read was issued";
    out << "\n";
  }
}

}  // namespace dmasim::oracle
