#include "models/common/config/problem.h"

#include <fmt/format.h>

#include "models/common/error.h"

namespace dmasim::cfg {

void raise(const std::optional<Problem>& p, std::string_view what) {
  if (p) throw UserError(fmt::format("{}: {}: {}", what, p->key, p->message));
}

}  // namespace dmasim::cfg
