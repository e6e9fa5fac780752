#pragma once
// A minimal streaming JSON writer for result files (stats.json, run summaries). It exists so that
// output is byte-for-byte deterministic: numbers are formatted by fmt independently of the
// stream's locale, doubles in their shortest round-trip form, and non-finite doubles (which JSON
// cannot represent) become null.
//
// Usage: begin_object(); key("a"); value(1); key("b"); begin_array(); ... end_array(); end_object();
// Misuse (a value where a key is expected, unbalanced end_*) is a programming error and asserts.
#include <concepts>
#include <cstdint>
#include <ostream>
#include <string_view>
#include <vector>

namespace dmasim::stats {

class JsonWriter {
 public:
  // indent = 0 writes everything on one line; otherwise each member goes on its own line.
  explicit JsonWriter(std::ostream& out, int indent = 2);

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view name);

  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }  // not the bool overload
  void value(bool b);
  void value(double d);
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  void value(T v) {
    if constexpr (std::signed_integral<T>) {
      write_int(static_cast<std::int64_t>(v));
    } else {
      write_uint(static_cast<std::uint64_t>(v));
    }
  }
  void null();

  // True once a single top-level value has been completely written.
  bool complete() const { return stack_.empty() && wrote_root_; }

 private:
  struct Frame {
    bool is_object;
    bool has_items = false;
    bool after_key = false;  // objects only: a key was written, its value is due
  };

  void before_value();  // commas, newlines and indentation before any value
  void newline_indent(std::size_t depth);
  void write_int(std::int64_t v);
  void write_uint(std::uint64_t v);
  void write_string(std::string_view s);
  void end_container(bool is_object, char close);

  std::ostream& out_;
  int indent_;
  std::vector<Frame> stack_;
  bool wrote_root_ = false;
};

}  // namespace dmasim::stats
