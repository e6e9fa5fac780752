#pragma once
// Socket interfaces that forward to a model's member functions, so that a model with several
// sockets of the same direction need not inherit the TLM interfaces once per socket (and so that
// the boilerplate is written once). Declared in the model's class, after the member functions:
//
//   using DownstreamIf = BackwardAdapter<Sysmmu, &Sysmmu::downstream_bw>;
//   using RegistersIf = RegisterTargetAdapter<Sysmmu, &Sysmmu::register_fw>;
#include <systemc>
#include <tlm>

namespace dmasim {

template <class Owner>
using TransportFn = tlm::tlm_sync_enum (Owner::*)(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&);

// An initiator socket's backward path: nb_transport_bw goes to `Bw`; no DMI.
template <class Owner, TransportFn<Owner> Bw>
struct BackwardAdapter final : tlm::tlm_bw_transport_if<> {
  explicit BackwardAdapter(Owner& o) : owner(o) {}
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    return (owner.*Bw)(gp, phase, delay);
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
  Owner& owner;
};

// A register block's target socket: nb_transport_fw and b_transport (as a BEGIN_REQ whose
// completion delay is added to the caller's) both go to `Fw`, which answers TLM_COMPLETED; no
// DMI, no debug access.
template <class Owner, TransportFn<Owner> Fw>
struct RegisterTargetAdapter final : tlm::tlm_fw_transport_if<> {
  explicit RegisterTargetAdapter(Owner& o) : owner(o) {}
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    return (owner.*Fw)(gp, phase, delay);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override {
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    (owner.*Fw)(gp, phase, delay);
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
  Owner& owner;
};

}  // namespace dmasim
