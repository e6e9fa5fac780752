// The point of serialisation: one grant per cycle, also when grants are made out of time order.
#include "models/interconnect/serialisation_point.h"

#include <gtest/gtest.h>

namespace dmasim::interconnect {
namespace {

constexpr Picoseconds P = 1000;

TEST(SerialisationPoint, OneGrantPerCycle) {
  SerialisationPoint s(P);
  EXPECT_EQ(s.first_free(5 * P), 5 * P);
  s.grant(5 * P);
  EXPECT_EQ(s.first_free(5 * P), 6 * P);
  EXPECT_EQ(s.first_free(5 * P + 400), 6 * P);  // overlaps the granted cycle
  EXPECT_EQ(s.first_free(4 * P + 1), 6 * P);     // would overlap it too
  EXPECT_EQ(s.first_free(4 * P), 4 * P);         // ends as the grant starts
  EXPECT_EQ(s.first_free(6 * P), 6 * P);
}

TEST(SerialisationPoint, ALaterRequestForAnEarlierTimeUsesTheFreeCyclesBefore) {
  SerialisationPoint s(P);
  s.grant(10 * P);  // granted ahead of time
  EXPECT_EQ(s.first_free(3 * P), 3 * P);
  s.grant(3 * P);
  s.grant(s.first_free(9 * P + 500));  // 9.5 overlaps 10: pushed to 11
  EXPECT_EQ(s.first_free(9 * P + 500), 12 * P);
  EXPECT_EQ(s.first_free(10 * P), 12 * P);  // 10 and 11 are taken
}

TEST(SerialisationPoint, ForgetsGrantsWhoseCycleEnded) {
  SerialisationPoint s(P);
  for (Picoseconds t = 0; t < 10 * P; t += P) s.grant(t);
  EXPECT_EQ(s.held(), 10u);
  s.forget_before(5 * P);  // cycles 0..4 ended
  EXPECT_EQ(s.held(), 5u);
  EXPECT_EQ(s.first_free(5 * P), 10 * P);
  s.forget_before(5 * P + 1);  // the cycle starting at 5 is still under way
  EXPECT_EQ(s.held(), 5u);
}

TEST(SerialisationPoint, ManyGrantsAheadAreForgottenAndCompactedWithoutChangingAnswers) {
  // A core running ahead leaves many future grants; forgetting most of them compacts the store.
  SerialisationPoint s(P);
  for (Picoseconds t = 0; t < 300 * P; t += 2 * P) s.grant(t);  // every other cycle up to 298
  EXPECT_EQ(s.held(), 150u);
  s.forget_before(200 * P);  // 100 grants end: more than half, so they are compacted away
  EXPECT_EQ(s.held(), 50u);
  EXPECT_EQ(s.first_free(200 * P), 201 * P);  // 200 is taken, 201 free
  s.grant(201 * P);                            // out of order: between two held grants
  EXPECT_EQ(s.first_free(200 * P), 203 * P);
  s.grant(400 * P);
  EXPECT_EQ(s.held(), 52u);
  EXPECT_EQ(s.first_free(299 * P), 299 * P);
  EXPECT_EQ(s.first_free(400 * P), 401 * P);
}

}  // namespace
}  // namespace dmasim::interconnect
