#include "models/common/stats/json_writer.h"

#include <fmt/format.h>

#include <cassert>
#include <cmath>

namespace dmasim::stats {

JsonWriter::JsonWriter(std::ostream& out, int indent) : out_(out), indent_(indent) {}

void JsonWriter::newline_indent(std::size_t depth) {
  if (indent_ <= 0) return;
  out_.put('\n');
  for (std::size_t i = 0; i < depth * static_cast<std::size_t>(indent_); ++i) out_.put(' ');
}

void JsonWriter::before_value() {
  if (stack_.empty()) {
    assert(!wrote_root_ && "a JSON document has exactly one top-level value");
    wrote_root_ = true;
    return;
  }
  Frame& top = stack_.back();
  if (top.is_object) {
    assert(top.after_key && "object members need a key() before their value");
    top.after_key = false;
    return;
  }
  if (top.has_items) out_.put(',');
  newline_indent(stack_.size());
  top.has_items = true;
}

void JsonWriter::begin_object() {
  before_value();
  out_.put('{');
  stack_.push_back(Frame{true});
}

void JsonWriter::begin_array() {
  before_value();
  out_.put('[');
  stack_.push_back(Frame{false});
}

void JsonWriter::end_container([[maybe_unused]] bool is_object, char close) {
  assert(!stack_.empty() && stack_.back().is_object == is_object && "unbalanced end_*()");
  assert(!stack_.back().after_key && "key() without a value");
  const bool had_items = stack_.back().has_items;
  stack_.pop_back();
  if (had_items) newline_indent(stack_.size());  // empty containers stay "{}" / "[]"
  out_.put(close);
}

void JsonWriter::end_object() { end_container(true, '}'); }
void JsonWriter::end_array() { end_container(false, ']'); }

void JsonWriter::key(std::string_view name) {
  assert(!stack_.empty() && stack_.back().is_object && "key() outside an object");
  Frame& top = stack_.back();
  assert(!top.after_key && "two keys in a row");
  if (top.has_items) out_.put(',');
  newline_indent(stack_.size());
  write_string(name);
  out_.put(':');
  if (indent_ > 0) out_.put(' ');
  top.has_items = true;
  top.after_key = true;
}

void JsonWriter::value(std::string_view s) {
  before_value();
  write_string(s);
}

void JsonWriter::value(bool b) {
  before_value();
  out_ << (b ? "true" : "false");
}

void JsonWriter::value(double d) {
  before_value();
  if (!std::isfinite(d)) {
    out_ << "null";
    return;
  }
  // fmt's "{}" is the shortest text that parses back to the same double, independent of locale.
  char buf[40];
  const auto result = fmt::format_to_n(buf, sizeof buf, "{}", d);
  out_.write(buf, static_cast<std::streamsize>(result.size));
}

void JsonWriter::null() {
  before_value();
  out_ << "null";
}

void JsonWriter::write_int(std::int64_t v) {
  before_value();
  char buf[24];
  const auto result = fmt::format_to_n(buf, sizeof buf, "{}", v);
  out_.write(buf, static_cast<std::streamsize>(result.size));
}

void JsonWriter::write_uint(std::uint64_t v) {
  before_value();
  char buf[24];
  const auto result = fmt::format_to_n(buf, sizeof buf, "{}", v);
  out_.write(buf, static_cast<std::streamsize>(result.size));
}

void JsonWriter::write_string(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out_.put('"');
  for (const char c : s) {
    switch (c) {
      case '"': out_ << "\\\""; break;
      case '\\': out_ << "\\\\"; break;
      case '\b': out_ << "\\b"; break;
      case '\f': out_ << "\\f"; break;
      case '\n': out_ << "\\n"; break;
      case '\r': out_ << "\\r"; break;
      case '\t': out_ << "\\t"; break;
      default: {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20) {  // other control characters must be \u-escaped
          const char esc[] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 0xf]};
          out_.write(esc, sizeof esc);
        } else {
          out_.put(c);  // UTF-8 multi-byte sequences pass through unchanged
        }
      }
    }
  }
  out_.put('"');
}

}  // namespace dmasim::stats
