#pragma once
// Errors a user can cause (bad configuration, bad trace files, impossible parameters). The
// command line maps them to exit code 2; they are never crashes or assertions.
#include <stdexcept>
#include <string>

namespace dmasim {

inline constexpr int kUserErrorExitCode = 2;

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace dmasim
