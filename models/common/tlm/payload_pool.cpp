#include "models/common/tlm/payload_pool.h"

#include <cassert>

namespace dmasim {

class PayloadPool::Payload final : public tlm::tlm_generic_payload {
 public:
  Payload(PayloadPool* pool, std::size_t bytes)
      : tlm::tlm_generic_payload(pool), buffer(std::make_unique<unsigned char[]>(bytes)) {}

  std::unique_ptr<unsigned char[]> buffer;
  bool in_pool = true;  // guards against double free()
};

PayloadPool::PayloadPool(std::size_t max_data_bytes, std::size_t preallocate)
    : max_data_bytes_(max_data_bytes) {
  assert(max_data_bytes > 0);
  all_.reserve(preallocate);
  free_.reserve(preallocate);
  for (std::size_t i = 0; i < preallocate; ++i) free_.push_back(create());
}

PayloadPool::~PayloadPool() {
  assert(in_use() == 0 && "PayloadPool destroyed while payloads are still in flight");
  // Each payload's destructor frees its extensions, the pool's MemExt included.
}

PayloadPool::Payload* PayloadPool::create() {
  // Payloads are created at run time, after static initialisation has registered every extension
  // type, so the extension array is already large enough; MemExt must be attached with
  // set_extension, not set_auto_extension, or reset() would free it on every recycling.
  auto payload = std::make_unique<Payload>(this, max_data_bytes_);
  payload->set_extension(new MemExt);
  recycle(*payload);
  all_.push_back(std::move(payload));
  return all_.back().get();
}

tlm::tlm_generic_payload* PayloadPool::allocate() {
  Payload* p = nullptr;
  if (free_.empty()) {
    // The only allocations: while the pool grows to the run's peak number of transactions in
    // flight. free_ grows with all_ so that free() never has to.
    p = create();
    if (free_.capacity() < all_.size()) free_.reserve(2 * all_.size());
  } else {
    p = free_.back();
    free_.pop_back();
  }
  p->in_pool = false;
  return p;
}

void PayloadPool::free(tlm::tlm_generic_payload* gp) {
  // Every payload this pool is the memory manager of is one of its Payloads.
  auto* p = static_cast<Payload*>(gp);
  assert(!p->in_pool && "payload freed twice");
  assert(p->get_ref_count() == 0 && "payload freed while still acquired");
  recycle(*p);
  p->in_pool = true;
  free_.push_back(p);
}

void PayloadPool::recycle(Payload& p) {
  // reset() frees the extensions set with set_auto_extension (or release_extension) and resets
  // the gp option, but leaves the other attributes and set_extension extensions alone.
  p.reset();

  // Extensions another component set with set_extension belong to it; pointers to them must not
  // survive into the next transaction. They should have been cleared (or made auto) already.
  p.resize_extensions();
  const unsigned n = tlm::max_num_extensions();
  for (unsigned id = 0; id < n; ++id) {
    if (id != MemExt::ID && p.get_extension(id) != nullptr) {
      assert(false && "payload returned with a foreign non-auto extension still attached");
      p.set_extension(id, nullptr);
    }
  }

  MemExt* ext = p.get_extension<MemExt>();
  if (ext == nullptr) {
    // Someone released the pool's MemExt, so reset() freed it: a programming error, but the
    // pool restores its invariant rather than hand out a payload without one.
    assert(false && "the pool's MemExt was removed from a payload");
    ext = new MemExt;
    p.set_extension(ext);
  }
  ext->reset();

  p.set_command(tlm::TLM_IGNORE_COMMAND);
  p.set_address(0);
  p.set_data_ptr(p.buffer.get());
  p.set_data_length(0);
  p.set_streaming_width(0);
  p.set_byte_enable_ptr(nullptr);
  p.set_byte_enable_length(0);
  p.set_dmi_allowed(false);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

}  // namespace dmasim
