#include "models/interconnect/arbiter.h"

#include <bit>
#include <cassert>

namespace dmasim::interconnect {

Arbiter::Arbiter(ArbitrationPolicy policy, std::vector<unsigned> port_qos)
    : policy_(policy), port_qos_(std::move(port_qos)) {
  assert(!port_qos_.empty() && port_qos_.size() <= kMaxArbitratedPorts);
  scratch_.reserve(port_qos_.size());
}

unsigned Arbiter::pick(std::uint64_t pending_mask, std::uint64_t now) {
  assert(pending_mask != 0);
  assert(ports() == 64 || (pending_mask >> ports()) == 0);
  scratch_.clear();
  for (std::uint64_t m = pending_mask; m != 0; m &= m - 1) {
    const auto port = static_cast<unsigned>(std::countr_zero(m));
    scratch_.push_back(Candidate{port, port_qos_[port], now});
  }
  return pick(std::span<const Candidate>(scratch_), now);
}

unsigned RoundRobinArbiter::pick(std::span<const Candidate> pending, std::uint64_t /*now*/) {
  assert(!pending.empty());
  const Candidate* best = &pending[0];
  for (const Candidate& c : pending) {
    assert(c.port < ports());
    if (distance(c.port) < distance(best->port)) best = &c;
  }
  granted(best->port);
  return best->port;
}

unsigned QosArbiter::pick(std::span<const Candidate> pending, std::uint64_t now) {
  assert(!pending.empty());
  const auto starving = [&](const Candidate& c) {
    return starvation_limit_ > 0 && now >= c.waiting_since && now - c.waiting_since >= starvation_limit_;
  };
  // Does a beat b? Promoted first (oldest first among them), then QoS, then round-robin.
  const auto beats = [&](const Candidate& a, const Candidate& b) {
    const bool sa = starving(a), sb = starving(b);
    if (sa != sb) return sa;
    if (sa && a.waiting_since != b.waiting_since) return a.waiting_since < b.waiting_since;
    if (!sa && a.qos != b.qos) return a.qos > b.qos;
    return distance(a.port) < distance(b.port);
  };
  const Candidate* best = &pending[0];
  for (const Candidate& c : pending) {
    assert(c.port < ports());
    if (beats(c, *best)) best = &c;
  }
  if (starving(*best)) ++promotions_;
  granted(best->port);
  return best->port;
}

std::unique_ptr<Arbiter> make_arbiter(ArbitrationPolicy policy, std::vector<unsigned> port_qos,
                                      std::uint64_t starvation_limit) {
  switch (policy) {
    case ArbitrationPolicy::RoundRobin:
      return std::make_unique<RoundRobinArbiter>(static_cast<unsigned>(port_qos.size()));
    case ArbitrationPolicy::Qos:
      return std::make_unique<QosArbiter>(std::move(port_qos), starvation_limit);
  }
  return nullptr;
}

}  // namespace dmasim::interconnect
