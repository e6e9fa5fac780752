// LinkTable against a std::map reference: every payload added is found until taken, taken once,
// through growth and through deletions in the middle of probe runs.
#include "models/common/tlm/link_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

namespace dmasim {
namespace {

struct Item {
  int id = 0;
};

TEST(LinkTable, AddTakeFind) {
  LinkTable<Item, int> t(8);
  Item a, b;
  t.add(&a, 1);
  t.add(&b, 2);
  ASSERT_NE(t.find(&a), nullptr);
  EXPECT_EQ(*t.find(&a), 1);
  int out = 0;
  EXPECT_TRUE(t.take(&a, out));
  EXPECT_EQ(out, 1);
  EXPECT_EQ(t.find(&a), nullptr);
  EXPECT_FALSE(t.take(&a, out));
  EXPECT_EQ(t.size(), 1u);
  EXPECT_TRUE(t.take(&b, out));
  EXPECT_EQ(out, 2);
  EXPECT_EQ(t.size(), 0u);
}

TEST(LinkTable, MatchesAMapUnderRandomTraffic) {
  std::vector<Item> items(500);
  LinkTable<Item, int> t(8);  // grows several times
  std::map<const Item*, int> ref;
  std::mt19937 rng(7);
  for (int step = 0; step < 20000; ++step) {
    Item* k = &items[rng() % items.size()];
    if (ref.count(k) == 0) {
      t.add(k, step);
      ref[k] = step;
    } else {
      int out = -1;
      ASSERT_TRUE(t.take(k, out)) << step;
      EXPECT_EQ(out, ref[k]);
      ref.erase(k);
    }
    ASSERT_EQ(t.size(), ref.size());
    if (step % 997 == 0)
      for (const Item& i : items) {
        const int* v = t.find(&i);
        const auto it = ref.find(&i);
        ASSERT_EQ(v != nullptr, it != ref.end());
        if (v != nullptr) {
          EXPECT_EQ(*v, it->second);
        }
      }
  }
}

}  // namespace
}  // namespace dmasim
