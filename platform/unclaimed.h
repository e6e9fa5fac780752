#pragma once
// Placeholders the platform binds to sockets no model claims, so that every socket is bound (a
// SystemC requirement): an initiator that never sends, for an interconnect port without a
// master, and a target that answers every access with a decode error, for a register range
// whose device is not modelled (as a bus answers an address with no slave behind it). Accesses
// to it are counted.
#include <cstdint>

#include <systemc>
#include <tlm>

namespace dmasim::platform {

class IdleInitiator : public sc_core::sc_module, public tlm::tlm_bw_transport_if<> {
 public:
  tlm::tlm_initiator_socket<> socket{"socket"};
  explicit IdleInitiator(const sc_core::sc_module_name& name) : sc_module(name) { socket.bind(*this); }
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
};

class UnclaimedTarget : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  tlm::tlm_target_socket<> socket{"socket"};
  explicit UnclaimedTarget(const sc_core::sc_module_name& name) : sc_module(name) { socket.bind(*this); }
  std::uint64_t accesses() const { return accesses_; }

  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time&) override {
    if (phase != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
    ++accesses_;
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return tlm::TLM_COMPLETED;
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) override {
    ++accesses_;
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }

 private:
  std::uint64_t accesses_ = 0;
};

}  // namespace dmasim::platform
