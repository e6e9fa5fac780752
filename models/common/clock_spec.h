#pragma once
// A clock as configuration gives it: a frequency ("1.4GHz") or a period ("1.876ns"). Every
// model's YAML `clock` key is one of these; the platform turns it into a ClockDomain.
#include <optional>
#include <string>
#include <string_view>

#include "models/common/clock_domain.h"
#include "models/common/config/schema.h"
#include "models/common/sim_time.h"

namespace dmasim {

struct ClockSpec {
  std::optional<Frequency> frequency;  // exactly one of the two is set
  std::optional<Duration> period;

  static ClockSpec from_frequency(Frequency f) { return ClockSpec{f, std::nullopt}; }
  static ClockSpec from_period(Duration d) { return ClockSpec{std::nullopt, d}; }
  // The period in picoseconds; a frequency is rounded to the nearest picosecond (533 MHz ->
  // 1876 ps), since every model counts whole picoseconds. 0 when neither is set or zero.
  Picoseconds period_ps() const;
  ClockDomain domain(std::string name) const { return ClockDomain{std::move(name), period_ps()}; }
};

}  // namespace dmasim

namespace dmasim::cfg {

template <>
struct Codec<ClockSpec> {
  static constexpr std::string_view type_name = "frequency or period (e.g. 533MHz, 1.876ns)";
  static ClockSpec read(const Node& n, const std::string& path);
  static Node write(const ClockSpec& c);
};

}  // namespace dmasim::cfg
