#pragma once
// PayloadPool: the TLM-2.0 memory manager of dmasim's transactions. Every initiator takes its
// payloads from a pool instead of new/delete, so that steady-state simulation allocates nothing:
// a released payload goes back on a LIFO free list (the most recently used, cache-warm object is
// handed out next) and allocate() pops it in O(1).
//
// Each payload comes with a MemExt attached with set_extension (the pool owns it for the
// payload's whole life, so recycling does not free and re-create it) and a data buffer of
// max_data_bytes() owned by the pool, already set as the data pointer.
//
// Life cycle, per the TLM-2.0 base protocol: allocate() returns a payload with reference count 0;
// the initiator calls acquire(), every component keeping it calls acquire()/release(), and the
// last release() calls free() here, which resets the payload and returns it to the pool.
#include <cstddef>
#include <memory>
#include <vector>

#include <tlm>

#include "models/common/tlm/mem_ext.h"

namespace dmasim {

class PayloadPool final : public tlm::tlm_mm_interface {
 public:
  static constexpr std::size_t kDefaultMaxDataBytes = MemExt::kMaxTransactionBytes;

  // preallocate: payloads created up front, so that even the first transactions allocate nothing.
  explicit PayloadPool(std::size_t max_data_bytes = kDefaultMaxDataBytes,
                       std::size_t preallocate = 0);
  // All payloads must have been returned: destroying the pool under an in-flight transaction is
  // a programming error (asserts in debug builds).
  ~PayloadPool() override;
  PayloadPool(const PayloadPool&) = delete;
  PayloadPool& operator=(const PayloadPool&) = delete;

  // A payload in its reset state: TLM_IGNORE_COMMAND, address 0, length 0, response
  // TLM_INCOMPLETE_RESPONSE, no byte enables, data pointer at its own buffer, a reset MemExt.
  tlm::tlm_generic_payload* allocate();

  // Called by tlm_generic_payload::release() when the count drops to 0; not called directly.
  void free(tlm::tlm_generic_payload* gp) override;

  std::size_t in_use() const { return all_.size() - free_.size(); }
  std::size_t capacity() const { return all_.size(); }  // payloads created so far
  std::size_t max_data_bytes() const { return max_data_bytes_; }

 private:
  class Payload;  // a tlm_generic_payload with its data buffer

  Payload* create();
  void recycle(Payload& p);

  std::size_t max_data_bytes_;
  std::vector<std::unique_ptr<Payload>> all_;
  std::vector<Payload*> free_;  // capacity kept >= all_.size(), so free() never allocates
};

}  // namespace dmasim
