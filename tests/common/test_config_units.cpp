// Units: quantities with explicit units in configuration values ("0.833ns", "8MiB", "933MHz",
// "1.2V", "58mA") and strict plain numbers. Expectations are computed by hand, not from the code.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "models/common/config/units.h"

namespace dmasim {
namespace {

using units::format;
using units::parse_bool;
using units::parse_current;
using units::parse_double;
using units::parse_duration;
using units::parse_frequency;
using units::parse_signed;
using units::parse_size;
using units::parse_unsigned;
using units::parse_voltage;

std::optional<Picoseconds> ps(const char* text) {
  const auto d = parse_duration(text);
  if (!d) return std::nullopt;
  return d->ps;
}

std::optional<std::uint64_t> bytes(const char* text) {
  const auto s = parse_size(text);
  if (!s) return std::nullopt;
  return s->bytes;
}

std::optional<std::uint64_t> hz(const char* text) {
  const auto f = parse_frequency(text);
  if (!f) return std::nullopt;
  return f->hz;
}

// ---- durations ------------------------------------------------------------------------------

TEST(UnitsDuration, ParsesEveryTimeUnitToPicoseconds) {
  EXPECT_EQ(ps("0.833ns"), 833u);
  EXPECT_EQ(ps("7.8us"), 7'800'000u);
  EXPECT_EQ(ps("350ns"), 350'000u);
  EXPECT_EQ(ps("1s"), 1'000'000'000'000u);
  EXPECT_EQ(ps("1ps"), 1u);
  EXPECT_EQ(ps("64ms"), 64'000'000'000u);
  EXPECT_EQ(ps("13.75ns"), 13'750u);
  EXPECT_EQ(ps("0ns"), 0u);
  EXPECT_EQ(ps("1.25ns"), 1'250u);
  EXPECT_EQ(ps("3.9us"), 3'900'000u);
  EXPECT_EQ(ps("0.000001s"), 1'000'000u);
}

TEST(UnitsDuration, AcceptsSpacingExponentsAndPlusSign) {
  EXPECT_EQ(ps("350 ns"), 350'000u);
  EXPECT_EQ(ps("  350ns  "), 350'000u);
  EXPECT_EQ(ps("1e3ns"), 1'000'000u);
  EXPECT_EQ(ps("2e-3s"), 2'000'000'000u);
  EXPECT_EQ(ps("1.5E2ps"), 150u);
  EXPECT_EQ(ps("+5ns"), 5'000u);
}

TEST(UnitsDuration, RejectsFractionalPicosecondsBareNumbersAndBadUnits) {
  EXPECT_EQ(ps("0.5ps"), std::nullopt);  // not a whole picosecond
  EXPECT_EQ(ps("0.0005ns"), std::nullopt);
  EXPECT_EQ(ps("12"), std::nullopt);  // a duration needs its unit
  EXPECT_EQ(ps("12 parsecs"), std::nullopt);
  EXPECT_EQ(ps("-1ns"), std::nullopt);
  EXPECT_EQ(ps("ns"), std::nullopt);
  EXPECT_EQ(ps(""), std::nullopt);
  EXPECT_EQ(ps("   "), std::nullopt);
  EXPECT_EQ(ps("12NS"), std::nullopt);  // units are case-sensitive
  EXPECT_EQ(ps("12 n s"), std::nullopt);
  EXPECT_EQ(ps("1.2.3ns"), std::nullopt);
  EXPECT_EQ(ps("1-2ns"), std::nullopt);
  EXPECT_EQ(ps("1ens"), std::nullopt);
  EXPECT_EQ(ps("infns"), std::nullopt);
  EXPECT_EQ(ps("nanns"), std::nullopt);
  EXPECT_EQ(ps("1e400ns"), std::nullopt);
  EXPECT_EQ(ps("12MiB"), std::nullopt);  // another family's unit
  EXPECT_EQ(ps("0x10ns"), std::nullopt);
}

// A fraction of a picosecond (or byte, or hertz) is rejected however large the value: the
// tolerance is for floating-point noise only, not for rounding the user's number.
TEST(UnitsDuration, RejectsFractionsOfTheBaseUnitAtAnyMagnitude) {
  EXPECT_EQ(ps("1000000.5ps"), std::nullopt);
  EXPECT_EQ(ps("1.0000005us"), std::nullopt);
  EXPECT_EQ(ps("123456.7891ns"), std::nullopt);
  EXPECT_EQ(bytes("1000000.3"), std::nullopt);
  EXPECT_EQ(bytes("1.0000001MiB"), std::nullopt);
  EXPECT_EQ(hz("1000.0005kHz"), std::nullopt);
  // while values that are whole after scaling are accepted
  EXPECT_EQ(ps("123456.789ns"), 123'456'789u);
  EXPECT_EQ(ps("7.8125us"), 7'812'500u);
  EXPECT_EQ(bytes("0.25GiB"), 268'435'456u);
  EXPECT_EQ(hz("1066.666667MHz"), 1'066'666'667u);
}

TEST(UnitsDuration, FormatsInTheLargestUnitThatReadsAsAtLeastOne) {
  EXPECT_EQ(format(Duration{7'800'000}), "7.8us");
  EXPECT_EQ(format(Duration{350'000}), "350ns");
  EXPECT_EQ(format(Duration{1'000'000'000'000}), "1s");
  EXPECT_EQ(format(Duration{13'750}), "13.75ns");
  EXPECT_EQ(format(Duration{1'250}), "1.25ns");
  EXPECT_EQ(format(Duration{64'000'000'000}), "64ms");
  EXPECT_EQ(format(Duration{1}), "1ps");
  EXPECT_EQ(format(Duration{0}), "0ps");
  EXPECT_EQ(format(Duration{833}), "833ps");
}

// format() promises exact text: every picosecond must survive a round trip, even where the
// largest unit needs many decimals (1 ms + 1 ps, 1 s + 1 ps).
TEST(UnitsDuration, FormatIsExactForValuesNeedingManyDecimals) {
  for (const Picoseconds v : {Picoseconds{1'000'000'001}, Picoseconds{1'234'567'891}, Picoseconds{1'000'000'000'001},
                              Picoseconds{3'600'000'000'000'123}, Picoseconds{12'345'678}, Picoseconds{999'999},
                              Picoseconds{1'000'001}}) {
    const std::string text = format(Duration{v});
    const auto back = parse_duration(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(back->ps, v) << "formatted as " << text;
  }
  EXPECT_EQ(format(Duration{1'000'000'001}), "1.000000001ms");
}

TEST(UnitsDuration, RoundTripsThroughText) {
  for (const char* text : {"0.833ns", "7.8us", "350ns", "1s", "13.75ns", "0.625ns", "1.071ns", "3.9us", "64ms",
                           "2.5ns", "1ps", "999ps", "1.000001us", "12.345678ms"}) {
    const auto first = parse_duration(text);
    ASSERT_TRUE(first.has_value()) << text;
    const std::string formatted = format(*first);
    const auto second = parse_duration(formatted);
    ASSERT_TRUE(second.has_value()) << text << " -> " << formatted;
    EXPECT_EQ(*second, *first) << text << " -> " << formatted;
    EXPECT_EQ(format(*second), formatted) << "format is not stable for " << text;
  }
}

// ---- sizes --------------------------------------------------------------------------------

TEST(UnitsSize, ParsesBinaryDecimalAndBareBytes) {
  EXPECT_EQ(bytes("8MiB"), 8'388'608u);
  EXPECT_EQ(bytes("4096"), 4096u);
  EXPECT_EQ(bytes("1.5KiB"), 1536u);
  EXPECT_EQ(bytes("1GB"), 1'000'000'000u);
  EXPECT_EQ(bytes("64B"), 64u);
  EXPECT_EQ(bytes("4KiB"), 4096u);
  EXPECT_EQ(bytes("2GiB"), 2'147'483'648u);
  EXPECT_EQ(bytes("1TiB"), 1'099'511'627'776u);
  EXPECT_EQ(bytes("1kB"), 1000u);
  EXPECT_EQ(bytes("1KB"), 1000u);
  EXPECT_EQ(bytes("3MB"), 3'000'000u);
  EXPECT_EQ(bytes("0"), 0u);
  EXPECT_EQ(bytes("0.5KiB"), 512u);
  EXPECT_EQ(bytes("16 MiB"), 16u * 1024 * 1024);
}

TEST(UnitsSize, RejectsFractionalBytesAndNonsense) {
  EXPECT_EQ(bytes("1.3B"), std::nullopt);
  EXPECT_EQ(bytes("1.3"), std::nullopt);
  EXPECT_EQ(bytes("0.1KiB"), std::nullopt);  // 102.4 bytes
  EXPECT_EQ(bytes("-1"), std::nullopt);
  EXPECT_EQ(bytes("-4KiB"), std::nullopt);
  EXPECT_EQ(bytes("8mib"), std::nullopt);
  EXPECT_EQ(bytes("8Mb"), std::nullopt);
  EXPECT_EQ(bytes("MiB"), std::nullopt);
  EXPECT_EQ(bytes(""), std::nullopt);
  EXPECT_EQ(bytes("5ns"), std::nullopt);
  EXPECT_EQ(bytes("99999999TiB"), std::nullopt);  // beyond 64 bits
}

TEST(UnitsSize, FormatsWithExactBinaryUnitsOrBytes) {
  EXPECT_EQ(format(ByteSize{8'388'608}), "8MiB");
  EXPECT_EQ(format(ByteSize{1536}), "1536B");  // 1.5 KiB is not a whole KiB
  EXPECT_EQ(format(ByteSize{4096}), "4KiB");
  EXPECT_EQ(format(ByteSize{1'000'000'000}), "1000000000B");
  EXPECT_EQ(format(ByteSize{0}), "0B");
  EXPECT_EQ(format(ByteSize{64}), "64B");
  EXPECT_EQ(format(ByteSize{3ull << 30}), "3GiB");
  EXPECT_EQ(format(ByteSize{1ull << 40}), "1TiB");
  EXPECT_EQ(format(ByteSize{1024ull << 40}), "1024TiB");
}

TEST(UnitsSize, RoundTripsThroughText) {
  for (const char* text : {"8MiB", "4096", "1.5KiB", "1GB", "64", "0", "2GiB", "12345", "1TiB", "768MiB"}) {
    const auto first = parse_size(text);
    ASSERT_TRUE(first.has_value()) << text;
    const auto second = parse_size(format(*first));
    ASSERT_TRUE(second.has_value()) << text << " -> " << format(*first);
    EXPECT_EQ(*second, *first) << text;
  }
}

// ---- frequencies --------------------------------------------------------------------------

TEST(UnitsFrequency, ParsesAndFormats) {
  EXPECT_EQ(hz("933MHz"), 933'000'000u);
  EXPECT_EQ(hz("1.2GHz"), 1'200'000'000u);
  EXPECT_EQ(hz("800kHz"), 800'000u);
  EXPECT_EQ(hz("50Hz"), 50u);
  EXPECT_EQ(hz("1866.666667MHz"), 1'866'666'667u);
  EXPECT_EQ(hz("933"), std::nullopt);  // needs a unit
  EXPECT_EQ(hz("933mhz"), std::nullopt);
  EXPECT_EQ(hz("0.5Hz"), std::nullopt);
  EXPECT_EQ(hz("-1MHz"), std::nullopt);
  EXPECT_EQ(format(Frequency{933'000'000}), "933MHz");
  EXPECT_EQ(format(Frequency{1'200'000'000}), "1.2GHz");
  EXPECT_EQ(format(Frequency{800'000}), "800kHz");
  EXPECT_EQ(format(Frequency{50}), "50Hz");
}

TEST(UnitsFrequency, FormatIsExactToTheHertz) {
  for (const std::uint64_t v : {std::uint64_t{1'866'666'667}, std::uint64_t{1'066'666'667}, std::uint64_t{933'333'333},
                                std::uint64_t{1'000'000'001}, std::uint64_t{2'133'000'000}}) {
    const std::string text = format(Frequency{v});
    const auto back = parse_frequency(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(back->hz, v) << "formatted as " << text;
  }
}

// ---- voltages and currents --------------------------------------------------------------

TEST(UnitsVoltage, ParsesAndFormats) {
  ASSERT_TRUE(parse_voltage("1.2V"));
  EXPECT_DOUBLE_EQ(parse_voltage("1.2V")->volts, 1.2);
  EXPECT_DOUBLE_EQ(parse_voltage("1100mV")->volts, 1.1);
  EXPECT_DOUBLE_EQ(parse_voltage("0.6 V")->volts, 0.6);
  EXPECT_EQ(parse_voltage("1.2"), std::nullopt);
  EXPECT_EQ(parse_voltage("1.2v"), std::nullopt);
  EXPECT_EQ(parse_voltage("1.2mA"), std::nullopt);
  EXPECT_EQ(parse_voltage("V"), std::nullopt);
  EXPECT_EQ(format(Voltage{1.2}), "1.2V");
  EXPECT_EQ(format(Voltage{2.5}), "2.5V");
  EXPECT_EQ(format(Voltage{0}), "0V");
}

TEST(UnitsCurrent, ParsesAndFormats) {
  ASSERT_TRUE(parse_current("58mA"));
  EXPECT_DOUBLE_EQ(parse_current("58mA")->amps, 0.058);
  EXPECT_DOUBLE_EQ(parse_current("1.5A")->amps, 1.5);
  EXPECT_DOUBLE_EQ(parse_current("250uA")->amps, 0.00025);
  EXPECT_EQ(parse_current("58"), std::nullopt);
  EXPECT_EQ(parse_current("58MA"), std::nullopt);
  EXPECT_EQ(parse_current("58mV"), std::nullopt);
  EXPECT_EQ(format(Current{0.058}), "58mA");
  EXPECT_EQ(format(Current{1.5}), "1500mA");
  EXPECT_EQ(format(Current{0.00025}), "0.25mA");
}

// The same quantity written in different units is the same value, exactly: a memspec that says
// 9mV and one that says 0.009V must give bit-identical energies.
TEST(UnitsVoltage, MillivoltsEqualVoltsExactly) {
  for (int mv = 1; mv <= 3000; ++mv) {
    const std::string milli = std::to_string(mv) + "mV";
    const std::string volts = format(Voltage{mv / 1000.0});
    const auto a = parse_voltage(milli);
    const auto b = parse_voltage(volts);
    ASSERT_TRUE(a && b) << milli << " / " << volts;
    ASSERT_EQ(a->volts, b->volts) << milli << " vs " << volts;
    // and written back, the value reads as itself
    ASSERT_EQ(parse_voltage(format(*a))->volts, a->volts) << milli << " -> " << format(*a);
  }
}

TEST(UnitsCurrent, MilliampsEqualAmpsExactly) {
  for (int ma = 1; ma <= 3000; ++ma) {
    const std::string milli = std::to_string(ma) + "mA";
    const auto a = parse_current(milli);
    ASSERT_TRUE(a) << milli;
    ASSERT_EQ(a->amps, ma / 1000.0) << milli;
    ASSERT_EQ(parse_current(format(*a))->amps, a->amps) << milli << " -> " << format(*a);
  }
}

TEST(UnitsVoltage, RoundTripsThroughText) {
  for (const char* text : {"1.2V", "2.5V", "1.1V", "0.6V", "1.8V", "1350mV", "9mV", "0.05V"}) {
    const auto first = parse_voltage(text);
    ASSERT_TRUE(first.has_value()) << text;
    const auto second = parse_voltage(format(*first));
    ASSERT_TRUE(second.has_value()) << text << " -> " << format(*first);
    EXPECT_EQ(second->volts, first->volts) << text << " -> " << format(*first);
  }
  for (const char* text : {"58mA", "0.058A", "36mA", "0.036A", "1.5A", "250uA", "3mA", "120mA"}) {
    const auto first = parse_current(text);
    ASSERT_TRUE(first.has_value()) << text;
    const auto second = parse_current(format(*first));
    ASSERT_TRUE(second.has_value()) << text << " -> " << format(*first);
    EXPECT_EQ(second->amps, first->amps) << text << " -> " << format(*first);
  }
}

// ---- plain numbers ------------------------------------------------------------------------

TEST(UnitsPlain, UnsignedDecimalAndHex) {
  EXPECT_EQ(parse_unsigned("0x40"), 64u);
  EXPECT_EQ(parse_unsigned("0X40"), 64u);
  EXPECT_EQ(parse_unsigned("0xffffffffffffffff"), 0xffff'ffff'ffff'ffffull);
  EXPECT_EQ(parse_unsigned("0xDeadBeef"), 0xdeadbeefu);
  EXPECT_EQ(parse_unsigned("12"), 12u);
  EXPECT_EQ(parse_unsigned(" 12 "), 12u);
  EXPECT_EQ(parse_unsigned("012"), 12u);  // decimal, not octal
  EXPECT_EQ(parse_unsigned("0"), 0u);
  EXPECT_EQ(parse_unsigned("18446744073709551615"), 18446744073709551615ull);
  EXPECT_EQ(parse_unsigned("18446744073709551616"), std::nullopt);
  EXPECT_EQ(parse_unsigned("0x1ffffffffffffffff"), std::nullopt);
  EXPECT_EQ(parse_unsigned("-1"), std::nullopt);
  EXPECT_EQ(parse_unsigned("+1"), std::nullopt);
  EXPECT_EQ(parse_unsigned("0x"), std::nullopt);
  EXPECT_EQ(parse_unsigned("0x-1"), std::nullopt);
  EXPECT_EQ(parse_unsigned("0x40g"), std::nullopt);
  EXPECT_EQ(parse_unsigned("1.0"), std::nullopt);
  EXPECT_EQ(parse_unsigned("1e3"), std::nullopt);
  EXPECT_EQ(parse_unsigned("abc"), std::nullopt);
  EXPECT_EQ(parse_unsigned(""), std::nullopt);
  EXPECT_EQ(parse_unsigned("1 2"), std::nullopt);
}

TEST(UnitsPlain, SignedAndDouble) {
  EXPECT_EQ(parse_signed("-5"), -5);
  EXPECT_EQ(parse_signed("+5"), 5);
  EXPECT_EQ(parse_signed("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(parse_signed("9223372036854775808"), std::nullopt);
  EXPECT_EQ(parse_signed("+-5"), std::nullopt);
  EXPECT_EQ(parse_signed("--5"), std::nullopt);
  EXPECT_EQ(parse_signed("+"), std::nullopt);
  EXPECT_EQ(parse_signed("5x"), std::nullopt);
  EXPECT_EQ(parse_double("2.5"), 2.5);
  EXPECT_EQ(parse_double("-2.5e-3"), -2.5e-3);
  EXPECT_EQ(parse_double("+1"), 1.0);
  EXPECT_EQ(parse_double("+-1"), std::nullopt);
  EXPECT_EQ(parse_double("inf"), std::nullopt);
  EXPECT_EQ(parse_double("nan"), std::nullopt);
  EXPECT_EQ(parse_double("1e999"), std::nullopt);
  EXPECT_EQ(parse_double("1.5ns"), std::nullopt);
  EXPECT_EQ(parse_double(""), std::nullopt);
  EXPECT_EQ(parse_double("0x10"), std::nullopt);
}

TEST(UnitsPlain, Bool) {
  for (const char* t : {"true", "yes", "on"}) EXPECT_EQ(parse_bool(t), true) << t;
  for (const char* t : {"false", "no", "off"}) EXPECT_EQ(parse_bool(t), false) << t;
  for (const char* t : {"", "1", "0", "maybe", "tru"}) EXPECT_EQ(parse_bool(t), std::nullopt) << t;
}

}  // namespace
}  // namespace dmasim
