#pragma once
// NIC receive, as an Ethernet driver's NAPI path runs it: a ring of receive buffers, each a
// small streaming mapping (skb data NET_SKB_PAD bytes into its page). Per packet: the device
// writes the packet into the next ring buffer at line rate and interrupts; the driver unmaps the
// buffer (the CPU owns it), the stack reads the headers and copies the payload to a socket
// buffer; the driver maps a buffer again for the ring slot (map and unmap per packet).
#include <memory>
#include <string>

#include "models/common/config/schema.h"
#include "models/common/config/units.h"
#include "sw/drivers/driver.h"

namespace dmasim::sw {

struct NicReceiveConfig {
  std::string device = "mdma";
  unsigned core = 0;
  unsigned ring = 64;
  ByteSize packet{1500};
  ByteSize buffer{1536};       // the receive buffer per ring slot
  ByteSize headroom{64};       // NET_SKB_PAD: the packet starts this far into its page
  ByteSize header{64};         // bytes the stack parses (read)
  unsigned packets = 256;
  double gbit_per_s = 1.0;     // line rate; 0: back to back
  bool copy_payload = true;    // the stack copies the payload to the socket's buffer

  static void describe(cfg::Fields<NicReceiveConfig>& f);
};

std::unique_ptr<Driver> make_nic_receive(Kernel& kernel, Strategy strategy, const NicReceiveConfig& config);

}  // namespace dmasim::sw
