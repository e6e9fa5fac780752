#include "models/interconnect/interconnect_config.h"

#include <fmt/format.h>

#include <bit>

#include "models/common/error.h"

namespace dmasim::interconnect {

void PortConfig::describe(cfg::Fields<PortConfig>& f) {
  f("name", &PortConfig::name, "the port's name (unique); the platform binds a master's socket to it").required();
  f("kind", &PortConfig::kind,
    "ace: a CPU cluster, snooped; ace-lite: an IO-coherent master whose reads snoop the ACE ports and take dirty "
    "data and whose writes invalidate their copies, never snooped itself; non-coherent: no snoops");
  f("outstanding", &PortConfig::outstanding, "transactions the port accepts before it applies backpressure")
      .range(1, 1024);
  f("qos", &PortConfig::qos, "priority under the qos arbitration policy (AxQOS), higher wins").range(0, kMaxQos);
}

void LatencyConfig::describe(cfg::Fields<LatencyConfig>& f) {
  f("request", &LatencyConfig::request, "cycles from a slave interface to the point of serialisation").range(0, 1000);
  f("forward", &LatencyConfig::forward, "cycles from the point of serialisation to a master interface")
      .range(0, 1000);
  f("response", &LatencyConfig::response, "cycles for a response back to the requesting port").range(0, 1000);
  f("snoop", &LatencyConfig::snoop, "cycles from the point of serialisation to the snooped ACE ports")
      .range(0, 1000);
  f("snoop_response", &LatencyConfig::snoop_response, "cycles for a snoop response back to the point of serialisation")
      .range(0, 1000);
}

void InterconnectConfig::describe(cfg::Fields<InterconnectConfig>& f) {
  f("clock", &InterconnectConfig::clock,
    "the interconnect clock, as a frequency or a period (a frequency is rounded to a whole picosecond period)");
  f("ports", &InterconnectConfig::ports, "slave interfaces, one per master (1 to 64)").required();
  f("latency", &InterconnectConfig::latency, "internal latencies in interconnect cycles");
  f("data_width", &InterconnectConfig::data_width, "bytes per cycle on each data path (a power of two, 4B to 128B)");
  f("snoop", &InterconnectConfig::snoop,
    "broadcast: every coherent request snoops every other ACE port (CCI-400); filter: only the ports a snoop "
    "filter says may hold the line (CCI-500-like; clean evictions are silent, so its entries go stale); tags: "
    "only the ports whose caches hold the line, as duplicate tag RAMs know (Cortex-A9 SCU, A15/A7 L2)");
  f("speculative_read", &InterconnectConfig::speculative_read,
    "start the memory read in parallel with the snoops, dropping it when a snoop returns data");
  f("arbitration", &InterconnectConfig::arbitration,
    "round-robin: fair rotation among requesting ports; qos: highest port qos first, round-robin among equals");
  f("starvation_limit", &InterconnectConfig::starvation_limit,
    "qos policy: a request waiting this many cycles wins over every qos value (0: never)");
  f("address_map", &InterconnectConfig::address_map, "where each physical address is routed").required();
}

std::optional<InterconnectConfig::Problem> InterconnectConfig::problem() const {
  if (clock.frequency && clock.period) return Problem{"clock", "give a frequency or a period, not both"};
  if (clock.frequency && clock.frequency->hz == 0) return Problem{"clock", "the clock frequency must not be zero"};
  if (clock.period_ps() == 0)
    return Problem{"clock", clock.frequency ? fmt::format("clock frequency {} is too high (period under 1ps)",
                                                          units::format(*clock.frequency))
                                            : std::string("the clock period must not be zero")};
  if (ports.empty()) return Problem{"ports", "the interconnect needs at least one port"};
  if (ports.size() > kMaxArbitratedPorts)
    return Problem{"ports", fmt::format("at most {} ports are supported, got {}", kMaxArbitratedPorts, ports.size())};
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const PortConfig& p = ports[i];
    const std::string at = fmt::format("ports[{}]", i);
    if (p.name.empty()) return Problem{at + ".name", "a port needs a name"};
    if (p.outstanding < 1) return Problem{at + ".outstanding", "a port must accept at least one transaction"};
    if (p.qos > kMaxQos) return Problem{at + ".qos", fmt::format("qos must be 0 to {}, got {}", kMaxQos, p.qos)};
    for (std::size_t j = 0; j < i; ++j)
      if (ports[j].name == p.name)
        return Problem{"ports", fmt::format("port name '{}' is used twice (ports[{}] and ports[{}])", p.name, j, i)};
  }
  const std::uint64_t w = data_width.bytes;
  if (w < 4 || w > 128 || !std::has_single_bit(w))
    return Problem{"data_width", fmt::format("data width must be a power of two from 4B to 128B, got {}",
                                             units::format(data_width))};
  if (const auto p = address_map.problem()) return Problem{"address_map." + p->key, p->message};
  return std::nullopt;
}

void InterconnectConfig::validate(cfg::Validator& v) const { cfg::report(problem(), v); }

void InterconnectConfig::check() const { cfg::raise(problem(), "interconnect configuration"); }

std::vector<unsigned> InterconnectConfig::port_qos() const {
  std::vector<unsigned> out;
  out.reserve(ports.size());
  for (const auto& p : ports) out.push_back(p.qos);
  return out;
}

std::optional<unsigned> InterconnectConfig::find_port(std::string_view name) const {
  for (unsigned i = 0; i < ports.size(); ++i)
    if (ports[i].name == name) return i;
  return std::nullopt;
}

unsigned InterconnectConfig::count(PortKind kind) const {
  unsigned n = 0;
  for (const auto& p : ports) n += p.kind == kind ? 1 : 0;
  return n;
}

std::uint64_t InterconnectConfig::data_cycles(std::uint64_t bytes) const {
  const std::uint64_t w = data_width.bytes;
  return bytes == 0 ? 1 : (bytes + w - 1) / w;
}

}  // namespace dmasim::interconnect
