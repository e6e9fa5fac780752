#include "models/common/clock_spec.h"

#include <fmt/format.h>

#include "models/common/config/units.h"

namespace dmasim {

Picoseconds ClockSpec::period_ps() const {
  if (period) return period->ps;
  if (frequency && frequency->hz != 0) return (Picoseconds{1'000'000'000'000} + frequency->hz / 2) / frequency->hz;
  return 0;
}

}  // namespace dmasim

namespace dmasim::cfg {

ClockSpec Codec<ClockSpec>::read(const Node& n, const std::string& path) {
  const std::string text = expect_scalar(n, path, "a frequency or a period");
  if (const auto f = units::parse_frequency(text)) return ClockSpec::from_frequency(*f);
  if (const auto d = units::parse_duration(text)) return ClockSpec::from_period(*d);
  fail(n, path, fmt::format("expected a frequency (e.g. 533MHz) or a period (e.g. 1.876ns), got '{}'", text));
}

Node Codec<ClockSpec>::write(const ClockSpec& c) {
  if (c.frequency) return Node::scalar(units::format(*c.frequency));
  if (c.period) return Node::scalar(units::format(*c.period));
  return Node{};
}

}  // namespace dmasim::cfg
