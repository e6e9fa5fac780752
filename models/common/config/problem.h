#pragma once
// The first inconsistency a configuration type finds in itself, as one check shared by its two
// users: validate() reports it at the key's YAML position, check() throws it for configs built
// in C++. A type implements `std::optional<cfg::Problem> problem() const` and forwards to these.
#include <optional>
#include <string>
#include <string_view>

#include "models/common/config/schema.h"

namespace dmasim::cfg {

struct Problem {
  std::string key;  // relative to the configuration: "tlb.ways", "targets[2].size"
  std::string message;
};

// Fails `v` at the problem's key (the schema layer turns it into file:line: key: message).
inline void report(const std::optional<Problem>& p, const Validator& v) {
  if (p) v.fail(p->key, p->message);
}

// Throws UserError("WHAT: KEY: MESSAGE"), e.g. what = "cache configuration".
void raise(const std::optional<Problem>& p, std::string_view what);

}  // namespace dmasim::cfg
