#pragma once
// Memory request traces, read as a stream (a 5 M-request trace is never held in memory).
// Two formats, those of the open DRAM simulators' reference runs:
//   trace: "0xADDR READ|WRITE CYCLE"
//   stl:   "CYCLE:\tread|write\t0xADDR"   (optionally followed by a size in bytes)
// Blank lines and lines starting with '#' are skipped. A malformed line is a UserError naming
// the file and line.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dmasim::dram {

enum class TraceFormat { Trace, Stl };

struct TraceRequest {
  std::uint64_t cycle = 0;
  std::uint64_t address = 0;
  bool is_write = false;
  unsigned size = 64;
  std::uint64_t line = 0;  // line number in the file
};

// The format a file name implies: ".stl" -> Stl, anything else -> Trace.
TraceFormat format_from_path(const std::string& path);
// "trace" / "stl"; anything else is a UserError.
TraceFormat parse_trace_format(const std::string& name);

class TraceReader {
 public:
  TraceReader(const std::string& path, TraceFormat format);
  ~TraceReader();
  TraceReader(const TraceReader&) = delete;
  TraceReader& operator=(const TraceReader&) = delete;

  // The next request, or false at the end of the file. Cycles must not decrease.
  bool next(TraceRequest& out);
  const std::string& path() const { return path_; }

 private:
  bool read_line();
  [[noreturn]] void fail(const std::string& message) const;

  std::string path_;
  TraceFormat format_;
  std::FILE* file_ = nullptr;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  std::string line_;       // a line that straddles two buffer fills
  std::string_view view_;  // the current line, in buffer_ or line_
  std::uint64_t line_number_ = 0;
  std::uint64_t last_cycle_ = 0;
};

}  // namespace dmasim::dram
