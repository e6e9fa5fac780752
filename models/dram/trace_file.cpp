#include "models/dram/trace_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

#include "models/common/error.h"

namespace dmasim::dram {
namespace {

constexpr std::size_t kBufferBytes = 1 << 20;

std::string_view next_token(std::string_view& s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  std::size_t j = i;
  while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
  const std::string_view token = s.substr(i, j - i);
  s.remove_prefix(j);
  return token;
}

bool parse_number(std::string_view text, std::uint64_t& out) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  if (text.empty()) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc{} && ptr == text.data() + text.size();
}

}  // namespace

TraceFormat format_from_path(const std::string& path) {
  return path.size() >= 4 && path.compare(path.size() - 4, 4, ".stl") == 0 ? TraceFormat::Stl : TraceFormat::Trace;
}

TraceFormat parse_trace_format(const std::string& name) {
  if (name == "trace") return TraceFormat::Trace;
  if (name == "stl") return TraceFormat::Stl;
  throw UserError(fmt::format("--format: '{}' is not a trace format; expected 'trace' or 'stl'", name));
}

TraceReader::TraceReader(const std::string& path, TraceFormat format)
    : path_(path), format_(format), buffer_(kBufferBytes) {
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) throw UserError(fmt::format("{}: cannot open trace file: {}", path, std::strerror(errno)));
}

TraceReader::~TraceReader() {
  if (file_ != nullptr) std::fclose(file_);
}

void TraceReader::fail(const std::string& message) const {
  throw UserError(fmt::format("{}:{}: {} (line: '{}')", path_, line_number_, message, view_));
}

bool TraceReader::read_line() {
  // Fast path: the whole line is in the buffer; view it there without copying.
  if (begin_ < end_) {
    const char* start = buffer_.data() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl != nullptr) {
      const std::size_t n = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
      view_ = std::string_view(start, n);
      begin_ += n + 1;
      return true;
    }
  }
  line_.clear();
  while (true) {
    if (begin_ == end_) {
      if (eof_) {
        view_ = line_;
        return !line_.empty();
      }
      end_ = std::fread(buffer_.data(), 1, buffer_.size(), file_);
      begin_ = 0;
      if (end_ == 0 && std::ferror(file_))  // e.g. a directory: fopen succeeds, reading does not
        throw UserError(fmt::format("{}: cannot read trace file: {}", path_, std::strerror(errno)));
      if (end_ == 0) {
        eof_ = true;
        view_ = line_;
        return !line_.empty();
      }
    }
    const char* start = buffer_.data() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl != nullptr) {
      const std::size_t n = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
      line_.append(start, n);
      begin_ += n + 1;
      view_ = line_;
      return true;
    }
    line_.append(start, end_ - begin_);
    begin_ = end_;
  }
}

namespace {

// The common case of the plain format, "0xADDR READ|WRITE CYCLE" with single spaces, parsed
// without tokenising. Anything else (including every malformed line) takes the general path,
// which knows how to explain what is wrong.
bool parse_plain_fast(std::string_view line, TraceRequest& r) {
  const char* p = line.data();
  const char* end = p + line.size();
  if (end - p < 4 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X')) return false;
  p += 2;
  std::uint64_t address = 0;
  const char* digits = p;
  for (; p < end; ++p) {
    const char c = *p;
    unsigned v;
    if (c >= '0' && c <= '9') v = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') v = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v = static_cast<unsigned>(c - 'A' + 10);
    else break;
    if (address >> 60) return false;  // would overflow: let the general path report it
    address = address << 4 | v;
  }
  if (p == digits || p >= end || *p != ' ') return false;
  ++p;
  bool write;
  if (end - p >= 5 && std::string_view(p, 5) == "READ ") {
    write = false;
    p += 5;
  } else if (end - p >= 6 && std::string_view(p, 6) == "WRITE ") {
    write = true;
    p += 6;
  } else {
    return false;
  }
  std::uint64_t cycle = 0;
  digits = p;
  for (; p < end && *p >= '0' && *p <= '9'; ++p) {
    if (cycle > (~std::uint64_t{0} - 9) / 10) return false;
    cycle = cycle * 10 + static_cast<unsigned>(*p - '0');
  }
  if (p == digits || p != end) return false;
  r.address = address;
  r.is_write = write;
  r.cycle = cycle;
  return true;
}

}  // namespace

bool TraceReader::next(TraceRequest& out) {
  while (read_line()) {
    if (format_ == TraceFormat::Trace && parse_plain_fast(view_, out)) {
      ++line_number_;
      out.size = 64;
      out.line = line_number_;
      if (out.cycle < last_cycle_) {
        fail(fmt::format("cycle {} is earlier than the previous request's cycle {}", out.cycle, last_cycle_));
      }
      last_cycle_ = out.cycle;
      return true;
    }
    ++line_number_;
    std::string_view rest(view_);
    if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
    const std::size_t first = rest.find_first_not_of(" \t");
    if (first == std::string_view::npos || rest[first] == '#') continue;

    TraceRequest r;
    r.line = line_number_;
    std::string_view op;
    if (format_ == TraceFormat::Trace) {
      const std::string_view addr = next_token(rest);
      op = next_token(rest);
      const std::string_view cycle = next_token(rest);
      if (!parse_number(addr, r.address)) fail(fmt::format("expected an address such as 0x1f40, got '{}'", addr));
      if (op != "READ" && op != "WRITE") fail(fmt::format("expected READ or WRITE, got '{}'", op));
      if (!parse_number(cycle, r.cycle)) fail(fmt::format("expected a cycle number, got '{}'", cycle));
      r.is_write = op == "WRITE";
    } else {
      std::string_view cycle = next_token(rest);
      if (cycle.empty() || cycle.back() != ':') fail("expected 'CYCLE:' at the start of the line");
      cycle.remove_suffix(1);
      op = next_token(rest);
      const std::string_view addr = next_token(rest);
      if (!parse_number(cycle, r.cycle)) fail(fmt::format("expected a cycle number, got '{}'", cycle));
      if (op != "read" && op != "write") fail(fmt::format("expected read or write, got '{}'", op));
      if (!parse_number(addr, r.address)) fail(fmt::format("expected an address such as 0x1f40, got '{}'", addr));
      r.is_write = op == "write";
      const std::string_view size = next_token(rest);
      if (!size.empty()) {
        std::uint64_t bytes = 0;
        if (!parse_number(size, bytes) || bytes == 0 || bytes > 4096)
          fail(fmt::format("expected a request size of 1 to 4096 bytes, got '{}'", size));
        r.size = static_cast<unsigned>(bytes);
      }
    }
    if (!next_token(rest).empty()) fail("unexpected text after the request");
    if (r.cycle < last_cycle_)
      fail(fmt::format("cycle {} is earlier than the previous request's cycle {}", r.cycle, last_cycle_));
    last_cycle_ = r.cycle;
    out = r;
    return true;
  }
  return false;
}

}  // namespace dmasim::dram
