#include "models/interconnect/address_map.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <limits>

#include "models/common/error.h"

namespace dmasim::interconnect {

std::string format_address(std::uint64_t a) { return fmt::format("{:#x}", a); }

namespace {

std::optional<std::string> target_problem(const TargetConfig& t) {
  if (t.name.empty()) return "a target needs a name";
  if (t.size.bytes == 0) return fmt::format("target '{}' has size zero", t.name);
  if (t.size.bytes - 1 > std::numeric_limits<std::uint64_t>::max() - t.base.value)
    return fmt::format("target '{}' at {} with size {} runs past the end of the 64-bit address space", t.name,
                       format_address(t.base.value), units::format(t.size));
  return std::nullopt;
}

std::string range_text(const TargetConfig& t) {
  return fmt::format("[{}, {}]", format_address(t.base.value), format_address(t.last()));
}

}  // namespace

void TargetConfig::describe(cfg::Fields<TargetConfig>& f) {
  f("name", &TargetConfig::name, "the target's name (unique in the map); the platform binds a socket to it")
      .required();
  f("kind", &TargetConfig::kind,
    "memory: DRAM or on-chip RAM, the point of coherency (address rebased to the target, read versions from "
    "memory, writes published there); registers: a device's register block (MMIO, address rebased); next: a "
    "cache or another crossbar below (address forwarded unchanged, not the point of coherency)");
  f("base", &TargetConfig::base, "first physical address of the range").required();
  f("size", &TargetConfig::size, "length of the range").required();
}

void TargetConfig::validate(cfg::Validator& v) const {
  if (const auto p = target_problem(*this)) v.fail(size.bytes == 0 ? "size" : name.empty() ? "name" : "base", *p);
}

void AddressMapConfig::describe(cfg::Fields<AddressMapConfig>& f) {
  f("targets", &AddressMapConfig::targets,
    "address ranges and the target each routes to; ranges must not overlap, and an access must lie inside one "
    "range (else a decode error)")
      .required();
  f("alignment", &AddressMapConfig::alignment,
    "every base and size must be a multiple of it (a power of two; 4KiB: the page size)");
}

std::optional<AddressMapConfig::Problem> AddressMapConfig::problem() const {
  if (!std::has_single_bit(alignment.bytes))
    return Problem{"alignment",
                   fmt::format("alignment must be a power of two, got {}", units::format(alignment))};
  if (targets.empty()) return Problem{"targets", "the address map needs at least one target"};
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const TargetConfig& t = targets[i];
    const std::string at = fmt::format("targets[{}]", i);
    if (const auto p = target_problem(t)) return Problem{at, *p};
    if (t.base.value % alignment.bytes != 0)
      return Problem{at + ".base", fmt::format("base {} of target '{}' is not a multiple of the alignment {}",
                                               format_address(t.base.value), t.name, units::format(alignment))};
    if (t.size.bytes % alignment.bytes != 0)
      return Problem{at + ".size", fmt::format("size {} of target '{}' is not a multiple of the alignment {}",
                                               units::format(t.size), t.name, units::format(alignment))};
    for (std::size_t j = 0; j < i; ++j)
      if (targets[j].name == t.name)
        return Problem{"targets", fmt::format("target name '{}' is used twice (targets[{}] and targets[{}])", t.name,
                                              j, i)};
  }
  // Overlaps: sorted by base, a range overlapping any other overlaps its successor or one
  // before it that reaches furthest; report the pair in configuration order.
  std::vector<std::size_t> order(targets.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return targets[a].base.value < targets[b].base.value; });
  std::size_t reach = order[0];  // the range seen so far that ends last
  for (std::size_t k = 1; k < order.size(); ++k) {
    const std::size_t cur = order[k];
    if (targets[cur].base.value <= targets[reach].last()) {
      const std::size_t a = std::min(cur, reach), b = std::max(cur, reach);
      return Problem{"targets", fmt::format("targets[{}] '{}' {} and targets[{}] '{}' {} overlap", a, targets[a].name,
                                            range_text(targets[a]), b, targets[b].name, range_text(targets[b]))};
    }
    if (targets[cur].last() > targets[reach].last()) reach = cur;
  }
  return std::nullopt;
}

void AddressMapConfig::validate(cfg::Validator& v) const { cfg::report(problem(), v); }

void AddressMapConfig::check() const { cfg::raise(problem(), "address map"); }

AddressMap::AddressMap(const AddressMapConfig& config) : targets_(config.targets) {
  config.check();
  sorted_.reserve(targets_.size());
  for (unsigned i = 0; i < targets_.size(); ++i) sorted_.push_back(Range{targets_[i].base.value, targets_[i].last(), i});
  std::sort(sorted_.begin(), sorted_.end(), [](const Range& a, const Range& b) { return a.base < b.base; });
}

Decode AddressMap::lookup(std::uint64_t address, std::uint64_t length) const {
  const std::uint64_t span = length == 0 ? 0 : length - 1;
  const auto decode_in = [&](const Range& r) {
    Decode d;
    d.target = r.target;
    // The last byte must be in the same range (no wrap past 2^64 either).
    if (span > r.last - address) {
      d.status = Decode::Status::Straddles;
      return d;
    }
    d.status = Decode::Status::Ok;
    d.offset = address - r.base;
    return d;
  };
  const Range& hit = sorted_[last_];
  if (address >= hit.base && address <= hit.last) return decode_in(hit);
  // The first range whose base is above the address; the one before it is the candidate.
  const auto it = std::upper_bound(sorted_.begin(), sorted_.end(), address,
                                   [](std::uint64_t a, const Range& r) { return a < r.base; });
  if (it == sorted_.begin()) return Decode{};
  const auto cand = std::prev(it);
  if (address > cand->last) return Decode{};
  last_ = static_cast<std::size_t>(cand - sorted_.begin());
  return decode_in(*cand);
}

std::string AddressMap::explain(const Decode& d, std::uint64_t address, std::uint64_t length) const {
  switch (d.status) {
    case Decode::Status::Ok:
      return fmt::format("{} (+{} bytes) is at offset {} of '{}'", format_address(address), length,
                         format_address(d.offset), targets_[d.target].name);
    case Decode::Status::Unmapped:
      return fmt::format("decode error: {} is in no target of the address map", format_address(address));
    case Decode::Status::Straddles:
      return fmt::format("decode error: {} bytes at {} run past the end of '{}' {}", length, format_address(address),
                         targets_[d.target].name, range_text(targets_[d.target]));
  }
  return {};
}

std::optional<unsigned> AddressMap::find(std::string_view name) const {
  for (unsigned i = 0; i < targets_.size(); ++i)
    if (targets_[i].name == name) return i;
  return std::nullopt;
}

}  // namespace dmasim::interconnect

namespace dmasim::cfg {

interconnect::Address Codec<interconnect::Address>::read(const Node& n, const std::string& path) {
  const std::string text = expect_scalar(n, path, "an address");
  if (const auto v = units::parse_unsigned(text)) return interconnect::Address{*v};
  if (const auto s = units::parse_size(text)) return interconnect::Address{s->bytes};
  fail(n, path, fmt::format("expected an address (e.g. 0x40000000 or 1GiB), got '{}'", text));
}

}  // namespace dmasim::cfg
