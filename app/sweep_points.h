#pragma once
// The points of a sweep: --vary KEY=V1,V2,... or KEY=range(START,STOP,STEP) axes and their
// Cartesian product (the first axis varies slowest), each point with a directory name.
#include <string>
#include <utility>
#include <vector>

namespace dmasim::app {

struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};

struct SweepPoint {
  std::vector<std::pair<std::string, std::string>> values;  // (key, value) per axis
  std::string directory;                                    // "<n>-key=value_key=value", file-name safe
};

// START, START+STEP, ... up to STOP excluded, integers printed as integers; an empty or endless
// range is a UserError beginning with `what`.
std::vector<std::string> range_values(double start, double stop, double step, const std::string& what);
// Parses one --vary; a malformed one is a UserError naming it.
SweepAxis parse_vary(const std::string& text);
std::vector<SweepPoint> sweep_points(const std::vector<SweepAxis>& axes);

}  // namespace dmasim::app
