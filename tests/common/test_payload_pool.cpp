// PayloadPool and MemExt: the TLM-2.0 reference-count life cycle, recycling with a reset MemExt,
// LIFO reuse without growth, auto extensions freed on recycling, and MemExt deep copies.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

#include <tlm>

#include "models/common/tlm/mem_ext.h"
#include "models/common/tlm/payload_pool.h"

namespace dmasim {
namespace {

// An extension that counts its live instances, to see who frees what.
class CountedExt final : public tlm::tlm_extension<CountedExt> {
 public:
  static inline int live = 0;
  CountedExt() { ++live; }
  CountedExt(const CountedExt&) : tlm::tlm_extension<CountedExt>() { ++live; }
  ~CountedExt() override { --live; }
  tlm::tlm_extension_base* clone() const override { return new CountedExt(*this); }
  void copy_from(const tlm::tlm_extension_base&) override {}
};

void dirty(tlm::tlm_generic_payload& gp, MemExt& ext, unsigned char* foreign_data) {
  gp.set_write();
  gp.set_address(0x8000'1000);
  gp.set_data_ptr(foreign_data);
  gp.set_data_length(64);
  gp.set_streaming_width(64);
  gp.set_byte_enable_length(4);
  gp.set_dmi_allowed(true);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  gp.set_gp_option(tlm::TLM_FULL_PAYLOAD);
  ext.initiator_id = 3;
  ext.stream_id = 17;
  ext.mem_type = MemType::Device;
  ext.coherence = Coherence::IoCoherent;
  ext.txn_id = 123456;
  ext.created_at = 999;
  ext.add_version(11);
  ext.add_version(12);
}

void expect_pristine(const tlm::tlm_generic_payload& gp) {
  EXPECT_EQ(gp.get_ref_count(), 0);
  EXPECT_TRUE(gp.has_mm());
  EXPECT_EQ(gp.get_command(), tlm::TLM_IGNORE_COMMAND);
  EXPECT_EQ(gp.get_address(), 0u);
  EXPECT_NE(gp.get_data_ptr(), nullptr);
  EXPECT_EQ(gp.get_data_length(), 0u);
  EXPECT_EQ(gp.get_streaming_width(), 0u);
  EXPECT_EQ(gp.get_byte_enable_ptr(), nullptr);
  EXPECT_EQ(gp.get_byte_enable_length(), 0u);
  EXPECT_FALSE(gp.is_dmi_allowed());
  EXPECT_EQ(gp.get_response_status(), tlm::TLM_INCOMPLETE_RESPONSE);
  EXPECT_EQ(gp.get_gp_option(), tlm::TLM_MIN_PAYLOAD);
  const MemExt* ext = gp.get_extension<MemExt>();
  ASSERT_NE(ext, nullptr);
  EXPECT_EQ(ext->initiator_id, 0u);
  EXPECT_EQ(ext->stream_id, 0u);
  EXPECT_EQ(ext->mem_type, MemType::NormalWriteBack);
  EXPECT_EQ(ext->coherence, Coherence::NonCoherent);
  EXPECT_EQ(ext->txn_id, 0u);
  EXPECT_EQ(ext->created_at, 0u);
  EXPECT_EQ(ext->version_count(), 0u);
}

TEST(PayloadPool, FreshPayloadIsPristineWithMemExtAndBuffer) {
  PayloadPool pool;
  tlm::tlm_generic_payload* gp = pool.allocate();
  expect_pristine(*gp);
  EXPECT_EQ(pool.in_use(), 1u);
  EXPECT_EQ(pool.max_data_bytes(), 256u);
  std::memset(gp->get_data_ptr(), 0xa5, pool.max_data_bytes());  // ASan checks the size
  gp->acquire();
  gp->release();
  EXPECT_EQ(pool.in_use(), 0u);
}

TEST(PayloadPool, RefCountRoundTripReturnsPayloadReset) {
  PayloadPool pool;
  tlm::tlm_generic_payload* gp = pool.allocate();
  unsigned char* own_buffer = gp->get_data_ptr();
  MemExt* ext = gp->get_extension<MemExt>();
  unsigned char foreign[64] = {};

  gp->acquire();  // initiator
  gp->acquire();  // a target keeping it for a later phase
  dirty(*gp, MemExt::of(*gp), foreign);
  gp->release();
  EXPECT_EQ(pool.in_use(), 1u);  // one reference left: still in flight
  EXPECT_EQ(gp->get_address(), 0x8000'1000u);
  gp->release();
  EXPECT_EQ(pool.in_use(), 0u);

  tlm::tlm_generic_payload* again = pool.allocate();
  EXPECT_EQ(again, gp);                             // LIFO: the same object comes back
  EXPECT_EQ(again->get_extension<MemExt>(), ext);   // with the same MemExt, not a new one
  EXPECT_EQ(again->get_data_ptr(), own_buffer);     // and its own buffer, not the foreign one
  expect_pristine(*again);
  again->acquire();
  again->release();
}

TEST(PayloadPool, FreeListIsLifoAndSteadyStateDoesNotGrow) {
  PayloadPool pool;
  std::vector<tlm::tlm_generic_payload*> batch;
  for (int i = 0; i < 100; ++i) {
    batch.push_back(pool.allocate());
    batch.back()->acquire();
  }
  EXPECT_EQ(pool.capacity(), 100u);
  EXPECT_EQ(pool.in_use(), 100u);
  EXPECT_EQ(std::set<tlm::tlm_generic_payload*>(batch.begin(), batch.end()).size(), 100u);

  for (auto* gp : batch) gp->release();
  EXPECT_EQ(pool.in_use(), 0u);
  std::vector<tlm::tlm_generic_payload*> previous = batch;
  for (int round = 0; round < 10; ++round) {
    std::vector<tlm::tlm_generic_payload*> again;
    for (int i = 0; i < 100; ++i) {
      again.push_back(pool.allocate());
      again.back()->acquire();
    }
    // The previous round was released first-to-last, so it comes back last-to-first.
    EXPECT_TRUE(std::equal(again.begin(), again.end(), previous.rbegin()));
    for (auto* gp : again) gp->release();
    previous = again;
  }
  EXPECT_EQ(pool.capacity(), 100u);
  EXPECT_EQ(pool.in_use(), 0u);

  tlm::tlm_generic_payload* a = pool.allocate();
  tlm::tlm_generic_payload* b = pool.allocate();
  a->acquire();
  b->acquire();
  a->release();
  b->release();
  EXPECT_EQ(pool.allocate(), b);
  EXPECT_EQ(pool.allocate(), a);
  a->acquire();
  b->acquire();
  a->release();
  b->release();
}

TEST(PayloadPool, PreallocatedAndCustomSize) {
  PayloadPool pool(64, 8);
  EXPECT_EQ(pool.capacity(), 8u);
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_EQ(pool.max_data_bytes(), 64u);
  std::vector<tlm::tlm_generic_payload*> all;
  for (int i = 0; i < 8; ++i) {
    all.push_back(pool.allocate());
    all.back()->acquire();
    std::memset(all.back()->get_data_ptr(), i, 64);
  }
  EXPECT_EQ(pool.capacity(), 8u);
  all.push_back(pool.allocate());  // the ninth grows the pool
  all.back()->acquire();
  EXPECT_EQ(pool.capacity(), 9u);
  for (auto* gp : all) gp->release();
  EXPECT_EQ(pool.in_use(), 0u);
}

TEST(PayloadPool, AutoExtensionsAreFreedOnRecycling) {
  PayloadPool pool;
  ASSERT_EQ(CountedExt::live, 0);
  tlm::tlm_generic_payload* gp = pool.allocate();
  gp->acquire();
  gp->set_auto_extension(new CountedExt);
  EXPECT_EQ(CountedExt::live, 1);
  gp->release();
  EXPECT_EQ(CountedExt::live, 0);
  tlm::tlm_generic_payload* again = pool.allocate();
  EXPECT_EQ(again, gp);
  EXPECT_EQ(again->get_extension<CountedExt>(), nullptr);
  EXPECT_NE(again->get_extension<MemExt>(), nullptr);
  again->acquire();
  again->release();
}

TEST(PayloadPool, DeepCopyOfPooledPayloadCopiesMemExt) {
  // deep_copy_from clones extensions: the clone must be independent of the pooled original.
  PayloadPool pool;
  tlm::tlm_generic_payload* gp = pool.allocate();
  gp->acquire();
  MemExt& ext = MemExt::of(*gp);
  ext.txn_id = 77;
  ext.add_version(5);
  {
    tlm::tlm_generic_payload copy;  // no memory manager: its destructor frees the clone
    copy.deep_copy_from(*gp);
    MemExt* cloned = copy.get_extension<MemExt>();
    ASSERT_NE(cloned, nullptr);
    EXPECT_NE(cloned, &ext);
    EXPECT_EQ(cloned->txn_id, 77u);
    ASSERT_EQ(cloned->version_count(), 1u);
    EXPECT_EQ(cloned->versions()[0], 5u);
    cloned->set_version(0, 6);
    EXPECT_EQ(ext.versions()[0], 5u);
    // update_extensions_from copies back into the original's existing MemExt (copy_from).
    gp->update_extensions_from(copy);
    EXPECT_EQ(ext.versions()[0], 6u);
  }
  gp->release();
}

TEST(PayloadPool, ForeignNonAutoExtensionIsAProgrammingError) {
  // An extension set with set_extension belongs to whoever set it; it must be cleared before the
  // last release(). Debug builds assert; release builds drop the pointer rather than leak it
  // into the next transaction.
  PayloadPool pool;
  CountedExt foreign;  // owned here, never freed by the pool
  tlm::tlm_generic_payload* gp = pool.allocate();
  gp->acquire();
  gp->set_extension(&foreign);
#ifdef NDEBUG
  gp->release();
  EXPECT_EQ(pool.allocate(), gp);
  EXPECT_EQ(gp->get_extension<CountedExt>(), nullptr);
  EXPECT_NE(gp->get_extension<MemExt>(), nullptr);
  EXPECT_EQ(CountedExt::live, 1);  // still alive: the pool did not free what it does not own
  gp->acquire();
  gp->release();
#else
  EXPECT_DEATH(gp->release(), "foreign");
  gp->clear_extension(&foreign);
  gp->release();
#endif
}

TEST(PayloadPool, DestroyingWithPayloadsInFlightAsserts) {
  EXPECT_DEBUG_DEATH(
      {
        PayloadPool pool;
        pool.allocate()->acquire();
      },
      "in flight");
}

TEST(PayloadPoolMemExt, VersionsResetAndCopy) {
  MemExt ext;
  EXPECT_EQ(MemExt::kMaxLines, 4u);
  for (std::uint64_t v = 1; v <= 4; ++v) ext.add_version(v * 10);
  ASSERT_EQ(ext.version_count(), 4u);
  EXPECT_EQ(ext.versions()[3], 40u);
  ext.clear_versions();
  EXPECT_TRUE(ext.versions().empty());
  ext.stream_id = 9;
  ext.reset();
  EXPECT_EQ(ext.stream_id, 0u);
  MemExt other;
  other.coherence = Coherence::FullyCoherent;
  other.add_version(3);
  ext.copy_from(other);
  EXPECT_EQ(ext.coherence, Coherence::FullyCoherent);
  EXPECT_EQ(ext.version_count(), 1u);
  EXPECT_EQ(to_string(MemType::NormalNonCacheable), "normal-nc");
  EXPECT_EQ(to_string(Coherence::IoCoherent), "io-coherent");
}

}  // namespace
}  // namespace dmasim
