#pragma once
// A blocking 32-bit register access from a test's SystemC thread: b_transport, then wait for the
// delay the register block annotated (its access latency).
#include <cstdint>

#include <systemc>
#include <tlm>

namespace dmasim::test {

inline std::uint32_t register_access(tlm::tlm_initiator_socket<>& socket, std::uint64_t address, bool write,
                                     std::uint32_t value) {
  tlm::tlm_generic_payload gp;
  std::uint32_t data = value;
  gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  gp.set_address(address);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
  gp.set_data_length(4);
  gp.set_streaming_width(4);
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  socket->b_transport(gp, d);
  sc_core::wait(d);
  return data;
}

}  // namespace dmasim::test
