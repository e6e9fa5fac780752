#pragma once
// Quantities with explicit units in configuration values: "0.833ns", "8MiB", "933MHz", "1.2V",
// "58mA". Each is a distinct type, so a schema field says what unit family it accepts.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "models/common/sim_time.h"

namespace dmasim {

struct Duration {
  Picoseconds ps = 0;
  friend bool operator==(const Duration&, const Duration&) = default;
};
struct ByteSize {
  std::uint64_t bytes = 0;
  friend bool operator==(const ByteSize&, const ByteSize&) = default;
};
struct Frequency {
  std::uint64_t hz = 0;
  friend bool operator==(const Frequency&, const Frequency&) = default;
};
struct Voltage {
  double volts = 0;
  friend bool operator==(const Voltage&, const Voltage&) = default;
};
struct Current {
  double amps = 0;
  friend bool operator==(const Current&, const Current&) = default;
};

namespace units {

// Each returns nullopt when the text is not a number with one of the family's units. A bare
// number is accepted where the family has a natural base (bytes for sizes); durations,
// frequencies, voltages and currents need their unit.
std::optional<Duration> parse_duration(std::string_view text);
std::optional<ByteSize> parse_size(std::string_view text);
std::optional<Frequency> parse_frequency(std::string_view text);
std::optional<Voltage> parse_voltage(std::string_view text);
std::optional<Current> parse_current(std::string_view text);

// Exact text in the largest unit in which the value reads as at least 1: 833 ps -> "833ps",
// 7800000 ps -> "7.8us", 8 MiB -> "8MiB", 1536 bytes -> "1536B".
std::string format(Duration d);
std::string format(ByteSize s);
std::string format(Frequency f);
std::string format(Voltage v);
std::string format(Current c);

// Plain numbers, strictly: the whole text must be the number.
std::optional<std::uint64_t> parse_unsigned(std::string_view text);
std::optional<std::int64_t> parse_signed(std::string_view text);
std::optional<double> parse_double(std::string_view text);
std::optional<bool> parse_bool(std::string_view text);

}  // namespace units
}  // namespace dmasim
