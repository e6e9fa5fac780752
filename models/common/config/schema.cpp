#include "models/common/config/schema.h"

#include <fmt/format.h>

#include <filesystem>

#include "models/common/config/suggest.h"

namespace dmasim::cfg {

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

void fail(const Node& node, const std::string& path, const std::string& message) {
  throw ConfigError(node.loc(), path, message);
}

bool looks_like_include(const Node& node) {
  if (!node.is_scalar()) return false;
  const std::string& v = node.value();
  const auto ends_with = [&](std::string_view s) { return v.size() > s.size() && v.ends_with(s); };
  return ends_with(".yaml") || ends_with(".yml");
}

Node load_include(const Node& scalar, const std::string& path) {
  std::filesystem::path p(scalar.value());
  if (p.is_relative() && !scalar.loc().file.empty())
    p = std::filesystem::path(scalar.loc().file).parent_path() / p;
  if (!std::filesystem::exists(p))
    throw ConfigError(scalar.loc(), path, fmt::format("included file '{}' does not exist", p.string()));
  return load_yaml_file(p.lexically_normal().string());
}

void Validator::fail(std::string_view key, const std::string& message) const {
  // Point at the deepest node of the key that exists (the key itself when the user wrote it).
  const Node* node = &node_;
  std::string_view rest = key;
  while (!rest.empty() && node->is_map()) {
    const auto dot = rest.find('.');
    const Node* child = node->find(rest.substr(0, dot));
    if (child == nullptr) break;
    node = child;
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
  }
  throw ConfigError(node->loc(), join_path(path_, key), message);
}

Validator Validator::child(std::string_view key) const {
  const Node* c = node_.is_map() ? node_.find(key) : nullptr;
  return Validator(c != nullptr ? *c : node_, join_path(path_, key));
}

std::string expect_scalar(const Node& n, const std::string& path, std::string_view what) {
  if (!n.is_scalar())
    fail(n, path,
         fmt::format("expected {}, got {}", what, n.is_map() ? "a map" : n.is_seq() ? "a list" : "an empty value"));
  return n.value();
}

void fail_choice(const Node& n, const std::string& path, const std::string& word,
                 const std::vector<std::string>& choices) {
  const std::string best = closest(word, choices);
  fail(n, path,
       fmt::format("'{}' is not a valid choice{}", word,
                   best.empty() ? fmt::format("; expected one of: {}", fmt::join(choices, ", "))
                                : fmt::format("; did you mean '{}'? (choices: {})", best, fmt::join(choices, ", "))));
}

bool Codec<bool>::read(const Node& n, const std::string& path) {
  const std::string text = expect_scalar(n, path, "true or false");
  if (const auto v = units::parse_bool(text)) return *v;
  fail(n, path, fmt::format("expected true or false, got '{}'", text));
}

std::uint64_t read_unsigned(const Node& n, const std::string& path, std::uint64_t max) {
  const std::string text = expect_scalar(n, path, "an unsigned integer");
  const auto v = units::parse_unsigned(text);
  if (!v) fail(n, path, fmt::format("expected an unsigned integer, got '{}'", text));
  if (*v > max) fail(n, path, fmt::format("value {} is too large (maximum {})", *v, max));
  return *v;
}

std::int64_t read_signed(const Node& n, const std::string& path, std::int64_t min, std::int64_t max) {
  const std::string text = expect_scalar(n, path, "an integer");
  const auto v = units::parse_signed(text);
  if (!v) fail(n, path, fmt::format("expected an integer, got '{}'", text));
  if (*v < min || *v > max) fail(n, path, fmt::format("value {} is out of range [{}, {}]", *v, min, max));
  return *v;
}

double read_double(const Node& n, const std::string& path) {
  const std::string text = expect_scalar(n, path, "a number");
  const auto v = units::parse_double(text);
  if (!v) fail(n, path, fmt::format("expected a number, got '{}'", text));
  return *v;
}

std::string format_double(double v) { return fmt::format("{}", v); }

#define DMASIM_UNIT_READ(Type, parser)                                                              \
  Type Codec<Type>::read(const Node& n, const std::string& path) {                                  \
    const std::string text = expect_scalar(n, path, fmt::format("a {}", type_name));                \
    if (const auto v = units::parser(text)) return *v;                                              \
    fail(n, path, fmt::format("expected a {}, got '{}'", type_name, text));                         \
  }
DMASIM_UNIT_READ(Duration, parse_duration)
DMASIM_UNIT_READ(ByteSize, parse_size)
DMASIM_UNIT_READ(Frequency, parse_frequency)
DMASIM_UNIT_READ(Voltage, parse_voltage)
DMASIM_UNIT_READ(Current, parse_current)
#undef DMASIM_UNIT_READ

void fail_unknown_key(const Node::Entry& entry, const std::string& path, const std::vector<std::string>& names) {
  throw ConfigError(entry.key_loc, join_path(path, entry.key),
                    "unknown key" + suggestion_suffix(entry.key, names));
}

void fail_range(const Node& n, const std::string& path, double value, std::optional<double> lo,
                std::optional<double> hi) {
  const std::string shown = n.is_scalar() ? n.value() : format_double(value);
  if (lo && hi) fail(n, path, fmt::format("value {} is out of range [{}, {}]", shown, *lo, *hi));
  if (lo) fail(n, path, fmt::format("value {} is below the minimum {}", shown, *lo));
  fail(n, path, fmt::format("value {} is above the maximum {}", shown, *hi));
}

}  // namespace dmasim::cfg
