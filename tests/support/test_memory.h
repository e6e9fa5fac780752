#pragma once
// A memory target for model tests: answers every READ / WRITE after a fixed latency (AT: END_REQ
// at once, BEGIN_RESP with the latency as the timing annotation, sent from one SC_METHOD), keeps
// a log of what arrived, supplies data versions from the oracle's memory view and publishes the
// versions of writes at the point of coherency, as the crossbar in front of a real memory does
// (docs/protocol.md). Register-style reads return `read_value`.
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <deque>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/common/oracle/oracle.h"
#include "models/common/tlm/mem_ext.h"

namespace dmasim::test {

class TestMemory : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  SC_HAS_PROCESS(TestMemory);
  struct Access {
    std::uint64_t address;
    unsigned length;
    bool write;
    BusOp op;
    std::vector<std::uint64_t> versions;
    Picoseconds arrival;  // now + the request's annotation
  };

  tlm::tlm_target_socket<> socket{"socket"};
  Picoseconds latency;
  oracle::Oracle* oracle = nullptr;
  std::uint32_t read_value = 0;
  std::uint64_t error_from = ~std::uint64_t{0};  // accesses at or above answer with an address error
  std::vector<Access> log;

  TestMemory(const sc_core::sc_module_name& name, Picoseconds latency_ps, oracle::Oracle* o = nullptr)
      : sc_module(name), latency(latency_ps), oracle(o) {
    socket.bind(*this);
    SC_METHOD(respond);
    sensitive << wake_;
    dont_initialize();
  }

  std::size_t reads() const { return count(false); }
  std::size_t writes() const { return count(true); }
  std::size_t count(bool write) const {
    std::size_t n = 0;
    for (const auto& a : log) n += a.write == write;
    return n;
  }

  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    if (phase != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
    MemExt& ext = MemExt::of(gp);
    const Picoseconds arrival = sc_core::sc_time_stamp().value() + delay.value();
    Access a{gp.get_address(), gp.get_data_length(), gp.is_write(), ext.op, {}, arrival};
    const std::uint32_t line = oracle ? oracle->line_bytes() : 64;
    if (gp.is_write()) {
      a.versions.assign(ext.versions().begin(), ext.versions().end());
      if (oracle && ext.version_count() > 0) oracle->publish_range(gp.get_address(), std::max(1u, gp.get_data_length()), ext.versions(), arrival);
    } else if (gp.is_read()) {
      ext.clear_versions();
      const std::uint64_t first = gp.get_address() & ~std::uint64_t{line - 1};
      const std::uint64_t end = gp.get_address() + std::max(1u, gp.get_data_length());
      for (std::uint64_t l = first; l < end; l += line) ext.add_version(oracle ? oracle->memory_version(l) : 0);
      if (gp.get_data_length() >= 4) std::memcpy(gp.get_data_ptr(), &read_value, 4);
    }
    log.push_back(std::move(a));
    gp.set_response_status(gp.get_address() >= error_from ? tlm::TLM_ADDRESS_ERROR_RESPONSE : tlm::TLM_OK_RESPONSE);
    gp.acquire();
    pending_.push_back({&gp, arrival + latency});
    wake_.notify(sc_core::SC_ZERO_TIME);
    phase = tlm::END_REQ;
    return tlm::TLM_UPDATED;
  }
  void b_transport(tlm::tlm_generic_payload&, sc_core::sc_time&) override {}
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }

 private:
  struct Pending {
    tlm::tlm_generic_payload* gp;
    Picoseconds done;
  };
  void respond() {
    while (!pending_.empty()) {
      Pending p = pending_.front();
      pending_.pop_front();
      const Picoseconds now = sc_core::sc_time_stamp().value();
      tlm::tlm_phase phase = tlm::BEGIN_RESP;
      sc_core::sc_time delay = sc_core::sc_time::from_value(p.done > now ? p.done - now : 0);
      socket->nb_transport_bw(*p.gp, phase, delay);
      p.gp->release();
    }
  }
  std::deque<Pending> pending_;
  sc_core::sc_event wake_;
};

}  // namespace dmasim::test
