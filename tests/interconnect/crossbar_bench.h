#pragma once
// Test helpers for the SystemC crossbar: a scripted initiator (one socket, its own PayloadPool,
// records when each request was accepted and completed and what came back) and a stub snoop
// target (records the snoops, answers with a configured response).
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <unordered_map>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/common/oracle/oracle.h"
#include "models/common/tlm/payload_pool.h"
#include "models/common/tlm/snoop.h"
#include "models/interconnect/interconnect_config.h"

namespace dmasim::test {

// Each SystemC test elaborates once per process (ctest runs each test case on its own).
#define SKIP_UNLESS_FRESH_KERNEL()                                       \
  do {                                                                   \
    if (sc_core::sc_get_curr_simcontext()->elaboration_done())           \
      GTEST_SKIP() << "a SystemC model elaborates once per process: run this test through ctest"; \
  } while (false)

class TestInitiator : public sc_core::sc_module, public tlm::tlm_bw_transport_if<> {
 public:
  SC_HAS_PROCESS(TestInitiator);
  struct Request {
    Picoseconds at = 0;  // not before the previous request was accepted
    tlm::tlm_command cmd = tlm::TLM_READ_COMMAND;
    std::uint64_t address = 0;
    unsigned length = 64;
    BusOp op = BusOp::ReadNoSnoop;
    Coherence coherence = Coherence::NonCoherent;
    std::vector<std::uint64_t> versions;  // writes
  };
  struct Result {
    bool done = false;
    tlm::tlm_sync_enum fw_status = tlm::TLM_UPDATED;
    Picoseconds issued = 0, accepted = 0, completed = 0;
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
    std::vector<std::uint64_t> versions;
    bool shared = false, dirty = false;
  };

  tlm::tlm_initiator_socket<> socket{"socket"};
  std::vector<Request> script;
  std::vector<Result> results;
  oracle::Oracle* oracle = nullptr;  // set: every completed read is checked as agent `agent`
  oracle::AgentId agent = 0;

  explicit TestInitiator(const sc_core::sc_module_name& name) : sc_module(name) {
    socket.bind(*this);
    SC_THREAD(run);
  }
  ~TestInitiator() override = default;

  void add(Request r) { script.push_back(std::move(r)); }
  std::size_t completed() const {
    std::size_t n = 0;
    for (const auto& r : results) n += r.done;
    return n;
  }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    const Picoseconds now = sc_core::sc_time_stamp().value();
    const std::size_t i = index_.at(&gp);
    if (phase == tlm::END_REQ || phase == tlm::BEGIN_RESP) {
      if (waiting_ == i) {
        results[i].accepted = now + delay.value();
        waiting_ = kNone;
        end_req_.notify(sc_core::SC_ZERO_TIME);
      }
    }
    if (phase == tlm::BEGIN_RESP) complete(gp, i, now + delay.value());
    return phase == tlm::BEGIN_RESP ? tlm::TLM_COMPLETED : tlm::TLM_ACCEPTED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

 private:
  static constexpr std::size_t kNone = ~std::size_t{0};

  void run() {
    results.resize(script.size());
    for (std::size_t i = 0; i < script.size(); ++i) {
      const Request& r = script[i];
      const Picoseconds now = sc_core::sc_time_stamp().value();
      if (r.at > now) wait(sc_core::sc_time::from_value(r.at - now));
      tlm::tlm_generic_payload& gp = *pool_.allocate();
      gp.acquire();
      gp.set_command(r.cmd);
      gp.set_address(r.address);
      gp.set_data_length(r.length);
      gp.set_streaming_width(r.length);
      MemExt& ext = MemExt::of(gp);
      ext.op = r.op;
      ext.coherence = r.coherence;
      ext.created_at = sc_core::sc_time_stamp().value();
      ext.txn_id = i;
      for (auto v : r.versions) ext.add_version(v);
      index_[&gp] = i;
      results[i].issued = ext.created_at;
      tlm::tlm_phase phase = tlm::BEGIN_REQ;
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      waiting_ = i;
      const tlm::tlm_sync_enum s = socket->nb_transport_fw(gp, phase, delay);
      results[i].fw_status = s;
      if (s == tlm::TLM_COMPLETED) {
        waiting_ = kNone;
        results[i].accepted = ext.created_at;
        complete(gp, i, ext.created_at + delay.value());
      } else if (s == tlm::TLM_UPDATED) {
        waiting_ = kNone;
        results[i].accepted = ext.created_at;
      } else if (waiting_ == i) {
        wait(end_req_);
      }
    }
  }

  void complete(tlm::tlm_generic_payload& gp, std::size_t i, Picoseconds at) {
    Result& res = results[i];
    const MemExt& ext = MemExt::of(gp);
    res.done = true;
    res.completed = at;
    res.status = gp.get_response_status();
    res.versions.assign(ext.versions().begin(), ext.versions().end());
    res.shared = ext.resp_shared;
    res.dirty = ext.resp_dirty;
    if (oracle != nullptr && gp.is_read() && gp.is_response_ok() && !res.versions.empty())
      oracle->read_range(agent, gp.get_address(), gp.get_data_length(), res.versions, ext.created_at);
    index_.erase(&gp);
    gp.release();
  }

  PayloadPool pool_;
  std::unordered_map<const tlm::tlm_generic_payload*, std::size_t> index_;
  std::size_t waiting_ = kNone;
  sc_core::sc_event end_req_;
};

// A snoop target that records the snoops and answers `answer` for the lines in `hit_lines` (every
// line when empty), a miss with the same latency otherwise.
struct StubSnooper : SnoopTarget {
  SnoopResponse answer;
  std::set<std::uint64_t> hit_lines;
  std::vector<SnoopRequest> calls;
  // Duplicate tags: with `tags` set, may_hold answers from `held` (lines it reports holding).
  bool tags = false;
  std::set<std::uint64_t> held;
  bool may_hold(std::uint64_t line, std::uint32_t) const override { return !tags || held.count(line) != 0; }
  SnoopResponse snoop(const SnoopRequest& r) override {
    calls.push_back(r);
    if (!hit_lines.empty() && hit_lines.count(r.line) == 0) {
      SnoopResponse miss;
      miss.latency = answer.latency;
      return miss;
    }
    return answer;
  }
};

inline SnoopResponse hit(std::uint64_t version, bool dirty, bool kept, Picoseconds latency) {
  SnoopResponse r;
  r.hit = true;
  r.dirty = dirty;
  r.kept = kept;
  r.version = version;
  r.latency = latency;
  return r;
}

inline interconnect::PortConfig port(std::string name, interconnect::PortKind kind, unsigned qos = 0,
                                     unsigned outstanding = 16) {
  interconnect::PortConfig p;
  p.name = std::move(name);
  p.kind = kind;
  p.qos = qos;
  p.outstanding = outstanding;
  return p;
}

inline interconnect::TargetConfig map_target(std::string name, interconnect::TargetKind kind, std::uint64_t base,
                                             std::uint64_t size) {
  interconnect::TargetConfig t;
  t.name = std::move(name);
  t.kind = kind;
  t.base = interconnect::Address{base};
  t.size = ByteSize{size};
  return t;
}

}  // namespace dmasim::test
