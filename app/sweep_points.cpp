#include "app/sweep_points.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "app/cli.h"
#include "models/common/error.h"

namespace dmasim::app {

namespace {

bool number(const std::string& s, double& out) {
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return !s.empty() && end != nullptr && *end == '\0';
}

// range(START, STOP, STEP) as --vary writes it.
std::vector<std::string> expand_range(const std::string& text, const std::string& vary) {
  const std::string inner = text.substr(6, text.size() - 7);
  std::vector<double> n;
  std::stringstream ss(inner);
  std::string part;
  while (std::getline(ss, part, ',')) {
    double v = 0;
    if (!number(trim(part), v)) throw UserError(fmt::format("--vary {}: '{}' is not a number", vary, trim(part)));
    n.push_back(v);
  }
  if (n.size() != 3) throw UserError(fmt::format("--vary {}: range takes START,STOP,STEP", vary));
  return range_values(n[0], n[1], n[2], fmt::format("--vary {}", vary));
}

std::string safe(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '=') ? c : '_';
  return out;
}

}  // namespace

std::vector<std::string> range_values(double start, double stop, double step, const std::string& what) {
  if (step == 0 || (stop - start) / step < 0) throw UserError(fmt::format("{}: the range is empty or endless", what));
  const bool integral = start == std::floor(start) && step == std::floor(step);
  std::vector<std::string> out;
  for (int i = 0;; ++i) {
    const double v = start + i * step;
    if (step > 0 ? v >= stop - 1e-12 : v <= stop + 1e-12) break;
    out.push_back(integral ? fmt::format("{}", static_cast<long long>(v)) : fmt::format("{}", v));
    if (out.size() > 100000) throw UserError(fmt::format("{}: more than 100000 values", what));
  }
  if (out.empty()) throw UserError(fmt::format("{}: the range is empty", what));
  return out;
}

SweepAxis parse_vary(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) throw UserError(fmt::format("--vary {}: expected KEY=V1,V2,...", text));
  SweepAxis a;
  a.key = trim(text.substr(0, eq));
  const std::string rest = trim(text.substr(eq + 1));
  if (rest.rfind("range(", 0) == 0 && rest.back() == ')') {
    a.values = expand_range(rest, text);
  } else {
    std::stringstream ss(rest);
    std::string v;
    while (std::getline(ss, v, ',')) {
      v = trim(v);
      if (v.empty()) throw UserError(fmt::format("--vary {}: an empty value", text));
      a.values.push_back(v);
    }
  }
  if (a.values.empty()) throw UserError(fmt::format("--vary {}: no values", text));
  return a;
}

std::vector<SweepPoint> sweep_points(const std::vector<SweepAxis>& axes) {
  std::vector<SweepPoint> points(1);
  for (const SweepAxis& a : axes) {
    std::vector<SweepPoint> next;
    for (const SweepPoint& p : points)
      for (const std::string& v : a.values) {
        SweepPoint q = p;
        q.values.emplace_back(a.key, v);
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    std::string d = fmt::format("{}", i);
    for (const auto& [k, v] : points[i].values)
      d += fmt::format("{}{}={}", d.find('-') == std::string::npos ? '-' : '_', safe(k), safe(v));
    points[i].directory = d;
  }
  return points;
}

}  // namespace dmasim::app
