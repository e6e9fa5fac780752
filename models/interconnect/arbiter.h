#pragma once
// Arbitration among the ports (or queues) that have a request pending for one shared resource,
// chosen by configuration as in DRAMSys: round-robin, or QoS with round-robin among equals and
// an optional starvation limit. Deterministic: the same sequence of calls gives the same grants.
//
//   auto arb = make_arbiter(ArbitrationPolicy::Qos, {0, 0, 8}, /*starvation_limit=*/64);
//   unsigned port = arb->pick(std::array{Candidate{0, 0, t0}, Candidate{2, 8, t1}}, now);
//
// The arbiter remembers only whom it granted last (for the rotation); the caller keeps the
// requests and their ages.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "models/common/config/schema.h"

namespace dmasim::interconnect {

enum class ArbitrationPolicy { RoundRobin, Qos };

inline constexpr unsigned kMaxArbitratedPorts = 64;  // a pending set fits a 64-bit mask
inline constexpr unsigned kMaxQos = 15;              // AXI AxQOS is 4 bits; higher is more urgent

// One pending request offered to the arbiter.
struct Candidate {
  unsigned port = 0;                // < the arbiter's port count; at most one candidate per port
  unsigned qos = 0;                 // 0..15, higher wins (QoS policy only)
  std::uint64_t waiting_since = 0;  // when it started waiting, in the caller's time unit
};

class Arbiter {
 public:
  virtual ~Arbiter() = default;

  // The port granted among the candidates (non-empty). Updates the rotation.
  virtual unsigned pick(std::span<const Candidate> pending, std::uint64_t now) = 0;

  // The same, for pending ports given as a bit mask (bit i: port i), each with its configured
  // QoS value and waiting since `now` (so no starvation promotion applies). mask must not be 0.
  unsigned pick(std::uint64_t pending_mask, std::uint64_t now);

  unsigned ports() const { return static_cast<unsigned>(port_qos_.size()); }
  ArbitrationPolicy policy() const { return policy_; }

 protected:
  Arbiter(ArbitrationPolicy policy, std::vector<unsigned> port_qos);
  // Round-robin order from the port after the last grant: 0 for that port, ports()-1 for the
  // last granted one.
  unsigned distance(unsigned port) const { return (port + ports() - next_) % ports(); }
  void granted(unsigned port) { next_ = (port + 1) % ports(); }

 private:
  ArbitrationPolicy policy_;
  std::vector<unsigned> port_qos_;
  unsigned next_ = 0;  // the port with the highest round-robin priority
  std::vector<Candidate> scratch_;
};

// Every port served in turn: among the pending ports, the first at or after the one following
// the last grant. A port that keeps requesting is served within ports() grants.
class RoundRobinArbiter final : public Arbiter {
 public:
  explicit RoundRobinArbiter(unsigned ports) : Arbiter(ArbitrationPolicy::RoundRobin, std::vector<unsigned>(ports)) {}
  using Arbiter::pick;
  unsigned pick(std::span<const Candidate> pending, std::uint64_t now) override;
};

// The highest QoS value wins, round-robin among equals. With a starvation limit L > 0, a request
// waiting at least L time units (now - waiting_since >= L) is promoted above every QoS value;
// among promoted requests the oldest wins, then round-robin.
class QosArbiter final : public Arbiter {
 public:
  QosArbiter(std::vector<unsigned> port_qos, std::uint64_t starvation_limit)
      : Arbiter(ArbitrationPolicy::Qos, std::move(port_qos)), starvation_limit_(starvation_limit) {}
  using Arbiter::pick;
  unsigned pick(std::span<const Candidate> pending, std::uint64_t now) override;
  std::uint64_t starvation_limit() const { return starvation_limit_; }
  std::uint64_t promotions() const { return promotions_; }  // grants that went to a promoted request

 private:
  std::uint64_t starvation_limit_;
  std::uint64_t promotions_ = 0;
};

// port_qos: one entry per port (its default QoS value, used by the mask form of pick); 1 to 64
// ports. starvation_limit: 0 for none; ignored by round-robin.
std::unique_ptr<Arbiter> make_arbiter(ArbitrationPolicy policy, std::vector<unsigned> port_qos,
                                      std::uint64_t starvation_limit = 0);

}  // namespace dmasim::interconnect

namespace dmasim::cfg {

template <>
struct EnumNames<interconnect::ArbitrationPolicy> {
  static constexpr std::array<std::pair<interconnect::ArbitrationPolicy, std::string_view>, 2> names{{
      {interconnect::ArbitrationPolicy::RoundRobin, "round-robin"},
      {interconnect::ArbitrationPolicy::Qos, "qos"},
  }};
};

}  // namespace dmasim::cfg
