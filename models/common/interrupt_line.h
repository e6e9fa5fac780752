#pragma once
// A level-triggered interrupt line from a device (SYSMMU, DMA engine) to the software threads
// that handle it. raise() sets the line and notifies waiters; the handler clears the cause in
// the device's registers, which calls lower(). A software thread waits with
// `while (!line.pending()) core.wait(line.event());`.
#include <cstdint>

#include <systemc>

namespace dmasim {

class InterruptLine {
 public:
  void raise(sc_core::sc_time delay = sc_core::SC_ZERO_TIME) {
    if (!pending_) ++raised_;
    pending_ = true;
    event_.notify(delay);
  }
  void lower() { pending_ = false; }
  bool pending() const { return pending_; }
  sc_core::sc_event& event() { return event_; }
  std::uint64_t raised() const { return raised_; }  // low-to-high transitions

 private:
  sc_core::sc_event event_{sc_core::sc_gen_unique_name("irq")};
  bool pending_ = false;
  std::uint64_t raised_ = 0;
};

}  // namespace dmasim
