#include "models/common/config/units.h"

#include <fmt/format.h>

#include <charconv>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <utility>

namespace dmasim::units {
namespace {

struct Unit {
  std::string_view suffix;
  double scale;  // multiplier to the base unit
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits "12.5 MiB" into the number and the unit, then scales. Units are matched exactly
// (case-sensitive: "mA" and "MA" are different things).
template <std::size_t N>
std::optional<double> parse_scaled(std::string_view text, const Unit (&table)[N], bool bare_ok) {
  text = trim(text);
  std::size_t split = 0;
  while (split < text.size() && (std::isdigit(static_cast<unsigned char>(text[split])) != 0 ||
                                 text[split] == '.' || text[split] == '-' || text[split] == '+' ||
                                 text[split] == 'e' || text[split] == 'E')) {
    // 'e' only as an exponent: it must be followed by a digit or sign.
    if ((text[split] == 'e' || text[split] == 'E') &&
        (split + 1 >= text.size() ||
         !(std::isdigit(static_cast<unsigned char>(text[split + 1])) != 0 || text[split + 1] == '-' ||
           text[split + 1] == '+')))
      break;
    ++split;
  }
  const auto number = parse_double(text.substr(0, split));
  if (!number) return std::nullopt;
  const std::string_view unit = trim(text.substr(split));
  if (unit.empty()) return bare_ok ? number : std::nullopt;
  for (const auto& u : table) {
    if (u.suffix != unit) continue;
    // Sub-units divide by an exact power of ten: 9 * 1e-3 is not the double nearest 0.009,
    // 9 / 1e3 is, so "9mV" and "0.009V" are the same value.
    if (u.scale < 1) return *number / std::round(1 / u.scale);
    return *number * u.scale;
  }
  return std::nullopt;
}

constexpr Unit kTimeUnits[] = {{"ps", 1}, {"ns", 1e3}, {"us", 1e6}, {"ms", 1e9}, {"s", 1e12}};
constexpr Unit kSizeUnits[] = {{"B", 1},
                               {"KiB", 1024.0},
                               {"MiB", 1024.0 * 1024},
                               {"GiB", 1024.0 * 1024 * 1024},
                               {"TiB", 1024.0 * 1024 * 1024 * 1024},
                               {"kB", 1e3},
                               {"KB", 1e3},
                               {"MB", 1e6},
                               {"GB", 1e9}};
constexpr Unit kFreqUnits[] = {{"Hz", 1}, {"kHz", 1e3}, {"MHz", 1e6}, {"GHz", 1e9}};
constexpr Unit kVoltUnits[] = {{"V", 1}, {"mV", 1e-3}};
constexpr Unit kAmpUnits[] = {{"A", 1}, {"mA", 1e-3}, {"uA", 1e-6}};

std::optional<std::uint64_t> to_integer(std::optional<double> v) {
  if (!v || *v < 0 || *v > 1.8e19) return std::nullopt;
  const double rounded = std::round(*v);
  // Reject values that are not (within float noise) whole base units: 0.5 ps is not a duration,
  // and neither is 1000000.5 ps. Parsing and scaling err by a few 1e-16 relative at most.
  if (std::fabs(rounded - *v) > 1e-12 * std::max(1.0, std::fabs(*v))) return std::nullopt;
  return static_cast<std::uint64_t>(rounded);
}

std::string trim_zeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

template <std::size_t N>
std::string format_scaled(std::uint64_t value, const Unit (&table)[N], std::size_t first, std::size_t last) {
  // Largest unit in which the value is >= 1 (or the smallest for zero). The scales are powers of
  // ten, so the text is exact in integers: 1000000001 ps is "1.000000001ms", not "1ms".
  std::size_t pick = first;
  for (std::size_t i = first; i <= last; ++i)
    if (value >= static_cast<std::uint64_t>(table[i].scale)) pick = i;
  const auto scale = static_cast<std::uint64_t>(table[pick].scale);
  std::string text = std::to_string(value / scale);
  if (value % scale != 0) {
    int digits = 0;
    for (std::uint64_t s = scale; s > 1; s /= 10) ++digits;
    text += fmt::format(".{:0{}}", value % scale, digits);
  }
  return trim_zeros(std::move(text)) + std::string(table[pick].suffix);
}

}  // namespace

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
  std::uint64_t v = 0;
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parse_signed(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '-') return std::nullopt;  // "+-5"
  }
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '-') return std::nullopt;  // "+-1"
  }
  double v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

std::optional<bool> parse_bool(std::string_view text) {
  text = trim(text);
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  return std::nullopt;
}

std::optional<Duration> parse_duration(std::string_view text) {
  const auto ps = to_integer(parse_scaled(text, kTimeUnits, false));
  if (!ps) return std::nullopt;
  return Duration{*ps};
}

std::optional<ByteSize> parse_size(std::string_view text) {
  const auto b = to_integer(parse_scaled(text, kSizeUnits, true));
  if (!b) return std::nullopt;
  return ByteSize{*b};
}

std::optional<Frequency> parse_frequency(std::string_view text) {
  const auto hz = to_integer(parse_scaled(text, kFreqUnits, false));
  if (!hz) return std::nullopt;
  return Frequency{*hz};
}

std::optional<Voltage> parse_voltage(std::string_view text) {
  const auto v = parse_scaled(text, kVoltUnits, false);
  if (!v) return std::nullopt;
  return Voltage{*v};
}

std::optional<Current> parse_current(std::string_view text) {
  const auto a = parse_scaled(text, kAmpUnits, false);
  if (!a) return std::nullopt;
  return Current{*a};
}

std::string format(Duration d) { return format_scaled(d.ps, kTimeUnits, 0, 4); }

std::string format(ByteSize s) {
  // Binary units only where exact; otherwise plain bytes.
  static constexpr std::pair<std::uint64_t, std::string_view> kBinary[] = {
      {1ull << 40, "TiB"}, {1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}};
  for (const auto& [scale, suffix] : kBinary)
    if (s.bytes >= scale && s.bytes % scale == 0) return fmt::format("{}{}", s.bytes / scale, suffix);
  return fmt::format("{}B", s.bytes);
}

std::string format(Frequency f) { return format_scaled(f.hz, kFreqUnits, 0, 3); }
std::string format(Voltage v) { return trim_zeros(fmt::format("{:.6f}", v.volts)) + "V"; }
std::string format(Current c) { return trim_zeros(fmt::format("{:.6f}", c.amps * 1e3)) + "mA"; }

}  // namespace dmasim::units
