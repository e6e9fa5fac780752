#pragma once
// A bus master for platform tests, standing in for a DMA device: issues one read or write at a
// time on an interconnect port (as ReadNoSnoop / WriteNoSnoop with the coherence the port gives:
// an ACE-Lite port snoops when the transaction says IoCoherent), registers itself with the oracle
// as a device and reports every read to it, and records when each access completed.
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/common/oracle/mem_ext_oracle.h"
#include "models/common/oracle/oracle.h"
#include "models/common/tlm/mem_ext.h"
#include "models/common/tlm/payload_pool.h"

namespace dmasim::test {

class TestMaster : public sc_core::sc_module, public tlm::tlm_bw_transport_if<> {
 public:
  tlm::tlm_initiator_socket<> socket{"socket"};

  struct Result {
    std::vector<std::uint64_t> versions;
    Picoseconds issued = 0, done = 0;
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
  };

  TestMaster(const sc_core::sc_module_name& name, oracle::Oracle& o, Coherence coherence, oracle::DomainId domain)
      : sc_module(name), oracle_(o), coherence_(coherence) {
    socket.bind(*this);
    agent_ = oracle_.register_agent(std::string(this->name()), domain, oracle::AgentKind::Device);
  }
  oracle::AgentId agent() const { return agent_; }

  // From an SC_THREAD (a test's program): one access, waiting for its response.
  Result read(std::uint64_t address, unsigned bytes) { return access(address, bytes, false); }
  Result write(std::uint64_t address, unsigned bytes) { return access(address, bytes, true); }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    if (phase == tlm::BEGIN_RESP) {
      done_at_ = sc_core::sc_time_stamp().value() + delay.value();
      finish(gp);
      done_.notify(delay);
      return tlm::TLM_COMPLETED;
    }
    return tlm::TLM_ACCEPTED;  // END_REQ
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

 private:
  Result access(std::uint64_t address, unsigned bytes, bool write) {
    tlm::tlm_generic_payload* gp = pool_.allocate();
    gp->acquire();
    gp->set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp->set_address(address);
    gp->set_data_length(bytes);
    gp->set_streaming_width(bytes);
    MemExt& ext = MemExt::of(*gp);
    ext.initiator_id = agent_;
    ext.mem_type = MemType::NormalNonCacheable;
    ext.coherence = coherence_;
    ext.op = write ? BusOp::WriteNoSnoop : BusOp::ReadNoSnoop;
    ext.created_at = sc_core::sc_time_stamp().value();
    if (write) oracle::write_to_ext(oracle_, agent_, address, bytes, ext.created_at, ext);
    result_ = Result{};
    result_.issued = ext.created_at;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    const tlm::tlm_sync_enum s = socket->nb_transport_fw(*gp, phase, delay);
    if (s == tlm::TLM_COMPLETED) {
      done_at_ = sc_core::sc_time_stamp().value() + delay.value();
      finish(*gp);
      wait(delay);
    } else {
      wait(done_);
    }
    result_.done = done_at_;
    return result_;
  }
  void finish(tlm::tlm_generic_payload& gp) {
    const MemExt& ext = MemExt::of(gp);
    result_.status = gp.get_response_status();
    result_.versions.assign(ext.versions().begin(), ext.versions().end());
    if (gp.is_read() && gp.is_response_ok())
      oracle::check_read_ext(oracle_, agent_, gp.get_address(), gp.get_data_length(), ext);
    gp.release();
  }

  oracle::Oracle& oracle_;
  Coherence coherence_;
  oracle::AgentId agent_ = 0;
  PayloadPool pool_;
  sc_core::sc_event done_;
  Picoseconds done_at_ = 0;
  Result result_;
};

}  // namespace dmasim::test
