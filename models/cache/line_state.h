#pragma once
// The coherence state of one cache line: MOESI. MESI is the subset without Owned; which one a
// cache uses is the coherence protocol's choice, the array stores whatever it is told.
//
//   Invalid    no data
//   Shared     clean or dirty elsewhere; others may hold copies; read-only
//   Exclusive  clean, the only cached copy; writable without a bus transaction
//   Owned      dirty, others may hold Shared copies; this cache must write it back
//   Modified   dirty, the only cached copy
//
// Dirty is implied by the state (Modified or Owned): there is no separate dirty bit.
#include <cstdint>
#include <string_view>

namespace dmasim::cache {

enum class LineState : std::uint8_t { Invalid, Shared, Exclusive, Owned, Modified };

constexpr bool is_valid(LineState s) { return s != LineState::Invalid; }
constexpr bool is_dirty(LineState s) { return s == LineState::Modified || s == LineState::Owned; }
// Writable without asking the interconnect for ownership first.
constexpr bool is_unique(LineState s) { return s == LineState::Exclusive || s == LineState::Modified; }
// The state after a clean (the data written back, the line kept): M -> E, O -> S.
constexpr LineState cleaned(LineState s) {
  return s == LineState::Modified ? LineState::Exclusive : s == LineState::Owned ? LineState::Shared : s;
}

constexpr std::string_view state_letter(LineState s) {
  switch (s) {
    case LineState::Invalid: return "I";
    case LineState::Shared: return "S";
    case LineState::Exclusive: return "E";
    case LineState::Owned: return "O";
    case LineState::Modified: return "M";
  }
  return "?";
}

}  // namespace dmasim::cache
