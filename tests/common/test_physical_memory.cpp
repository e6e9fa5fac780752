// Functional physical memory: sparse, zero where never written, little-endian words.
#include "models/common/memory/physical_memory.h"

#include <array>

#include <gtest/gtest.h>

namespace dmasim {
namespace {

TEST(PhysicalMemory, ReadsZeroUntilWrittenAndKeepsWords) {
  PhysicalMemory m;
  EXPECT_EQ(m.read32(0x4000'0000), 0u);
  m.write32(0x4000'0004, 0xA1B2C3D4);
  EXPECT_EQ(m.read32(0x4000'0004), 0xA1B2C3D4u);
  std::array<std::uint8_t, 4> b{};
  m.read(0x4000'0004, b);
  EXPECT_EQ(b[0], 0xD4);  // little-endian
  EXPECT_EQ(m.pages(), 1u);
}

TEST(PhysicalMemory, AccessesMayCrossPages) {
  PhysicalMemory m;
  std::array<std::uint8_t, 8> in{1, 2, 3, 4, 5, 6, 7, 8}, out{};
  m.write(0x1FFC, in);
  m.read(0x1FFC, out);
  EXPECT_EQ(in, out);
  EXPECT_EQ(m.pages(), 2u);
}

}  // namespace
}  // namespace dmasim
