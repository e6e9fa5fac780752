// The SYSMMU toward a refusing interconnect: after a BEGIN_REQ is refused it sends nothing until
// that request's END_REQ, even when a response to an earlier request comes back meanwhile (a
// second request would overwrite the refused one below, and its transaction would be lost).
#include <gtest/gtest.h>

#include <vector>

#include "tests/iommu/sysmmu_harness.h"
#include "tests/support/elaboration.h"

namespace dmasim::iommu::test {
namespace {

// Accepts the first request, refuses the second, answers the first while the second is still
// refused, then accepts the second and answers everything.
class RefusingMemory : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  SC_HAS_PROCESS(RefusingMemory);
  tlm::tlm_target_socket<> socket{"socket"};
  unsigned requests = 0, sent_while_refused = 0;

  explicit RefusingMemory(const sc_core::sc_module_name& n) : sc_module(n) {
    socket.bind(*this);
    SC_METHOD(answer_first);
    sensitive << first_;
    dont_initialize();
    SC_METHOD(accept_refused);
    sensitive << end_;
    dont_initialize();
    SC_METHOD(answer_rest);
    sensitive << rest_;
    dont_initialize();
  }
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time&) override {
    if (phase != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
    ++requests;
    if (refused_ != nullptr) ++sent_while_refused;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    if (requests == 2) {
      refused_ = &gp;
      first_.notify(10 * kCycle, sc_core::SC_PS);
      end_.notify(20 * kCycle, sc_core::SC_PS);
      return tlm::TLM_ACCEPTED;
    }
    accepted_.push_back(&gp);
    if (requests > 2) rest_.notify(30 * kCycle, sc_core::SC_PS);
    phase = tlm::END_REQ;
    return tlm::TLM_UPDATED;
  }
  void b_transport(tlm::tlm_generic_payload&, sc_core::sc_time&) override {}
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }

 private:
  void respond(tlm::tlm_generic_payload* gp) {
    tlm::tlm_phase ph = tlm::BEGIN_RESP;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    socket->nb_transport_bw(*gp, ph, d);
  }
  void answer_first() {
    respond(accepted_.front());
    accepted_.erase(accepted_.begin());
  }
  void accept_refused() {
    tlm::tlm_generic_payload* gp = refused_;
    refused_ = nullptr;
    tlm::tlm_phase ph = tlm::END_REQ;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    socket->nb_transport_bw(*gp, ph, d);
    accepted_.push_back(gp);
    rest_.notify(30 * kCycle, sc_core::SC_PS);
  }
  void answer_rest() {
    for (tlm::tlm_generic_payload* gp : accepted_) respond(gp);
    accepted_.clear();
  }
  tlm::tlm_generic_payload* refused_ = nullptr;
  std::vector<tlm::tlm_generic_payload*> accepted_;
  sc_core::sc_event first_, end_, rest_;
};

TEST(SysmmuBackpressure, NothingIsSentBelowUntilTheRefusedRequestIsAccepted) {
  SKIP_IF_ELABORATED();
  stats::Registry stats;
  PhysicalMemory memory;
  ModelContext ctx;
  ctx.stats = &stats;
  ctx.stats_path = "sysmmu";
  Sysmmu mmu("sysmmu", test_config(), ctx, memory, kRegs);  // translation off: every request passes
  Master master("master");
  RefusingMemory below("below");
  master.socket.bind(mmu.upstream);
  master.regs.bind(mmu.registers);
  mmu.downstream.bind(below.socket);
  master.program = [](Master& m) {
    for (unsigned i = 0; i < 4; ++i) m.issue(0x1000 + i * 64);
    m.wait_all();
  };
  sc_core::sc_start();
  EXPECT_EQ(below.sent_while_refused, 0u);
  EXPECT_EQ(below.requests, 4u);
  EXPECT_EQ(master.done.size(), 4u);  // none lost
}

}  // namespace
}  // namespace dmasim::iommu::test
