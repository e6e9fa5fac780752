#pragma once
// The schema layer: every model's Config struct declares its fields once, and this file reads
// them from a Node tree with full checking (unknown keys with "did you mean", types, ranges,
// required keys), writes them back for resolved.yaml, and lists them for documentation.
//
//   struct QueueConfig {
//     unsigned depth = 32;
//     Duration latency{1000};
//     static void describe(cfg::Fields<QueueConfig>& f) {
//       f("depth", &QueueConfig::depth, "entries").range(1, 4096);
//       f("latency", &QueueConfig::latency, "time from arrival to service");
//     }
//     void validate(cfg::Validator& v) const;  // optional: cross-field checks
//   };
//   QueueConfig q = cfg::read<QueueConfig>(node, "soc.queue");
//
// A struct-valued key may also be given as the path of a YAML file holding the map (relative to
// the file that names it), which is how scenarios include memspecs and platforms.
#include <array>
#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "models/common/config/node.h"
#include "models/common/config/units.h"

namespace dmasim::cfg {

std::string join_path(std::string_view parent, std::string_view key);

[[noreturn]] void fail(const Node& node, const std::string& path, const std::string& message);

// Loads the YAML file a scalar names, relative to the directory of the file it appears in.
// `path` is the key the scalar is the value of, for the error when the file does not exist.
Node load_include(const Node& scalar, const std::string& path = {});
bool looks_like_include(const Node& node);

// Cross-field checks after a struct is read: errors point at the named key's location.
class Validator {
 public:
  Validator(const Node& node, std::string path) : node_(node), path_(std::move(path)) {}
  // key: a dotted path relative to the struct ("timing.tRC"); the error names the full path.
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;
  const std::string& path() const { return path_; }
  // A validator for a nested struct (the key's node, or this one's if the key is absent).
  Validator child(std::string_view key) const;

 private:
  const Node& node_;
  std::string path_;
};

// ---- codecs: how one C++ type is read from and written to a Node -------------------------

template <class V, class Enable = void>
struct Codec;

template <class T>
class Fields;

template <class T>
concept Described = requires(Fields<T>& f) { T::describe(f); };

struct FieldDoc;
template <Described T>
void document(std::vector<FieldDoc>& out, const std::string& prefix = {});

// Enums: specialise EnumNames<E> with `static constexpr std::array<std::pair<E, std::string_view>, N> names`.
template <class E>
struct EnumNames;

template <class E>
concept NamedEnum = std::is_enum_v<E> && requires { EnumNames<E>::names; };

template <NamedEnum E>
std::string_view enum_name(E value) {
  for (const auto& [v, name] : EnumNames<E>::names)
    if (v == value) return name;
  return "?";
}

template <NamedEnum E>
std::vector<std::string> enum_choices() {
  std::vector<std::string> out;
  for (const auto& entry : EnumNames<E>::names) out.emplace_back(entry.second);
  return out;
}

std::string expect_scalar(const Node& n, const std::string& path, std::string_view what);
[[noreturn]] void fail_choice(const Node& n, const std::string& path, const std::string& word,
                              const std::vector<std::string>& choices);

template <>
struct Codec<bool> {
  static constexpr std::string_view type_name = "bool";
  static bool read(const Node& n, const std::string& path);
  static Node write(bool v) { return Node::scalar(v ? "true" : "false"); }
};

template <>
struct Codec<std::string> {
  static constexpr std::string_view type_name = "string";
  static std::string read(const Node& n, const std::string& path) { return expect_scalar(n, path, "a string"); }
  static Node write(const std::string& v) { return Node::scalar(v); }
};

std::uint64_t read_unsigned(const Node& n, const std::string& path, std::uint64_t max);
std::int64_t read_signed(const Node& n, const std::string& path, std::int64_t min, std::int64_t max);
double read_double(const Node& n, const std::string& path);
std::string format_double(double v);

template <std::unsigned_integral V>
  requires(!std::same_as<V, bool>)
struct Codec<V> {
  static constexpr std::string_view type_name = "unsigned integer";
  static V read(const Node& n, const std::string& path) {
    return static_cast<V>(read_unsigned(n, path, std::numeric_limits<V>::max()));
  }
  static Node write(V v) { return Node::scalar(std::to_string(v)); }
};

template <std::signed_integral V>
struct Codec<V> {
  static constexpr std::string_view type_name = "integer";
  static V read(const Node& n, const std::string& path) {
    return static_cast<V>(read_signed(n, path, std::numeric_limits<V>::min(), std::numeric_limits<V>::max()));
  }
  static Node write(V v) { return Node::scalar(std::to_string(v)); }
};

template <>
struct Codec<double> {
  static constexpr std::string_view type_name = "number";
  static double read(const Node& n, const std::string& path) { return read_double(n, path); }
  static Node write(double v) { return Node::scalar(format_double(v)); }
};

#define DMASIM_UNIT_CODEC(Type, parser, label)                                              \
  template <>                                                                               \
  struct Codec<Type> {                                                                      \
    static constexpr std::string_view type_name = label;                                    \
    static Type read(const Node& n, const std::string& path);                               \
    static Node write(const Type& v) { return Node::scalar(units::format(v)); }             \
  };
DMASIM_UNIT_CODEC(Duration, parse_duration, "duration (e.g. 0.833ns, 7.8us)")
DMASIM_UNIT_CODEC(ByteSize, parse_size, "size (e.g. 64, 4KiB, 8MiB)")
DMASIM_UNIT_CODEC(Frequency, parse_frequency, "frequency (e.g. 933MHz)")
DMASIM_UNIT_CODEC(Voltage, parse_voltage, "voltage (e.g. 1.2V)")
DMASIM_UNIT_CODEC(Current, parse_current, "current (e.g. 58mA)")
#undef DMASIM_UNIT_CODEC

template <NamedEnum E>
struct Codec<E> {
  static constexpr std::string_view type_name = "choice";
  static E read(const Node& n, const std::string& path) {
    const std::string word = expect_scalar(n, path, "one of the listed choices");
    for (const auto& [v, name] : EnumNames<E>::names)
      if (name == word) return v;
    fail_choice(n, path, word, enum_choices<E>());
  }
  static Node write(E v) { return Node::scalar(std::string(enum_name(v))); }
};

template <class V>
struct Codec<std::vector<V>> {
  static constexpr std::string_view type_name = "list";
  static std::vector<V> read(const Node& n, const std::string& path) {
    if (!n.is_seq()) fail(n, path, "expected a list");
    std::vector<V> out;
    out.reserve(n.items().size());
    for (std::size_t i = 0; i < n.items().size(); ++i)
      out.push_back(Codec<V>::read(n.items()[i], path + "[" + std::to_string(i) + "]"));
    return out;
  }
  static Node write(const std::vector<V>& v) {
    Node out = Node::seq();
    for (const auto& item : v) out.push_back(Codec<V>::write(item));
    return out;
  }
};

template <class V>
struct Codec<std::optional<V>> {
  static constexpr std::string_view type_name = Codec<V>::type_name;
  static std::optional<V> read(const Node& n, const std::string& path) {
    if (n.is_null()) return std::nullopt;
    return Codec<V>::read(n, path);
  }
  static Node write(const std::optional<V>& v) { return v ? Codec<V>::write(*v) : Node{}; }
};

// ---- what documentation shows of a type ---------------------------------------------------

// The words a choice field accepts (empty for other types), for generated documentation.
template <class V>
struct DocChoices {
  static constexpr std::vector<std::string> (*get)() = nullptr;
};
template <NamedEnum E>
struct DocChoices<E> {
  static constexpr std::vector<std::string> (*get)() = &enum_choices<E>;
};
template <class V>
struct DocChoices<std::optional<V>> : DocChoices<V> {};

// Whether a field's range is written in the value's own terms (plain numbers), not in ps,
// bytes or Hz as numeric_value() sees unit types.
template <class V>
inline constexpr bool kPlainNumber = std::is_arithmetic_v<V>;
template <class V>
inline constexpr bool kPlainNumber<std::optional<V>> = kPlainNumber<V>;

// The element type of a list field whose items are structs (void otherwise).
template <class V>
struct ListOfStructs {
  using element = void;
};
template <Described V>
struct ListOfStructs<std::vector<V>> {
  using element = V;
};

// ---- numeric view of a value, for range checks ----------------------------------------------

template <class V>
std::optional<double> numeric_value(const V& v) {
  if constexpr (std::is_arithmetic_v<V> && !std::is_same_v<V, bool>) return static_cast<double>(v);
  else if constexpr (std::is_same_v<V, Duration>) return static_cast<double>(v.ps);
  else if constexpr (std::is_same_v<V, ByteSize>) return static_cast<double>(v.bytes);
  else if constexpr (std::is_same_v<V, Frequency>) return static_cast<double>(v.hz);
  else if constexpr (std::is_same_v<V, Voltage>) return v.volts;
  else if constexpr (std::is_same_v<V, Current>) return v.amps;
  else return std::nullopt;
}

// An optional field's range applies to its value when it is given.
template <class V>
std::optional<double> numeric_value(const std::optional<V>& v) {
  return v ? numeric_value(*v) : std::nullopt;
}

// ---- struct fields -----------------------------------------------------------------------

template <class T>
class Fields {
 public:
  struct Field {
    std::string name;
    std::string doc;
    std::string_view type_name;
    bool required = false;
    std::optional<double> min, max;
    std::function<void(const Node&, const std::string&, T&)> read;
    std::function<Node(const T&)> write;
    std::function<std::optional<double>(const T&)> number;
    std::function<void(std::vector<FieldDoc>&, const std::string&)> nested_doc;  // struct-valued fields
    std::vector<std::string> (*choices)() = nullptr;  // choice fields: the accepted words
    bool plain_number = false;  // min/max are in the value's own terms (not ps, bytes, Hz...)
  };

  // Declares one field; the returned handle adds constraints.
  class Handle {
   public:
    Handle(Fields& f, std::size_t index) : fields_(f), index_(index) {}
    Handle& required() {
      fields_.list_[index_].required = true;
      return *this;
    }
    Handle& range(double lo, double hi) {
      fields_.list_[index_].min = lo;
      fields_.list_[index_].max = hi;
      return *this;
    }
    Handle& min(double lo) {
      fields_.list_[index_].min = lo;
      return *this;
    }

   private:
    Fields& fields_;
    std::size_t index_;
  };

  template <class V>
  Handle operator()(std::string_view name, V T::*member, std::string_view doc) {
    Field f;
    f.name = std::string(name);
    f.doc = std::string(doc);
    f.type_name = Codec<V>::type_name;
    f.read = [member](const Node& n, const std::string& path, T& out) { out.*member = Codec<V>::read(n, path); };
    f.write = [member](const T& in) { return Codec<V>::write(in.*member); };
    f.number = [member](const T& in) { return numeric_value(in.*member); };
    f.choices = DocChoices<V>::get;
    f.plain_number = kPlainNumber<V>;
    if constexpr (Described<V>) {
      f.nested_doc = [](std::vector<FieldDoc>& out, const std::string& prefix) { document<V>(out, prefix); };
    } else if constexpr (!std::is_void_v<typename ListOfStructs<V>::element>) {
      // A list of structs: its items' fields are documented under "key[]".
      f.type_name = "list of maps";
      f.nested_doc = [](std::vector<FieldDoc>& out, const std::string& prefix) {
        document<typename ListOfStructs<V>::element>(out, prefix + "[]");
      };
    }
    list_.push_back(std::move(f));
    return Handle(*this, list_.size() - 1);
  }

  const std::vector<Field>& list() const { return list_; }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& f : list_) out.push_back(f.name);
    return out;
  }

 private:
  std::vector<Field> list_;
};

void fail_unknown_key(const Node::Entry& entry, const std::string& path, const std::vector<std::string>& names);
[[noreturn]] void fail_range(const Node& n, const std::string& path, double value, std::optional<double> lo,
                             std::optional<double> hi);

template <class T>
concept SelfValidating = requires(const T& t, Validator& v) { t.validate(v); };

template <Described T>
void read_into(const Node& given, const std::string& path, T& out) {
  Node included;
  const Node* node = &given;
  if (looks_like_include(given)) {
    included = load_include(given, path);
    node = &included;
  }
  Fields<T> fields;
  T::describe(fields);
  if (!node->is_map() && !node->is_null()) fail(*node, path, "expected a map of keys");
  if (node->is_map()) {
    const auto names = fields.names();
    for (const auto& e : node->entries()) {
      bool known = false;
      for (const auto& n : names) known = known || n == e.key;
      if (!known) fail_unknown_key(e, path, names);
    }
  }
  for (const auto& f : fields.list()) {
    const std::string key_path = join_path(path, f.name);
    const Node* v = node->is_map() ? node->find(f.name) : nullptr;
    if (v == nullptr || v->is_null()) {
      if (f.required) fail(*node, key_path, "missing required key");
      continue;
    }
    f.read(*v, key_path, out);
    if (f.min || f.max) {
      if (const auto x = f.number(out); x && ((f.min && *x < *f.min) || (f.max && *x > *f.max)))
        fail_range(*v, key_path, *x, f.min, f.max);
    }
  }
  if constexpr (SelfValidating<T>) {
    Validator v(*node, path);
    out.validate(v);
  }
}

template <Described T>
struct Codec<T> {
  static constexpr std::string_view type_name = "map";
  static T read(const Node& n, const std::string& path) {
    T out{};
    read_into(n, path, out);
    return out;
  }
  static Node write(const T& v) {
    Fields<T> fields;
    T::describe(fields);
    Node out = Node::map();
    for (const auto& f : fields.list()) {
      Node child = f.write(v);
      if (!child.is_null()) out.set(f.name, std::move(child));
    }
    return out;
  }
};

// Reads a whole document (or a sub-tree at `path`) into T.
template <class T>
T read(const Node& node, const std::string& path = {}) {
  return Codec<T>::read(node, path);
}

template <class T>
Node write(const T& value) {
  return Codec<T>::write(value);
}

// One row per field, recursively: for generated documentation of the scenario format. The
// fields of a list's struct items follow the list's row, under "key[].field".
struct FieldDoc {
  std::string path;
  std::string type;
  std::string default_value;
  std::string doc;
  std::vector<std::string> choices;  // choice fields: every accepted word
  std::string range;                 // plain numbers with a range: "1 to 1024", ">= 1"
  bool required = false;
};

template <Described T>
void document(std::vector<FieldDoc>& out, const std::string& prefix) {
  Fields<T> fields;
  T::describe(fields);
  const T defaults{};
  for (const auto& f : fields.list()) {
    const Node d = f.write(defaults);
    const std::string path = join_path(prefix, f.name);
    FieldDoc row;
    row.path = path;
    row.type = std::string(f.type_name);
    row.doc = f.doc;
    row.required = f.required;
    // A required field has no default worth showing: the user must give it. A list of scalars
    // shows as [a, b]; a map's defaults are in its own rows.
    if (f.required) {
      row.default_value = "(required)";
    } else if (d.is_scalar()) {
      row.default_value = d.value();
    } else if (d.is_seq()) {
      std::string items;
      for (const auto& item : d.items()) {
        if (!item.is_scalar()) {
          items = "...";
          break;
        }
        items += (items.empty() ? "" : ", ") + item.value();
      }
      row.default_value = "[" + items + "]";
    }
    if (f.choices != nullptr) row.choices = f.choices();
    if (f.plain_number && (f.min || f.max)) {
      if (f.min && f.max) row.range = format_double(*f.min) + " to " + format_double(*f.max);
      else if (f.min) row.range = ">= " + format_double(*f.min);
      else row.range = "<= " + format_double(*f.max);
    }
    out.push_back(std::move(row));
    if (f.nested_doc) f.nested_doc(out, path);
  }
}

}  // namespace dmasim::cfg
